import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import pino from 'pino';
import { startHttp } from '../http/server.js';
import { Metrics } from '../metrics/metrics.js';
import { Scheduler } from './scheduler.js';

const logger = pino({ level: 'silent' });

describe('scheduler health', () => {
  it('is healthy after a cycle starts, and 503 over HTTP once the scheduler looks stuck', async () => {
    let release!: () => void;
    let now = 1_000;
    const scheduler = new Scheduler({
      schedule: { kind: 'interval', seconds: 60 },
      logger,
      failureBackoff: 0,
      cycle: () => new Promise<boolean>((resolve) => (release = () => resolve(true))),
      monotonic: () => now,
    });
    scheduler.start();
    const server = await startHttp({
      host: '127.0.0.1',
      port: 0,
      metrics: new Metrics(),
      logger,
      health: { health: () => scheduler.health(30_000) },
    });
    const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/healthz`;
    try {
      const ok = await fetch(url);
      assert.equal(ok.status, 200);
      assert.match(((await ok.json()) as { reason: string }).reason, /a cycle is running/);
      now += 2 * 60_000 + 30_000 + 10_000; // two periods plus the run timeout have passed: stuck
      const stuck = await fetch(url);
      assert.equal(stuck.status, 503);
      const body = (await stuck.json()) as { status: string; reason: string };
      assert.equal(body.status, 'unhealthy');
      assert.match(body.reason, /the scheduler looks stuck/);
    } finally {
      release();
      await scheduler.stop();
      server.close();
    }
  });

  it('skips a tick while a cycle is running', async () => {
    let cycles = 0;
    const skips: string[] = [];
    let release!: () => void;
    const scheduler = new Scheduler({
      schedule: { kind: 'interval', seconds: 0.05 },
      logger,
      failureBackoff: 0,
      onSkip: (r) => skips.push(r),
      cycle: () => {
        cycles++;
        return new Promise<boolean>((resolve) => (release = () => resolve(true)));
      },
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(cycles, 1);
    assert.ok(skips.length >= 2 && skips.every((s) => s === 'overlap'));
    release();
    await scheduler.stop();
  });

  it('backs off after repeated failures but keeps ticking', async () => {
    let cycles = 0;
    const skips: string[] = [];
    const scheduler = new Scheduler({
      schedule: { kind: 'interval', seconds: 0.05 },
      logger,
      failureBackoff: 2,
      onSkip: (r) => skips.push(r),
      cycle: async () => {
        cycles++;
        return false;
      },
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 600));
    await scheduler.stop();
    assert.ok(cycles >= 2, `cycles ${cycles}`);
    assert.ok(skips.includes('backoff'), `skips ${skips}`);
    assert.ok(cycles < 12, `backoff slowed the failing cycles: ${cycles}`);
  });

  it('runs on a cron expression (UTC)', async () => {
    let cycles = 0;
    const scheduler = new Scheduler({
      schedule: { kind: 'cron', expression: '* * * * * *' },
      logger,
      failureBackoff: 0,
      cycle: async () => (cycles++, true),
    });
    scheduler.start();
    await new Promise((r) => setTimeout(r, 2_300));
    await scheduler.stop();
    assert.ok(cycles >= 3, `a cycle at start and one per second: ${cycles}`);
  });

  it('keeps intervals on a monotonic clock: the wall clock set forward or back neither bursts nor stalls the loop', async () => {
    // Timers run on their own clock, as libuv's do; the wall clock is moved by hand.
    mock.timers.enable({ apis: ['setTimeout'] });
    const realNow = Date.now;
    let wallOffset = 0;
    Date.now = () => realNow() + wallOffset;
    let mono = 0;
    let cycles = 0;
    const scheduler = new Scheduler({
      schedule: { kind: 'interval', seconds: 60 },
      logger,
      failureBackoff: 0,
      cycle: async () => (cycles++, true),
      monotonic: () => mono,
    });
    const settle = async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    };
    const advance = async (ms: number) => {
      mono += ms;
      mock.timers.tick(ms);
      await settle();
    };
    try {
      scheduler.start();
      await settle();
      assert.equal(cycles, 1);
      await advance(60_000);
      assert.equal(cycles, 2);
      wallOffset += 3_600_000; // the wall clock jumps an hour forward
      await advance(1_000);
      assert.equal(cycles, 2, 'no burst after a jump forward');
      await advance(59_000);
      assert.equal(cycles, 3);
      wallOffset -= 7_200_000; // and two hours back
      await advance(60_000);
      assert.equal(cycles, 4, 'no stall after a jump back');
      assert.equal(scheduler.health(30_000).ok, true);
      // A stalled process (five periods without a timer) skips the missed slots instead of catching up.
      mono += 5 * 60_000;
      await advance(60_000);
      assert.equal(cycles, 5);
      await advance(30_000);
      assert.equal(cycles, 5);
    } finally {
      await scheduler.stop();
      mock.timers.reset();
      Date.now = realNow;
    }
  });
});

describe('scheduler alerts', () => {
  const alert = (fingerprint: string) =>
    ({
      source: 'generic',
      sender: 'generic:test',
      name: fingerprint,
      status: 'firing',
      labels: {},
      annotations: {},
      fingerprint,
    }) as const;

  it('starts an alert cycle at once, queues alerts behind it into one cycle, and withdraws a resolved one', async () => {
    const starts: { trigger: string; alerts: string[] }[] = [];
    const releases: (() => void)[] = [];
    const scheduler = new Scheduler({
      schedule: { kind: 'interval', seconds: 3600 },
      logger,
      failureBackoff: 0,
      cycle: (trigger, alerts) => {
        starts.push({ trigger, alerts: alerts.map((a) => a.fingerprint) });
        return new Promise<boolean>((resolve) => releases.push(() => resolve(true)));
      },
    });
    scheduler.start();
    try {
      assert.deepEqual(starts, [{ trigger: 'schedule', alerts: [] }]);
      assert.equal(scheduler.alert([alert('a')]), 'queued');
      assert.equal(scheduler.alert([alert('b'), alert('c')]), 'queued');
      const key = (f: string) => `generic:test\u0000${f}`;
      assert.deepEqual([...scheduler.inFlight()].sort(), ['a', 'b', 'c'].map(key));
      scheduler.withdraw(new Set([key('b')]));
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(starts[1], { trigger: 'alert', alerts: ['a', 'c'] });
      assert.deepEqual([...scheduler.inFlight()].sort(), ['a', 'c'].map(key), "the running cycle's alerts");
      // An operator's run now and an alert while that runs: one cycle, the operator's, with the alert.
      assert.equal(scheduler.trigger(), 'queued');
      assert.equal(scheduler.alert([alert('d')]), 'queued');
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(starts[2], { trigger: 'operator', alerts: ['d'] });
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
      assert.equal(starts.length, 3, 'nothing else was queued');
      assert.equal(scheduler.alert([alert('e')]), 'started');
      assert.deepEqual(starts[3], { trigger: 'alert', alerts: ['e'] });
      releases.shift()!();
    } finally {
      await scheduler.stop();
    }
    assert.equal(scheduler.alert([alert('f')]), 'stopping');
  });
});
