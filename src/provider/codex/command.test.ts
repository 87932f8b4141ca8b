import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCodexCommand, strictSchema } from './command.js';

const TOKEN = 'tok-PLANTED-9f8e7d';

const inv = {
  bin: 'codex',
  model: 'gpt-5-mini',
  tools: ['Bash', 'Read'],
  allowed: ['Bash', 'Read', 'mcp__probe', 'mcp__remote__whoami', 'mcp__old'],
  deny: ['Bash(rm:*)', 'mcp__remote__delete'],
  mcpConfigFile: '/state/mcp.merged.json',
  mcpServers: {
    probe: { command: '/bin/sh', args: ['-c', 'exec env -i "$0" "$@"', 'node', 'probe.js', '--db=${DB:-main}'], env: { LEVEL: 'debug', TOKEN: '${GRAFANA_TOKEN}', DSN: 'pg://u:${GRAFANA_TOKEN}@db' } },
    remote: { type: 'http', url: '${REMOTE}/mcp', headers: { Authorization: 'Bearer ${GRAFANA_TOKEN}', 'X-Team': 'ops' } },
    old: { type: 'sse', url: 'http://127.0.0.1:1/sse' },
    unasked: { command: 'node', args: ['x.js'] },
  },
  access: { readOnly: true, writable: [], network: false },
  appendSystemPrompt: 'Environment: A=1',
  jsonSchema: '{"type":"object","properties":{"status":{"type":"string"},"note":{"type":"string"}},"required":["status"]}',
  cwd: '/run/w',
  prompt: 'Check everything.',
  env: { PATH: '/bin', GRAFANA_TOKEN: TOKEN, REMOTE: 'http://127.0.0.1:9', OPENAI_BASE_URL: 'http://127.0.0.1:8/v1' },
};

describe('the codex command', () => {
  const c = buildCodexCommand(inv);
  const config = c.files!.find((f) => f.path.endsWith('config.toml'))!.content;

  it('runs read-only tiers in Codex’s read-only sandbox, the prompt on stdin', () => {
    assert.deepEqual(c.args.slice(c.args.indexOf('--sandbox'), c.args.indexOf('--sandbox') + 2), ['--sandbox', 'read-only']);
    assert.equal(c.args.at(-1), '-');
    assert.match(c.stdin!, /Environment: A=1\n\nCheck everything\.$/);
    assert.match(config, /base_url = "http:\/\/127\.0\.0\.1:8\/v1"/);
    assert.equal(c.env!.OPENAI_BASE_URL, undefined);
  });

  it('expands ${VAR} as the Claude CLI would, and never writes a named value down', () => {
    assert.ok(!config.includes(TOKEN), 'config.toml holds the token');
    assert.ok(!c.args.some((a) => a.includes(TOKEN)), 'argv holds the token');
    assert.match(config, /url = "http:\/\/127\.0\.0\.1:9\/mcp"/);
    assert.match(config, /"--db=main"/);
    assert.match(config, /env = \{ "LEVEL" = "debug" \}/);
    assert.match(config, /http_headers = \{ "X-Team" = "ops" \}/);
    const [, header] = /env_http_headers = \{ "Authorization" = "(\w+)" \}/.exec(config)!;
    assert.equal(c.env![header!], `Bearer ${TOKEN}`);
    const [, vars] = /env_vars = (\[.*\])/.exec(config)!;
    const names = JSON.parse(vars!) as string[];
    assert.deepEqual(names.map((n) => c.env![n]), [TOKEN, `pg://u:${TOKEN}@db`]);
    assert.match(config, new RegExp(`TOKEN=\\\\"\\$${names[0]}\\\\"; export TOKEN`));
    assert.match(config, /exclude = \[.*"CLAUDEOPS_MCP_VALUE_\*"\]/);
  });

  it('gives each server only the tools its allowance names, and leaves SSE servers out with a warning', () => {
    assert.match(config, /\[mcp_servers\."remote"\][^[]*enabled_tools = \["whoami"\]\ndisabled_tools = \["delete"\]/);
    assert.doesNotMatch(config, /\[mcp_servers\."probe"\][^[]*enabled_tools/);
    assert.doesNotMatch(config, /unasked|"old"/);
    assert.deepEqual(c.warnings, ['MCP server old is left out of this Codex run: Codex reaches remote servers over streamable HTTP, not SSE']);
  });

  it('makes the verdict schema strict, optional fields nullable', () => {
    const s = JSON.parse(strictSchema(inv.jsonSchema));
    assert.deepEqual(s.required, ['status', 'note']);
    assert.equal(s.additionalProperties, false);
    assert.deepEqual(s.properties.note, { anyOf: [{ type: 'string' }, { type: 'null' }] });
  });
});
