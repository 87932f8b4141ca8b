import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { STATE } from '../store/layout.js';
import { FileStore } from '../store/file-store.js';
import { mergeMcp } from './merge.js';

function layout(
  repos: Record<string, string | undefined>,
  baseline = '{"mcpServers":{"shared":{"command":"base-shared"},"base":{"command":"base-only","env":{"A":"1"}}}}',
) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-mcp-'));
  const baselineFile = path.join(root, 'app', '.claude', 'mcp.json');
  fs.mkdirSync(path.dirname(baselineFile), { recursive: true });
  fs.writeFileSync(baselineFile, baseline);
  for (const [name, content] of Object.entries(repos)) {
    fs.mkdirSync(path.join(root, 'repos', name, '.claude-ops'), { recursive: true });
    if (content !== undefined) fs.writeFileSync(path.join(root, 'repos', name, '.claude-ops', 'mcp.json'), content);
  }
  return {
    root,
    baselineFile,
    reposDir: path.join(root, 'repos'),
    outFile: path.join(root, 'state', STATE.mcpMerged),
    store: new FileStore(path.join(root, 'results'), path.join(root, 'state')),
  };
}

const merged = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('MCP merge', () => {
  it('adds repo servers; the first definition of a name stands, and the warning names both sources', async () => {
    const l = layout({
      'b-repo': '{"mcpServers":{"shared":{"command":"repo-shared","args":["x"]}}}',
      'a-repo': '{"mcpServers":{"extra":{"command":"extra"}}}',
    });
    const before = fs.readFileSync(l.baselineFile, 'utf8');
    const r = await mergeMcp({ ...l, trustedRepos: ['*'], inheritEnv: ['shared', 'base', 'extra'] });
    assert.deepEqual(r.servers, ['base', 'extra', 'shared']);
    assert.deepEqual(merged(r.file).mcpServers.shared, { command: 'base-shared' });
    assert.deepEqual({ ...r.origin }, { shared: 'baseline', base: 'baseline', extra: 'a-repo' });
    assert.deepEqual(r.warnings, [
      'MCP server "shared" from repo b-repo ignored: the baseline defines it first. To let repo b-repo replace it, set CLAUDEOPS_MCP_ALLOW_OVERRIDE=b-repo:shared',
    ]);
    assert.equal(fs.readFileSync(l.baselineFile, 'utf8'), before, 'the baseline is never written');
  });

  it('lets a repo replace a server only where CLAUDEOPS_MCP_ALLOW_OVERRIDE says so, keeping env it does not set', async () => {
    const l = layout({
      zeta: '{"mcpServers":{"base":{"command":"zeta","env":{"B":"2"}}}}',
      alpha: '{"mcpServers":{"base":{"command":"alpha"}}}',
    });
    const r = await mergeMcp({ ...l, trustedRepos: ['*'], allowOverride: ['zeta:base'], inheritEnv: ['base'] });
    assert.deepEqual(merged(r.file).mcpServers.base, { command: 'zeta', env: { A: '1', B: '2' } });
    assert.equal(r.origin.base, 'zeta');
    assert.match(r.warnings.join('\n'), /"base" from repo alpha ignored: the baseline defines it first/);
    assert.match(
      r.warnings.join('\n'),
      /"base" from the baseline replaced by repo zeta \(CLAUDEOPS_MCP_ALLOW_OVERRIDE\)/,
    );
  });

  it('checks each entry on its own, as the CLI would take it: one bad entry does not cost the file', async () => {
    const l = layout(
      {
        mixed: JSON.stringify({
          mcpServers: {
            'io.github.example/everything': { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] },
            'my server': { type: 'streamable-http', url: 'https://mcp.example.com/mcp' },
            socket: { type: 'ws', url: 'wss://mcp.example.com/ws' },
            events: { type: 'sse', url: 'https://mcp.example.com/sse' },
            bare: { url: 'https://mcp.example.com/mcp' },
            off: { command: 'x', disabled: true },
            broken: { command: 42 },
            odd: { type: 'carrier-pigeon', url: 'x' },
            io_github_example_everything: { command: 'clash' },
          },
        }),
      },
      '{"mcpServers":{}}',
    );
    const r = await mergeMcp({ ...l, trustedRepos: ['*'] });
    assert.deepEqual(r.servers, ['events', 'io.github.example/everything', 'my server', 'socket']);
    const w = r.warnings.join('\n');
    assert.match(w, /server "bare" left out: a "url" without a "type", which the CLI drops; add "type": "http"/);
    assert.match(w, /server "off" left out: "disabled": true/);
    assert.match(w, /server "broken" left out: command: /);
    assert.match(w, /server "odd" left out: type "carrier-pigeon" is not one the CLI knows/);
    assert.match(
      w,
      /"io_github_example_everything" \(its tools would be named like those of "io\.github\.example\/everything"\) from repo mixed ignored/,
    );
  });

  it("resolves a repo's relative paths and ${CLAUDE_PROJECT_DIR} against the repo, and gives stdio servers a minimal environment", async () => {
    const l = layout(
      {
        ops: JSON.stringify({
          mcpServers: {
            ping: {
              command: 'node',
              args: ['.claude-ops/servers/ping.mjs', '--port', '${CLAUDE_PROJECT_DIR}/data', './x.js'],
              env: { TOKEN: 'abc' },
            },
            local: { command: './bin/serve', cwd: 'tools' },
          },
        }),
      },
      '{"mcpServers":{}}',
    );
    fs.mkdirSync(path.join(l.reposDir, 'ops', '.claude-ops', 'servers'), { recursive: true });
    fs.writeFileSync(path.join(l.reposDir, 'ops', '.claude-ops', 'servers', 'ping.mjs'), '');
    const r = await mergeMcp({ ...l, trustedRepos: ['*'] });
    const root = path.join(l.reposDir, 'ops');
    assert.deepEqual(r.plain.ping, {
      command: 'node',
      args: [path.join(root, '.claude-ops/servers/ping.mjs'), '--port', `${root}/data`, path.join(root, 'x.js')],
      env: { TOKEN: 'abc' },
    });
    assert.deepEqual(r.plain.local, { command: path.join(root, 'tools', 'bin', 'serve') });
    const ping = merged(r.file).mcpServers.ping;
    assert.equal(ping.command, '/bin/sh');
    assert.equal(ping.args[0], '-c');
    assert.match(ping.args[1], /^exec env -i \$\{PATH\+"PATH=\$PATH"\} .*\$\{TOKEN\+"TOKEN=\$TOKEN"\} "\$0" "\$@"$/);
    assert.ok(!ping.args[1].includes('abc'), 'values stay out of the command line');
    assert.deepEqual(ping.args.slice(2), ['node', ...r.plain.ping.args]);
    assert.deepEqual(r.secrets, ['abc']);
  });

  it('refuses an entry that reads a daemon secret, or an unset variable without a default', async () => {
    const l = layout(
      {
        ops: JSON.stringify({
          mcpServers: {
            leak: { command: 'x', env: { K: '${ANTHROPIC_API_KEY}' } },
            api: { type: 'http', url: 'https://x', headers: { Authorization: 'Bearer ${UNSET_TOKEN_XYZ}' } },
            ok: { type: 'http', url: '${MCP_URL_XYZ:-https://fallback.example}/mcp' },
          },
        }),
      },
      '{"mcpServers":{}}',
    );
    const r = await mergeMcp({ ...l, trustedRepos: ['*'], secretEnv: ['ANTHROPIC_API_KEY'], env: {} });
    assert.deepEqual(r.servers, ['ok']);
    assert.match(
      r.warnings.join('\n'),
      /"leak" from repo ops left out: it reads \$\{ANTHROPIC_API_KEY\}, one of the daemon's secrets/,
    );
    assert.match(
      r.warnings.join('\n'),
      /"api" from repo ops left out: \$\{UNSET_TOKEN_XYZ\} is not set and has no default/,
    );
  });

  it('skips a repo file that is not JSON or not an MCP config, naming the file and the problem', async () => {
    const l = layout({
      broken: '{"mcpServers": {',
      wrong: '{"servers":{"x":{"command":"y"}}}',
      fine: '{"mcpServers":{"ok":{"command":"ok"}}}',
      none: undefined,
    });
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
    const l = layout({
      trusted: '{"mcpServers":{"t":{"command":"t"}}}',
      other: '{"mcpServers":{"o":{"command":"o"}}}',
    });
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
    assert.equal(r.plain.base!.command, 'base-only');
    assert.match(
      r.warnings.join('\n'),
      /cannot write .*mcp\.merged\.json .*Check that the state directory is writable/,
    );
  });
});
