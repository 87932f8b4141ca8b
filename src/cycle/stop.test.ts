import assert from 'node:assert/strict';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { startHttp } from '../http/server.js';
import { memoryDaemon, type MemoryDaemon } from './memory-daemon.fixture.js';

// An operator stops the running cycle from the console, in memory: the console's own
// route (on a port the OS picks) pulls the cycle's stop as the daemon wires it, while a
// scripted tier runs. The same logic as the stop in test/e2e/console.test.ts.

const ID = 'builtin/web.md';
const TOKEN = 'console-token-0123456789abcdef';
const OPERATOR = 'an operator stopped the cycle from the console';
const down = (escalate: boolean) => ({
  verdict: {
    status: 'unhealthy',
    summary: 'web does not answer.',
    escalate,
    checks: [{ id: ID, status: 'unhealthy', service: 'web' }],
    findings: 'the web container exited (137)',
  },
});
const up = () => ({
  verdict: { status: 'healthy', summary: 'web answers.', escalate: false, checks: [{ id: ID, status: 'healthy' }] },
});
const restarted = () => ({
  verdict: {
    ...up().verdict,
    remediations: [{ service: 'web', action: 'restart', outcome: 'succeeded', detail: 'docker restart web' }],
  },
});

let daemon: MemoryDaemon | undefined;
let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  daemon?.cleanup();
  daemon = undefined;
});

/** A daemon that tells of every unhealthy check at once, after a first cycle that found web healthy. */
async function healthyFirst(env: Record<string, string> = {}) {
  const d = (daemon = memoryDaemon({
    env: { CLAUDEOPS_APPRISE_URLS: 'json://localhost/', CLAUDEOPS_CONSOLE_TOKEN: TOKEN, ...env },
  }));
  const first = await d.daemonCycle({ 1: [up()] });
  assert.equal(first.record.status, 'healthy');
  const checksBefore = (await d.store.loadCheckState()).state;
  return { d, checksBefore };
}

/** The console on loopback, its stop wired to the daemon's cycle as the daemon wires it. */
async function consoleOf(d: MemoryDaemon): Promise<(path: string) => Promise<{ status: number; body: unknown }>> {
  server = await startHttp({
    host: '127.0.0.1',
    port: 0,
    health: { health: () => ({ ok: true, reason: 'test' }) },
    metrics: d.ctx.metrics,
    logger: d.ctx.logger,
    console: {
      config: d.config,
      store: d.store,
      live: d.ctx.live!,
      approvals: d.ctx.approvals,
      control: {
        runNow: () => 'started',
        stop: () => d.stop(),
        nextCycleAt: () => undefined,
        approved: () => undefined,
        alerts: () => ({ outcome: 'nothing to start', alerts: [] }),
      },
    },
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return async (path) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: AbortSignal.timeout(5_000),
    });
    return { status: res.status, body: await res.json() };
  };
}

