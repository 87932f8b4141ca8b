import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { mergeMcp } from './merge.js';

function layout(repos: Record<string, string | undefined>, baseline = '{"mcpServers":{"shared":{"command":"base-shared"},"base":{"command":"base-only","env":{"A":"1"}}}}') {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-mcp-'));
  const baselineFile = path.join(root, 'app', '.claude', 'mcp.json');
  fs.mkdirSync(path.dirname(baselineFile), { recursive: true });
  fs.writeFileSync(baselineFile, baseline);
  for (const [name, content] of Object.entries(repos)) {
    fs.mkdirSync(path.join(root, 'repos', name, '.claude-ops'), { recursive: true });
    if (content !== undefined) fs.writeFileSync(path.join(root, 'repos', name, '.claude-ops', 'mcp.json'), content);
  }
  return { root, baselineFile, reposDir: path.join(root, 'repos'), outFile: path.join(root, 'state', 'mcp.merged.json') };
}

const merged = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('MCP merge', () => {
  it('adds repo servers and lets a repo replace a baseline server of the same name whole', async () => {
    const l = layout({
      'b-repo': '{"mcpServers":{"shared":{"command":"repo-shared","args":["x"]}}}',
      'a-repo': '{"mcpServers":{"extra":{"command":"extra"}}}',
    });
    const before = fs.readFileSync(l.baselineFile, 'utf8');
    const r = await mergeMcp({ ...l, trustedRepos: ['*'] });
    assert.deepEqual(r.servers, ['base', 'extra', 'shared']);
    assert.deepEqual(merged(r.file).mcpServers.shared, { command: 'repo-shared', args: ['x'] });
    assert.deepEqual(merged(r.file).mcpServers.base, { command: 'base-only', env: { A: '1' } });
    assert.equal(r.origin.shared, 'b-repo');
    assert.deepEqual(r.warnings, []);
    assert.equal(fs.readFileSync(l.baselineFile, 'utf8'), before, 'the baseline is never written');
  });

  it('merges repos in name order: the later repo wins', async () => {
    const l = layout({ zeta: '{"mcpServers":{"s":{"command":"zeta"}}}', alpha: '{"mcpServers":{"s":{"command":"alpha"}}}' });
    const r = await mergeMcp({ ...l, trustedRepos: ['*'] });
    assert.equal(merged(r.file).mcpServers.s.command, 'zeta');
  });

  it('skips a repo file that is not JSON or not an MCP config, naming the file and the problem', async () => {
    const l = layout({ broken: '{"mcpServers": {', wrong: '{"servers":{"x":{"command":"y"}}}', fine: '{"mcpServers":{"ok":{"command":"ok"}}}', none: undefined });
    const r = await mergeMcp({ ...l, trustedRepos: ['*'] });
    assert.deepEqual(r.servers, ['base', 'ok', 'shared']);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0]!, /broken\/\.claude-ops\/mcp\.json: not valid JSON/);
    assert.match(r.warnings[1]!, /wrong\/\.claude-ops\/mcp\.json: not an MCP config .*mcpServers/);
  });

  it('goes on without a malformed baseline, and says so', async () => {
    const l = layout({ fine: '{"mcpServers":{"ok":{"command":"ok"}}}' }, '{nope');
    const r = await mergeMcp({ ...l, trustedRepos: ['*'] });
    assert.deepEqual(r.servers, ['ok']);
    assert.match(r.warnings[0]!, /baseline MCP config skipped: .*mcp\.json: not valid JSON/);
  });

  it('ignores servers from repos not in the trusted list', async () => {
    const l = layout({ trusted: '{"mcpServers":{"t":{"command":"t"}}}', other: '{"mcpServers":{"o":{"command":"o"}}}' });
    const r = await mergeMcp({ ...l, trustedRepos: ['trusted'] });
    assert.deepEqual(r.servers, ['base', 'shared', 't']);
    assert.match(r.warnings.join('\n'), /repo "other" is not in CLAUDEOPS_MCP_TRUSTED_REPOS/);
  });

  it('treats a missing repos directory as no repos', async () => {
    const l = layout({});
    fs.rmSync(l.reposDir, { recursive: true, force: true });
    const r = await mergeMcp({ ...l, trustedRepos: ['*'] });
    assert.deepEqual(r.servers, ['base', 'shared']);
  });

  it('falls back to a temporary file when the state directory cannot be written', async () => {
    const l = layout({});
    fs.writeFileSync(path.join(l.root, 'state'), 'a file, not a directory');
    const r = await mergeMcp({ ...l, trustedRepos: ['*'] });
    assert.notEqual(r.file, l.outFile);
    assert.deepEqual(Object.keys(merged(r.file).mcpServers).sort(), ['base', 'shared']);
    assert.match(r.warnings.join('\n'), /cannot write .*mcp\.merged\.json .*Check that the state directory is writable/);
  });
});
