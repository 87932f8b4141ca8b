import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TierPolicy } from '../../tier/policy.js';
import { buildClaudeCommand, CLAUDE_FLAGS } from './command.js';

const policy: TierPolicy = {
  tier: 1, readOnly: true, propose: false,
  tools: ['Bash', 'Read'],
  deniedCommands: ['rm', 'docker restart'],
  denyRules: [],
  writable: [], network: ['web'],
  mcpAllowed: ['mcp__probe'], mcpDenied: [], warnings: [], denyWrite: [], denyRead: [],
};

const inv = {
  bin: 'claude',
  model: 'haiku',
  policy,
  mcpConfigFile: '/state/mcp.merged.json',
  mcpServers: {},
  appendSystemPrompt: 'Environment: A=1',
  jsonSchema: '{"type":"object"}',
  settings: { sandbox: { enabled: true } },
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
    const c = buildClaudeCommand({ ...inv, maxBudgetUsd: 0.5 });
    const after = (flag: string) => c.args[c.args.indexOf(flag) + 1];
    assert.equal(c.args[0], '--print');
    assert.equal(after('--model'), 'haiku');
    assert.equal(after('--output-format'), 'stream-json');
    assert.ok(c.args.includes('--verbose'));
    assert.equal(after('--permission-mode'), 'dontAsk');
    assert.equal(after('--tools'), 'Bash,Read');
    assert.deepEqual(c.args.slice(c.args.indexOf('--allowedTools') + 1, c.args.indexOf('--allowedTools') + 4), ['Bash', 'Read', 'mcp__probe']);
    assert.deepEqual(c.args.slice(c.args.indexOf('--disallowedTools') + 1, c.args.indexOf('--disallowedTools') + 3), ['Bash(rm:*)', 'Bash(docker restart:*)']);
    assert.equal(after('--mcp-config'), '/state/mcp.merged.json');
    assert.ok(c.args.includes('--strict-mcp-config'));
    assert.equal(after('--json-schema'), '{"type":"object"}');
    assert.equal(after('--append-system-prompt'), 'Environment: A=1');
    assert.deepEqual(JSON.parse(after('--settings')!), { sandbox: { enabled: true } });
    assert.equal(after('--max-budget-usd'), '0.5');
    assert.equal(c.env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, '1');
    assert.equal(c.env.MCP_CONNECTION_NONBLOCKING, 'false', 'the CLI waits for MCP servers before its first turn');
    assert.equal(c.cwd, '/app');
  });

  it('uses only flags listed in CLAUDE_FLAGS', () => {
    const c = buildClaudeCommand({ ...inv, maxBudgetUsd: 1 });
    for (const a of c.args.filter((x) => x.startsWith('--'))) assert.ok((CLAUDE_FLAGS as readonly string[]).includes(a), a);
  });

  it('leaves out empty lists rather than passing a flag with no value', () => {
    const c = buildClaudeCommand({ ...inv, policy: { ...policy, tools: [], deniedCommands: [], mcpAllowed: [] }, settings: undefined });
    assert.ok(!c.args.includes('--disallowedTools'));
    assert.ok(!c.args.includes('--settings'));
    assert.ok(!c.args.includes('--allowedTools'));
  });
});
