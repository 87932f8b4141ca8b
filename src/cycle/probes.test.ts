import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { handed } from '../provider/scripted.fixture.js';
import { checkFile, memoryDaemon, type MemoryDaemon } from './memory-daemon.fixture.js';

// Cycles with probes, in memory: the real probe runner against a loopback server (through
// an egress proxy with tier 1's policy; the memory daemon's sandbox is off, so run probes
// run plainly), a scripted model that says what it was handed.

let server: http.Server;
let port = 0;
let answer = 200;
before(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(answer);
    res.end(answer === 200 ? 'ok' : 'broken');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => server.close());

let daemon: MemoryDaemon | undefined;
afterEach(() => {
  daemon?.cleanup();
  daemon = undefined;
  answer = 200;
});

const HOUR = 3_600_000;
const WEB = 'builtin/web.md';
const DISK = 'builtin/disk.md';
const healthy = (ids: string[]) => ({
  verdict: {
    status: 'healthy',
    summary: 'all well.',
    escalate: false,
    checks: ids.map((id) => ({ id, status: 'healthy' })),
  },
});
const start = (env: Record<string, string> = {}) =>
  (daemon = memoryDaemon({
    env: { CLAUDEOPS_TIER1_NETWORK: '127.0.0.1', ...env },
    checks: {
      'web.md': `${checkFile('Web', 'web')}\n## Probe\n- http GET http://127.0.0.1:${port}/ expect status == 200\n`,
      'disk.md': `${checkFile('Disk', 'disk')}\n## Probe\n- run echo 42 expect value < 85\n`,
    },
  }));

describe('probes first, the model where needed', () => {
  it('asks the model once to review, then judges by the probes alone until the review is due', async () => {
    const d = start();
    const first = await d.cycle({ 1: [healthy([WEB, DISK])] });
    assert.equal(first.status, 'healthy', first.summary);
    assert.equal(d.agent.runsOf(1).length, 1);
    assert.match(d.agent.runsOf(1)[0]!.prompt, /probe: healthy .*its first review by the model/);

    const second = await d.cycle();
    assert.equal(d.agent.runsOf(1).length, 1, 'no model run while the probes pass');
    assert.deepEqual(second.tiers, []);
    assert.equal(second.status, 'healthy');
    assert.equal(second.costUsd, 0);
    assert.match(second.summary, /all 2 check\(s\) healthy by their probes; no model was asked/);
    assert.deepEqual(
      second.checks.map((c) => [c.id, c.status, c.by]),
      [
        [DISK, 'healthy', 'probe'],
        [WEB, 'healthy', 'probe'],
      ],
    );
    assert.match(second.checks.find((c) => c.id === WEB)!.detail!, /GET http:\/\/127\.0\.0\.1:\d+\/ → 200/);

    d.advance(24 * HOUR);
    await d.cycle({ 1: [healthy([WEB, DISK])] });
    assert.equal(d.agent.runsOf(1).length, 2, 'the daily review runs the model over every check');
    assert.deepEqual(handed(d.agent.runsOf(1)[1]!).sort(), [DISK, WEB]);
  });

  it('hands a failing probe to tier 1 with its evidence, and only that check', async () => {
    const d = start();
    await d.cycle({ 1: [healthy([WEB, DISK])] });
    answer = 500;
    const cycle = await d.cycle({
      1: [
        {
          verdict: {
            status: 'unhealthy',
            summary: 'web answers 500.',
            escalate: false,
            checks: [{ id: WEB, status: 'unhealthy', detail: 'the app returns 500' }],
          },
        },
      ],
    });
    const run = d.agent.runsOf(1)[1]!;
    assert.deepEqual(handed(run), [WEB]);
    assert.match(
      run.prompt,
      /probe: unhealthy · GET http:\/\/127\.0\.0\.1:\d+\/ → 500.*\(the probe found it unhealthy\)/,
    );
    assert.equal(cycle.status, 'unhealthy');
    assert.deepEqual(
      cycle.checks.map((c) => [c.id, c.status, c.by ?? 'model']),
      [
        [DISK, 'healthy', 'probe'],
        [WEB, 'unhealthy', 'model'],
      ],
    );
    assert.match(cycle.summary, /web answers 500\. \(1 more judged by their probes\)/);

    answer = 200;
    await d.cycle({ 1: [healthy([WEB])] });
    assert.deepEqual(handed(d.agent.runsOf(1)[2]!), [WEB], 'a recovery is confirmed by the model');
    assert.match(d.agent.runsOf(1)[2]!.prompt, /the probe passes, but it was unhealthy/);
  });

  it('keeps asking the model every cycle with CLAUDEOPS_MODEL_REVIEW=always', async () => {
    const d = start({ CLAUDEOPS_MODEL_REVIEW: 'always' });
    await d.cycle({ 1: [healthy([WEB, DISK])] });
    await d.cycle({ 1: [healthy([WEB, DISK])] });
    assert.equal(d.agent.runsOf(1).length, 2);
  });
});
