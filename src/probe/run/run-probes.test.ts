import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emptyCheckSet, type CheckDef, type CheckSet } from '../../checks/check-set.js';
import { parseCheckFile } from '../../checks/check-file.js';
import { loadConfig } from '../../config/config.js';
import { runProbes } from './run-probes.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-probes-test-'));
let web: http.Server;
let tcp: net.Server;
const posts: string[] = [];

const listen = (s: net.Server) =>
  new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)));

function check(id: string, probes: string): CheckDef {
  const parsed = parseCheckFile(`# ${id}\n\n- Service: ${id}\n\n## Probe\n${probes}\n`);
  assert.deepEqual(parsed.probeProblems, [], id);
  return { id, repo: 'builtin', file: path.join(dir, `${id}.md`), title: id, services: [id], parsed };
}

function set(checks: CheckDef[]): CheckSet {
  return { ...emptyCheckSet(), checks };
}

describe('running probes', { timeout: 60_000 }, () => {
  let webPort = 0;
  let tcpPort = 0;
  let closedPort = 0;
  before(async () => {
    web = http.createServer((req, res) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') posts.push(`${req.method} ${req.url}`);
      res.writeHead(req.url === '/down' ? 500 : 200, { 'content-type': 'application/json' });
      res.end(req.url === '/down' ? 'broken' : '{"status":"up"}');
    });
    webPort = await listen(web);
    tcp = net.createServer((s) => s.destroy());
    tcpPort = await listen(tcp);
    const spare = net.createServer();
    closedPort = await listen(spare);
    await new Promise((r) => spare.close(r));
  });
  after(() => {
    web.close();
    tcp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const configFor = (extra: Record<string, string> = {}) =>
    loadConfig(
      {
        ANTHROPIC_API_KEY: 'k',
        CLAUDEOPS_STATE_DIR: path.join(dir, 'state'),
        CLAUDEOPS_RESULTS_DIR: path.join(dir, 'results'),
        ...extra,
      },
      dir,
      { requireAuth: false },
    ).config;

  it('judges http, tcp, dns and run probes, each check by its worst probe', async () => {
    const up = check(
      'up',
      `- http GET http://127.0.0.1:${webPort}/ok expect status == 200, json .status == "up"\n- tcp 127.0.0.1:${tcpPort}\n- dns localhost A\n- run echo 42 expect value < 85`,
    );
    const down = check('down', `- http GET http://127.0.0.1:${webPort}/down\n- tcp 127.0.0.1:${closedPort}`);
    const full = check('full', `- run echo 91 expect value < 85 (degraded), value < 95`);
    const egress: string[] = [];
    const out = await runProbes({
      config: configFor(),
      set: set([up, down, full]),
      shutdown: new AbortController().signal,
      onEgress: (line) => egress.push(line),
    });
    const by = Object.fromEntries(out.map((c) => [c.id, c]));
    assert.equal(by.up!.status, 'healthy', by.up!.detail);
    assert.equal(by.down!.status, 'unhealthy');
    assert.match(by.down!.detail, /500/);
    assert.equal(by.down!.judgements[1]!.status, 'unhealthy');
    assert.equal(by.full!.status, 'degraded', by.full!.detail);
    assert.equal(by.full!.judgements[0]!.value, 91);
  });

  it('holds a run probe to tier 1: it writes nothing outside its work dir and posts nothing', async () => {
    const target = path.join(dir, 'written-by-probe');
    const writer = check(
      'writer',
      `- run touch ${target}\n- run curl -s -X POST http://127.0.0.1:${webPort}/hook expect exit == 0`,
    );
    const out = await runProbes({
      config: configFor(),
      set: set([writer]),
      shutdown: new AbortController().signal,
      onEgress: () => undefined,
    });
    assert.equal(out[0]!.status, 'unhealthy');
    assert.ok(!fs.existsSync(target), 'the probe wrote outside its cage');
    assert.deepEqual(posts, []);
  });

  it('reaches only the hosts tier 1 may reach', async () => {
    const out = await runProbes({
      config: configFor({ CLAUDEOPS_TIER1_NETWORK: 'example.invalid' }),
      set: set([check('fenced', `- http GET http://127.0.0.1:${webPort}/ok`)]),
      shutdown: new AbortController().signal,
      onEgress: () => undefined,
    });
    assert.equal(out[0]!.status, 'unhealthy');
    assert.match(out[0]!.detail, /egress/);
  });

  it('stops a probe at its timeout', async () => {
    const out = await runProbes({
      config: configFor({ CLAUDEOPS_PROBE_TIMEOUT: '1' }),
      set: set([check('slow', '- run sleep 30')]),
      shutdown: new AbortController().signal,
      onEgress: () => undefined,
    });
    assert.equal(out[0]!.status, 'unhealthy');
    assert.match(out[0]!.detail, /timed out/);
  });
});