describe('a stop from the console', { timeout: 20_000 }, () => {
  it('while tier 1 runs: the cycle ends interrupted and recorded, judges nothing, tells nothing, and runs no further tier', async () => {
    const { d, checksBefore } = await healthyFirst();
    const post = await consoleOf(d);
    assert.deepEqual(await post('/actions/stop'), { status: 409, body: { stopped: false } }, 'no cycle runs');
    const sentBefore = d.sent.length;

    let answer: unknown;
    const { record } = await d.daemonCycle({
      1: [{ ...down(true), during: async () => (answer = await post('/actions/stop')) }],
      2: [restarted()],
    });
    assert.deepEqual(answer, { status: 202, body: { stopped: true } });
    assert.equal(record.status, 'interrupted');
    assert.equal(record.summary, `interrupted in tier 1: ${OPERATOR}`);
    assert.equal(record.escalationStopped, OPERATOR);
    assert.deepEqual(
      record.tiers.map((t) => [t.tier, t.exitClass]),
      [[1, 'interrupted']],
    );
    assert.deepEqual(record.escalations, []);
    assert.deepEqual(d.agent.left(), { 1: 0, 2: 1, 3: 0 }, 'tier 2 never ran');

    assert.equal((await d.store.cycle(record.id))?.status, 'interrupted');
    assert.deepEqual(
      d
        .receipts()
        .filter((r) => r.kind === 'tier_run' && r.cycle === record.id)
        .map((r) => [r.tier, r.exit_class]),
      [[1, 'interrupted']],
    );
    assert.deepEqual((await d.store.loadCheckState()).state, checksBefore, 'a stopped cycle judged nothing');
    assert.deepEqual(record.checkChanges, []);
    assert.equal(d.sent.length, sentBefore, 'nothing was told');
    assert.deepEqual((await d.store.loadCooldown()).state.services.web?.actions ?? [], []);

    // The daemon goes on: the next cycle runs whole, and there is nothing to stop after it.
    const next = await d.daemonCycle({ 1: [down(true)], 2: [restarted()] });
    assert.equal(next.record.status, 'healthy');
    assert.equal(next.record.tiers.length, 2);
    assert.deepEqual(await post('/actions/stop'), { status: 409, body: { stopped: false } });
  });

  it('while tier 2 runs: tier 3 never runs, and what tier 1 found is neither kept nor told', async () => {
    const { d, checksBefore } = await healthyFirst({ CLAUDEOPS_APPROVAL: 'none' });
    const sentBefore = d.sent.length;
    const { record } = await d.daemonCycle({
      1: [down(true)],
      2: [{ ...down(true), during: () => assert.equal(d.stop(), true) }],
      3: [restarted()],
    });
    assert.equal(record.status, 'interrupted');
    assert.equal(record.summary, `interrupted in tier 2: ${OPERATOR}`);
    assert.deepEqual(
      record.tiers.map((t) => [t.tier, t.exitClass]),
      [
        [1, 'ok'],
        [2, 'interrupted'],
      ],
    );
    assert.deepEqual(record.escalations, [{ from: 1, to: 2 }]);
    assert.deepEqual(d.agent.left(), { 1: 0, 2: 0, 3: 1 }, 'tier 3 never ran');
    assert.deepEqual((await d.store.loadCheckState()).state, checksBefore);
    assert.equal(d.sent.length, sentBefore);
    assert.deepEqual((await d.store.loadCooldown()).state.services.web?.actions ?? [], []);
  });

  it('as a tier finishes with a verdict that asks to escalate: its verdict stands, and no tier runs after it', async () => {
    const { d } = await healthyFirst();
    const { record } = await d.daemonCycle({
      1: [{ ...down(true), unstoppable: true, during: () => assert.equal(d.stop(), true) }],
      2: [restarted()],
    });
    assert.equal(record.tiers[0]?.exitClass, 'ok');
    assert.equal(record.tiers[0]?.verdict?.escalate, true);
    assert.equal(record.tiers.length, 1);
    assert.deepEqual(record.escalations, []);
    assert.equal(record.escalationStopped, OPERATOR);
    assert.equal(record.status, 'unhealthy', 'tier 1 judged the checks');
    assert.deepEqual(d.agent.left(), { 1: 0, 2: 1, 3: 0 });
  });
});

describe('a stop of the daemon', { timeout: 20_000 }, () => {
  it('while tier 1 runs: the cycle ends interrupted, says the daemon is shutting down, and runs no further tier', async () => {
    const { d } = await healthyFirst();
    const { record } = await d.daemonCycle({ 1: [{ ...down(true), during: () => d.stopDaemon() }], 2: [restarted()] });
    assert.equal(record.status, 'interrupted');
    assert.equal(record.escalationStopped, 'the daemon is shutting down');
    assert.deepEqual(d.agent.left(), { 1: 0, 2: 1, 3: 0 });
  });
});
