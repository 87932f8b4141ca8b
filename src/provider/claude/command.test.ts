import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TierPolicy } from '../../policy/policy.js';
import { buildClaudeCommand, CLAUDE_FLAGS } from './command.js';
import { CLAUDE_TOOLS, WRITE_TOOLS } from './options.js';

const policy: TierPolicy = {
  tier: 1,
  readOnly: true,
  propose: false,
  tools: ['Bash', 'Read'],
  deniedCommands: ['rm', 'docker restart'],
  denyRules: [],
  writable: [],
  network: ['web'],
  mcpAllowed: ['mcp__probe'],
  mcpDenied: [],
  warnings: [],
  denyWrite: [],
  denyRead: [],
};

const inv = {
  bin: 'claude',
  model: 'haiku',
  policy,
  mcpServers: { probe: { command: 'node', args: ['probe.js'] } },
  filesDir: { host: '/tmp/run-x/files', inner: '/run/claudeops/files' },
  instructions: 'Environment: A=1',
  jsonSchema: '{"type":"object"}',
  cwd: '/app',
  prompt: 'Check everything.',
  env: { PATH: '/bin' },
};

describe('the claude command', () => {
  it('passes the prompt on stdin, never as a flag or positional', () => {
    const c = buildClaudeCommand(inv);
    assert.equal(c.stdin, 'Check everything.');
    assert.ok(!c.args.includes('Check everything.'));
    assert.ok(!c.args.some((a) => a.startsWith('--prompt-file')));
  });

  it('builds the documented invocation', () => {
    const c = buildClaudeCommand({ ...inv, budgetUsd: 0.5 });
    const after = (flag: string) => c.args[c.args.indexOf(flag) + 1];
    assert.equal(c.args[0], '--print');
    assert.equal(after('--model'), 'haiku');
    assert.equal(after('--output-format'), 'stream-json');
    assert.ok(c.args.includes('--verbose'));
    assert.equal(after('--permission-mode'), 'dontAsk');
    assert.equal(after('--tools'), 'Bash,Read');
    assert.equal(after('--mcp-config'), '/run/claudeops/files/mcp.json');
    assert.equal(after('--settings'), '/run/claudeops/files/settings.json');
    const file = (name: string) => JSON.parse(c.files!.find((f) => f.path === `/tmp/run-x/files/${name}`)!.content);
    assert.deepEqual(file('settings.json').permissions.allow.slice(0, 3), ['Bash', 'Read', 'mcp__probe']);
    assert.deepEqual(file('settings.json').permissions.deny.slice(0, 2), ['Bash(rm:*)', 'Bash(docker restart:*)']);
    assert.equal(
      file('settings.json').sandbox.enabled,
      false,
      'the cage holds the CLI; its own Bash sandbox cannot start inside it',
    );
    assert.deepEqual(file('mcp.json'), { mcpServers: { probe: { command: 'node', args: ['probe.js'] } } });
    assert.ok(c.args.includes('--strict-mcp-config'));
    assert.equal(after('--json-schema'), '{"type":"object"}');
    assert.equal(after('--append-system-prompt'), 'Environment: A=1');
    assert.equal(after('--max-budget-usd'), '0.5');
    assert.equal(c.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, '1');
    assert.equal(c.env.MCP_CONNECTION_NONBLOCKING, 'false', 'the CLI waits for MCP servers before its first turn');
    assert.equal(c.cwd, '/app');
  });

  it('uses only flags listed in CLAUDE_FLAGS', () => {
    const c = buildClaudeCommand({ ...inv, budgetUsd: 1 });
    for (const a of c.args.filter((x) => x.startsWith('--')))
      assert.ok((CLAUDE_FLAGS as readonly string[]).includes(a), a);
  });

  it('keeps permission lists out of argv, however long (execve has a limit)', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => `mcp__big__tool_${i}`);
    const c = buildClaudeCommand({ ...inv, policy: { ...policy, mcpAllowed: many, mcpDenied: many } });
    assert.ok(c.args.join(' ').length < 10_000, `argv is ${c.args.join(' ').length} characters`);
    assert.ok(!c.args.includes('--allowedTools') && !c.args.includes('--disallowedTools'));
  });

  it('names in its permission rules only tools the pinned CLI knows, and turns off the skills the CLI bundles', () => {
    const every = {
      ...policy,
      tools: ['Bash', 'Read', 'Grep', 'Skill', ...WRITE_TOOLS],
      writable: ['/srv/data'],
      denyWrite: ['/repos/site'],
      denyRead: ['/repos/site/.env'],
    };
    const settings = JSON.parse(
      buildClaudeCommand({ ...inv, policy: every }).files!.find((f) => f.path.endsWith('settings.json'))!.content,
    );
    const named = [...settings.permissions.allow, ...settings.permissions.deny]
      .filter((r: string) => !r.startsWith('mcp__'))
      .map((r: string) => /^[A-Za-z]+/.exec(r)![0]);
    for (const t of named) assert.ok(CLAUDE_TOOLS.includes(t), `${t} is not a tool of the pinned CLI`);
    assert.equal(settings.disableBundledSkills, true);
  });
});
