// MCP servers from repos, shaped like real .mcp.json files, through the real CLI:
// servers from npm over stdio (started with npx), a repo-shipped script started by a
// relative path, remote servers over streamable HTTP and SSE, and every way an entry
// can be odd. What reaches the model is asserted from the fake API's requests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FakeApi, byModel, lastToolResult, toolNames, toolUse, verdict } from '../fake-api.js';
import { API_KEY, ROOT, allText, cycleSummaries, refusingPort, run, sandbox, start, type Sandbox } from '../harness.js';
import { RemoteMcp } from '../mcp-http.js';
import { Receiver } from '../receiver.js';

const PING = path.join(ROOT, 'test', 'fixtures', 'repo-ping-server.mjs');
const REPO_SECRET = 'literal-secret-in-repo-9876';
const hasApprise = spawnSync('apprise', ['--version']).status === 0;

describe('MCP servers from real repos, through the real CLI', () => {
  let api: FakeApi;
  let sb: Sandbox;
  let remote: RemoteMcp;
  let receiver: Receiver | undefined;
  let code: number | null;
  let started: string;
  let startedServer: http.Server;
  const startedNames: string[] = [];
  const calls = [
    'mcp__io_github_example_ping__ping',
    'mcp__my_ping__ping',
    'mcp__memory__read_graph',
    'mcp__remote-http__whoami',
    'mcp__remote-sse__whoami',
    'mcp__files__list_allowed_directories',
  ];

  before(async () => {
    remote = new RemoteMcp();
    const remoteUrl = await remote.start();
    api = new FakeApi(
      byModel({
        haiku: [
          ...calls.map((name) => toolUse(name, {})),
          verdict({ status: 'healthy', summary: 'All servers answered.', escalate: false }),
        ],
      }),
    );
    const env: Record<string, string> = { MCP_PACKAGES: ROOT, REMOTE_MCP: remoteUrl, CLAUDEOPS_NOTIFY_FAILURES: '1' };
    if (hasApprise) {
      receiver = new Receiver();
      env.CLAUDEOPS_APPRISE_URLS = await receiver.start();
    }
    sb = sandbox(await api.start(), env);
    // What the servers read lies apart from the state and results, which no run may see.
    const shared = path.join(sb.root, 'shared');
    fs.mkdirSync(shared);
    const memory = path.join(shared, 'memory.jsonl');
    fs.writeFileSync(
      memory,
      `${JSON.stringify({ type: 'entity', name: 'web', entityType: 'service', observations: ['seeded by the test'] })}\n`,
    );
    // Servers run sandboxed (no file of the test is writable to them): they say they started with a GET.
    startedServer = http.createServer((req, res) => {
      startedNames.push(new URL(req.url ?? '/', 'http://x').searchParams.get('name') ?? '?');
      res.end('ok');
    });
    await new Promise<void>((resolve) => startedServer.listen(0, '127.0.0.1', resolve));
    started = `http://127.0.0.1:${(startedServer.address() as import('node:net').AddressInfo).port}/started`;
    const ping = (name: string, arg: string, extra: Record<string, unknown> = {}) => ({
      command: 'node',
      args: [arg],
      env: { PING_NAME: name, STARTED_URL: started },
      ...extra,
    });
    const alpha = sb.addRepo('alpha', {
      '.claude-ops/mcp.json': JSON.stringify({
        mcpServers: {
          'io.github.example/ping': {
            ...ping('dotted', '.claude-ops/servers/ping.mjs'),
            env: { PING_NAME: 'dotted', STARTED_URL: started, PING_TOKEN: REPO_SECRET },
          },
          'my ping': {
            ...ping('spaced', '${CLAUDE_PROJECT_DIR}/.claude-ops/servers/ping.mjs'),
            env: { PING_NAME: 'spaced', STARTED_URL: started, PING_DELAY_MS: '3000' },
          },
          off: ping('off', './.claude-ops/servers/ping.mjs', { disabled: true }),
          broken: { command: 7 },
          memory: {
            command: 'npx',
            args: ['--prefix', '${MCP_PACKAGES:-/nonexistent}', '--no-install', 'mcp-server-memory'],
            env: { MEMORY_FILE_PATH: memory },
          },
          files: {
            command: 'npx',
            args: ['--prefix', '${MCP_PACKAGES}', '--no-install', 'mcp-server-filesystem', shared],
          },
          'remote-http': {
            type: 'http',
            url: '${REMOTE_MCP}/mcp',
            headers: { Authorization: 'Bearer ${REMOTE_TOKEN:-default-token-abc}' },
          },
          'remote-sse': { type: 'sse', url: '${REMOTE_MCP}/sse' },
        },
      }),
    });
    fs.mkdirSync(path.join(alpha, '.claude-ops', 'servers'));
    fs.copyFileSync(PING, path.join(alpha, '.claude-ops', 'servers', 'ping.mjs'));
    const beta = sb.addRepo('beta', {
      '.claude-ops/mcp.json': JSON.stringify({
        mcpServers: { 'my ping': ping('beta', '.claude-ops/servers/ping.mjs') },
      }),
    });
    fs.mkdirSync(path.join(beta, '.claude-ops', 'servers'));
    fs.copyFileSync(PING, path.join(beta, '.claude-ops', 'servers', 'ping.mjs'));
    sb.addRepo('gamma', {
      '.claude-ops/mcp.json': JSON.stringify({ mcpServers: { ghost: { command: 'no-such-mcp-binary' } } }),
    });
    code = (await run(['once'], sb, 180_000)).code;
  });
  after(async () => {
    await api.stop();
    await remote.stop();
    await receiver?.stop();
    startedServer.closeAllConnections();
    startedServer.close();
    sb.cleanup();
  });

  const results = () => calls.map((_, i) => lastToolResult(api.messages[i + 1]!) ?? '');

  it("offers every valid server's tools under the names the CLI gives them, and none of the left-out ones", () => {
    assert.equal(code, 0);
    const tools = toolNames(api.messages[0]!);
    for (const name of calls)
      assert.ok(tools.includes(name), `${name} not offered: ${tools.filter((t) => t.startsWith('mcp__'))}`);
    assert.ok(!tools.some((t) => t.startsWith('mcp__off__') || t.startsWith('mcp__broken__')));
  });

  it('starts a repo-shipped script from the repo, by a relative path and by ${CLAUDE_PROJECT_DIR}', () => {
    const [dotted, spaced] = results();
    assert.match(
      dotted!,
      new RegExp(
        `pong .*"name":"dotted","script":"${path.join(sb.reposDir, 'alpha', '.claude-ops', 'servers', 'ping.mjs')}"`,
      ),
    );
    assert.match(
      spaced!,
      /pong .*"name":"spaced"/,
      'the first definition of "my ping" (repo alpha) stands over beta\'s, and a server 3 s slow to start is waited for',
    );
  });

  it('gives a stdio server a minimal environment: no API key', () => {
    const report = JSON.parse(results()[0]!.replace(/^pong /, ''));
    assert.equal(report.apiKey, 'absent');
    // Its own, the base set, and the sandbox's proxy settings (no secret among them).
    assert.ok(report.envCount <= 16, `the server saw ${report.envCount} variables`);
  });

  it('gets real answers from server-memory and server-filesystem (npx) and from remote servers over HTTP (headers expanded from a default) and SSE', () => {
    const [, , memory, httpAnswer, sseAnswer, files] = results();
    assert.match(memory!, /seeded by the test/);
    assert.match(files!, /Allowed directories/);
    assert.match(httpAnswer!, /remote http server answered/);
    assert.match(sseAnswer!, /remote sse server answered/);
    assert.ok(remote.authorization.includes('Bearer default-token-abc'), `headers seen: ${remote.authorization}`);
  });

  it("never starts a disabled server, and keeps a secret from a repo server's env out of every file", () => {
    const names = startedNames;
    assert.ok(names.includes('dotted') && names.includes('spaced'), `started: ${names}`);
    assert.ok(!names.includes('off'), `started: ${names}`);
    assert.ok(!names.includes('beta'), 'the overridden server was not started');
    assert.ok(
      results()[0]!.includes(REPO_SECRET),
      'the server echoed its token (it reaches the model, which may need it, but none of our files)',
    );
    for (const { file, text } of allText(sb.resultsDir)) {
      assert.ok(!text.includes(REPO_SECRET), `the repo secret is in ${file}`);
      assert.ok(!text.includes(API_KEY), `the API key is in ${file}`);
    }
  });

  it('records where each server came from, why entries were left out, and which server failed', () => {
    const [s] = cycleSummaries(sb.resultsDir);
    assert.deepEqual(s.mcpSources, {
      'io.github.example/ping': 'alpha',
      'my ping': 'alpha',
      memory: 'alpha',
      files: 'alpha',
      'remote-http': 'alpha',
      'remote-sse': 'alpha',
      ghost: 'gamma',
    });
    const w = s.warnings.join('\n');
    assert.match(w, /server "off" left out: "disabled": true/);
    assert.match(w, /server "broken" left out: command: /);
    assert.match(
      w,
      /MCP server "my ping" from repo beta ignored: repo alpha defines it first. To let repo beta replace it, set CLAUDEOPS_MCP_ALLOW_OVERRIDE=beta:my ping/,
    );
    assert.match(
      w,
      /MCP server "ghost" \(gamma\) did not connect in tier 1's run \(failed\): its tools were not available/,
    );
    assert.equal(s.tiers[0].mcpStatus.ghost, 'failed');
    assert.equal(s.tiers[0].mcpStatus.memory, 'connected');
  });

  it(
    'tells the operator when a server fails to start',
    { skip: hasApprise ? false : 'Debian’s apprise is not installed (.ci/run installs it)' },
    () => {
      const told = receiver!.received.filter((m) => /MCP server ghost fails to start/.test(m.title));
      assert.equal(told.length, 1, JSON.stringify(receiver!.received.map((m) => m.title)));
      assert.match(told[0]!.message, /"ghost" \(from gamma\) did not connect in 1 cycles in a row/);
    },
  );

  it("exports the server's state as a metric", async () => {
    const daemon = start(['run'], sb, 120_000, {
      CLAUDEOPS_HTTP_PORT: '0',
      CLAUDEOPS_INTERVAL: '3600',
      CLAUDEOPS_APPRISE_URLS: '',
    });
    api.script = byModel({ haiku: [verdict({ status: 'healthy', summary: 'fine', escalate: false })] });
    try {
      await daemon.waitFor(/"msg":"cycle ended/, 90_000);
      const port = Number(/"port":(\d+)/.exec(daemon.output())?.[1]);
      const metrics = await new Promise<string>((resolve, reject) =>
        http
          .get(`http://127.0.0.1:${port}/metrics`, (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve(body));
          })
          .on('error', reject),
      );
      assert.match(metrics, /claudeops_mcp_server_up\{server="ghost",source="gamma"\} 0/);
      assert.match(metrics, /claudeops_mcp_server_up\{server="memory",source="alpha"\} 1/);
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.done;
    }
  });
});

