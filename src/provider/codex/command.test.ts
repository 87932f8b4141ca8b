import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TierPolicy } from '../../policy/policy.js';
import { buildCodexCommand, execRules, strictSchema } from './command.js';

const TOKEN = 'tok-PLANTED-9f8e7d';

const inv = {
  bin: 'codex',
  model: 'gpt-5-mini',
  policy: {
    tier: 1,
    readOnly: true,
    propose: false,
    tools: ['Bash', 'Read'],
    deniedCommands: ['rm', 'docker compose up'],
    denyRules: ['WebFetch'],
    writable: [],
    network: [],
    mcpAllowed: ['mcp__probe', 'mcp__remote__whoami', 'mcp__old'],
    mcpDenied: ['mcp__remote__delete'],
    warnings: [],
    denyWrite: [],
    denyRead: [],
  } satisfies TierPolicy,
  mcpServers: {
    probe: {
      command: '/bin/sh',
      args: ['-c', 'exec env -i "$0" "$@"', 'node', 'probe.js', '--db=${DB:-main}'],
      env: { LEVEL: 'debug', TOKEN: '${GRAFANA_TOKEN}', DSN: 'pg://u:${GRAFANA_TOKEN}@db' },
    },
    remote: {
      type: 'http',
      url: '${REMOTE}/mcp',
      headers: { Authorization: 'Bearer ${GRAFANA_TOKEN}', 'X-Team': 'ops' },
    },
    old: { type: 'sse', url: 'http://127.0.0.1:1/sse' },
    unasked: { command: 'node', args: ['x.js'] },
  },
  filesDir: { host: '/run/w/.claudeops', inner: '/run/w/.claudeops' },
  instructions: 'Environment: A=1',
  jsonSchema:
    '{"type":"object","properties":{"status":{"type":"string"},"note":{"type":"string"}},"required":["status"]}',
  cwd: '/run/w',
  prompt: 'Check everything.',
  env: { PATH: '/bin', GRAFANA_TOKEN: TOKEN, REMOTE: 'http://127.0.0.1:9', OPENAI_BASE_URL: 'http://127.0.0.1:8/v1' },
};

describe('the codex command', () => {
  const c = buildCodexCommand(inv);
  const config = c.files!.find((f) => f.path.endsWith('config.toml'))!.content;

  it('runs read-only tiers in Codex’s read-only sandbox, the prompt on stdin', () => {
    assert.deepEqual(c.args.slice(c.args.indexOf('--sandbox'), c.args.indexOf('--sandbox') + 2), [
      '--sandbox',
      'read-only',
    ]);
    assert.equal(c.args.at(-1), '-');
    assert.match(c.stdin, /Environment: A=1\n\nCheck everything\.$/);
    assert.match(config, /base_url = "http:\/\/127\.0\.0\.1:8\/v1"/);
    assert.equal(c.env.OPENAI_BASE_URL, undefined);
  });

  it('expands ${VAR} as the Claude CLI would, and never writes a named value down', () => {
    assert.ok(!config.includes(TOKEN), 'config.toml holds the token');
    assert.ok(!c.args.some((a) => a.includes(TOKEN)), 'argv holds the token');
    assert.match(config, /url = "http:\/\/127\.0\.0\.1:9\/mcp"/);
    assert.match(config, /"--db=main"/);
    assert.match(config, /env = \{ "LEVEL" = "debug" \}/);
    assert.match(config, /http_headers = \{ "X-Team" = "ops" \}/);
    const [, header] = /env_http_headers = \{ "Authorization" = "(\w+)" \}/.exec(config)!;
    assert.equal(c.env[header!], `Bearer ${TOKEN}`);
    const [, vars] = /env_vars = (\[.*\])/.exec(config)!;
    const names = JSON.parse(vars!) as string[];
    assert.deepEqual(
      names.map((n) => c.env[n]),
      [TOKEN, `pg://u:${TOKEN}@db`],
    );
    assert.match(config, new RegExp(`TOKEN=\\\\"\\$${names[0]}\\\\"; export TOKEN`));
    assert.match(config, /exclude = \[.*"CLAUDEOPS_MCP_VALUE_\*"\]/);
  });

  it('gives each server only the tools its allowance names, and leaves SSE servers out with a warning', () => {
    assert.match(config, /\[mcp_servers\."remote"\][^[]*enabled_tools = \["whoami"\]\ndisabled_tools = \["delete"\]/);
    assert.doesNotMatch(config, /\[mcp_servers\."probe"\][^[]*enabled_tools/);
    assert.doesNotMatch(config, /unasked|"old"/);
    assert.equal(
      c.warnings![0],
      'MCP server old is left out of this Codex run: Codex reaches remote servers over streamable HTTP, not SSE',
    );
  });

  it('turns denied command prefixes into execpolicy rules, and says which rules it cannot carry over', () => {
    assert.equal(
      c.files!.find((f) => f.path.endsWith('rules/claudeops.rules'))!.content,
      execRules(['rm', 'docker compose up']),
    );
    assert.equal(
      execRules(['docker compose up']),
      'prefix_rule(pattern=["docker","compose","up"], decision="forbidden", justification="this tier may not run docker compose up")\n',
    );
    assert.match(c.warnings![1]!, /Codex cannot enforce these deny rules: WebFetch/);
  });

  it('lets a tier that may act write its paths and the work dir, not the rest of /tmp', () => {
    const w = buildCodexCommand({
      ...inv,
      policy: { ...inv.policy, readOnly: false, writable: ['/srv/compose'], network: ['web'] },
    });
    const cfg = w.files!.find((f) => f.path.endsWith('config.toml'))!.content;
    assert.deepEqual(w.args.slice(w.args.indexOf('--sandbox'), w.args.indexOf('--sandbox') + 4), [
      '--sandbox',
      'workspace-write',
      '--add-dir',
      '/srv/compose',
    ]);
    assert.match(cfg, /network_access = true\nexclude_slash_tmp = true\nexclude_tmpdir_env_var = true/);
  });

  it('makes the verdict schema strict, optional fields nullable', () => {
    const s = JSON.parse(strictSchema(inv.jsonSchema));
    assert.deepEqual(s.required, ['status', 'note']);
    assert.equal(s.additionalProperties, false);
    assert.deepEqual(s.properties.note, { anyOf: [{ type: 'string' }, { type: 'null' }] });
  });
});