describe('validate connects to every MCP server', () => {
  it("lists each server's tools with their annotations, and names a missing command", async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start(), { MCP_PACKAGES: ROOT });
    const files = path.join(sb.root, 'files');
    fs.mkdirSync(files);
    sb.addRepo('ops', {
      '.claude-ops/mcp.json': JSON.stringify({
        mcpServers: {
          files: {
            command: 'npx',
            args: ['--prefix', '${MCP_PACKAGES}', '--no-install', 'mcp-server-filesystem', files],
          },
          ghost: { command: 'uvx', args: ['some-server'] },
        },
      }),
    });
    try {
      const r = await run(['validate'], sb, 90_000);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stdout, /files +ops · stdio npx · \d+ tool\(s\)/);
      assert.match(r.stdout, /read_text_file +readOnlyHint true/);
      assert.match(r.stdout, /write_file +readOnlyHint false · destructiveHint true/);
      assert.match(r.stdout, /MCP server "ghost" \(ops\): its command "uvx" is not on PATH/);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('a remote MCP server that fails says why', () => {
  it('in validate, the cycle record and the run log: a refused connection, HTTP 500 with an empty body, HTTP 401 with a body', async () => {
    const answering = (status: number, body: string) =>
      http.createServer((req, res) => {
        req.resume();
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(body);
      });
    const ups = [answering(500, ''), answering(401, 'invalid token')];
    for (const s of ups) await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const port = (s: http.Server) => (s.address() as import('node:net').AddressInfo).port;
    const refusing = await refusingPort();
    const refusedPort = refusing.port;
    const api = new FakeApi(byModel({ haiku: [verdict({ status: 'healthy', summary: 'fine', escalate: false })] }));
    const sb = sandbox(await api.start());
    sb.addRepo('ops', {
      '.claude-ops/mcp.json': JSON.stringify({
        mcpServers: {
          refused: { type: 'http', url: `http://127.0.0.1:${refusedPort}/mcp` },
          broken: { type: 'http', url: `http://127.0.0.1:${port(ups[0]!)}/mcp` },
          denied: { type: 'sse', url: `http://127.0.0.1:${port(ups[1]!)}/sse` },
        },
      }),
    });
    const refused = `connection refused \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${refusedPort}\\)`;
    try {
      const v = await run(['validate'], sb, 90_000);
      assert.match(v.stdout, new RegExp(`MCP server "refused" \\(ops\\): ${refused}`));
      assert.match(v.stdout, /MCP server "broken" \(ops\): HTTP 500 Internal Server Error \(empty body\)/);
      assert.match(v.stdout, /MCP server "denied" \(ops\): HTTP 401 Unauthorized/);

      const r = await run(['once'], sb, 120_000);
      const [s] = cycleSummaries(sb.resultsDir);
      assert.ok(s, r.stdout.slice(-2000));
      assert.match(s.mcpTools.refused.error, new RegExp(`^${refused}$`));
      assert.equal(s.mcpTools.broken.error, 'HTTP 500 Internal Server Error (empty body)');
      assert.equal(
        s.mcpTools.denied.error,
        'HTTP 401 Unauthorized (empty body)',
        'an SSE stream that is refused gives no body to show',
      );
      if (s.tiers[0].containment.sandboxed) {
        // Caged, the CLI reaches remote servers through the daemon's relay, which logs why each failed.
        const log = allText(sb.resultsDir).find((f) => f.file.endsWith('.log'))!.text;
        assert.match(log, new RegExp(`MCP refused POST failed: ${refused}`));
        assert.match(log, /MCP broken POST failed: HTTP 500 Internal Server Error \(empty body\)/);
        assert.match(log, /MCP denied GET failed: HTTP 401 Unauthorized: invalid token/);
      }
    } finally {
      await api.stop();
      for (const s of ups) s.close();
      refusing.release();
      sb.cleanup();
    }
  });
});
