import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { checkFile, memoryDaemon, type MemoryDaemon } from './memory-daemon.fixture.js';

// Whole cycles in memory: the real stages with a scripted provider, a MemoryStore and a
// clock the test moves. No CLI, no cage, no waiting.

const ID = 'builtin/web.md';
const down = (escalate: boolean, extra: Record<string, unknown> = {}) => ({
  verdict: {
    status: 'unhealthy',
    summary: 'web does not answer.',
    escalate,
    checks: [{ id: ID, status: 'unhealthy', service: 'web', detail: 'connection refused' }],
    findings: 'the web container exited (137)',
    ...extra,
  },
});
const up = (extra: Record<string, unknown> = {}) => ({
  verdict: {
    status: 'healthy',
    summary: 'web answers.',
    escalate: false,
    checks: [{ id: ID, status: 'healthy', service: 'web' }],
    ...extra,
  },
});
const restarted = (outcome = 'succeeded') =>
  up({ remediations: [{ service: 'web', action: 'restart', outcome, detail: 'docker restart web' }] });
const restartProposal = {
  service: 'web',
  action: 'restart',
  commands: ['docker restart web'],
  why: 'it exited',
  expected: 'web answers',
  rollback: 'none needed',
};

let daemon: MemoryDaemon | undefined;
const start = (options: Parameters<typeof memoryDaemon>[0] = {}) => (daemon = memoryDaemon(options));
afterEach(() => {
  daemon?.cleanup();
  daemon = undefined;
});

describe('escalation', () => {
  it('goes from tier 1 to 2 to 3, each tier handed the findings below it', async () => {
    const d = start({ env: { CLAUDEOPS_APPROVAL: 'none' } });
    const cycle = await d.cycle({
      1: [down(true)],
      2: [down(true, { summary: 'restart did not help' })],
      3: [up({ remediations: [{ service: 'web', action: 'redeploy', outcome: 'succeeded' }] })],
    });
    assert.equal(cycle.status, 'healthy', cycle.summary);
    assert.deepEqual(
      cycle.tiers.map((t) => t.tier),
      [1, 2, 3],
    );
    assert.deepEqual(cycle.escalations, [
      { from: 1, to: 2 },
      { from: 2, to: 3 },
    ]);
    assert.equal(cycle.escalationStopped, 'tier 3 did not ask to escalate');
    const [t1, t2, t3] = [1, 2, 3].map((t) => d.agent.runsOf(t as 1 | 2 | 3)[0]!);
    assert.ok(t1!.policy.readOnly && !t2!.policy.readOnly && !t3!.policy.readOnly);
    assert.ok(!t1!.instructions.includes('## Escalation context'));
    assert.match(t2!.instructions, /## Escalation context[\s\S]*the web container exited \(137\)/);
    assert.match(t3!.instructions, /restart did not help/);
    const cooldown = (await d.store.loadCooldown()).state;
    assert.deepEqual(
      cooldown.services.web?.actions.map((a) => a.action),
      ['redeploy'],
    );
    assert.deepEqual(d.agent.left(), { 1: 0, 2: 0, 3: 0 });
  });

  it('stops at CLAUDEOPS_MAX_TIER, and at a verdict that does not ask for more', async () => {
    const d = start({ env: { CLAUDEOPS_MAX_TIER: '2' } });
    const capped = await d.cycle({ 1: [down(true)], 2: [down(true)] });
    assert.deepEqual(capped.escalations, [{ from: 1, to: 2 }]);
    assert.equal(capped.escalationStopped, 'CLAUDEOPS_MAX_TIER is 2');
    assert.equal(capped.status, 'unhealthy');
    const calm = await d.cycle({ 1: [down(false)] });
    assert.equal(calm.tiers.length, 1);
    assert.equal(calm.escalationStopped, 'tier 1 did not ask to escalate');
  });
});

describe('cooldown', () => {
  it('withholds a service at its restart limit from tier 2, across cycles, until the window has passed', async () => {
    const d = start({
      env: {
        CLAUDEOPS_COOLDOWN_MAX_RESTARTS: '2',
        CLAUDEOPS_COOLDOWN_MAX_REDEPLOYS: '0',
        CLAUDEOPS_COOLDOWN_RESTART_WINDOW: '3600',
      },
    });
    for (let i = 0; i < 2; i++) {
      const c = await d.cycle({ 1: [down(true)], 2: [restarted()] });
      assert.deepEqual(c.escalations, [{ from: 1, to: 2 }], `cycle ${i + 1}`);
      assert.deepEqual(c.cooldownWithheld, []);
    }
    const held = await d.cycle({ 1: [down(true)] });
    assert.equal(held.tiers.length, 1, 'tier 2 did not run');
    assert.deepEqual(
      held.cooldownWithheld.map((w) => w.service),
      ['web'],
    );
    assert.match(held.cooldownWithheld[0]!.why, /2 restart\(s\) in the last 1 h \(limit 2\)/);
    assert.equal(held.escalationStopped, 'every unhealthy service is at its cooldown limit: web');
    assert.equal(d.agent.runsOf(2).length, 2);

    d.advance(3_600_000);
    const again = await d.cycle({ 1: [down(true)], 2: [restarted()] });
    assert.deepEqual(again.escalations, [{ from: 1, to: 2 }], 'the restarts left the window');
  });

  it('does not count a dry-run restart', async () => {
    const d = start({ env: { CLAUDEOPS_COOLDOWN_MAX_RESTARTS: '1', CLAUDEOPS_COOLDOWN_MAX_REDEPLOYS: '0' } });
    await d.cycle({ 1: [down(true)], 2: [restarted('dry-run')] });
    const next = await d.cycle({ 1: [down(true)], 2: [restarted()] });
    assert.deepEqual(next.cooldownWithheld, []);
    assert.equal(next.tiers.length, 2);
  });
});

describe('thresholds and notifications', () => {
  it('with a failure threshold of 2, notifies after the second bad cycle, once, and tells when it is resolved', async () => {
    const d = start({ env: { CLAUDEOPS_FAILURE_THRESHOLD: '2', CLAUDEOPS_APPRISE_URLS: 'json://localhost/' } });
    const first = await d.cycle({ 1: [down(false)] });
    assert.equal(first.status, 'unhealthy');
    assert.deepEqual(first.checkChanges, []);
    assert.equal(d.sent.length, 0);
    assert.deepEqual(first.notifications, []);

    const second = await d.cycle({ 1: [down(false)] });
    assert.deepEqual(
      second.checkChanges.map((t) => [t.id, t.to]),
      [[ID, 'unhealthy']],
    );
    assert.deepEqual(
      d.sent.map((m) => m.kind),
      ['unhealthy'],
    );
    assert.deepEqual(
      second.notifications.map((n) => [n.kind, n.ok]),
      [['unhealthy', true]],
    );

    await d.cycle({ 1: [down(false)] });
    assert.equal(d.sent.length, 1, 'told once while it stays unhealthy');
    await d.cycle({ 1: [up()] });
    assert.deepEqual(
      d.sent.map((m) => m.kind),
      ['unhealthy', 'resolved'],
    );
  });

  it('reminds of a check still unhealthy after CLAUDEOPS_NOTIFY_REMIND, by the clock', async () => {
    const d = start({ env: { CLAUDEOPS_NOTIFY_REMIND: '3600', CLAUDEOPS_APPRISE_URLS: 'json://localhost/' } });
    await d.cycle({ 1: [down(false)] });
    await d.cycle({ 1: [down(false)] });
    assert.deepEqual(
      d.sent.map((m) => m.kind),
      ['unhealthy'],
    );
    d.advance(3_600_000);
    await d.cycle({ 1: [down(false)] });
    assert.deepEqual(
      d.sent.map((m) => m.kind),
      ['unhealthy', 'reminder'],
    );
  });

  it('reports the daemon’s own trouble after CLAUDEOPS_NOTIFY_FAILURES failed cycles', async () => {
    const d = start({ env: { CLAUDEOPS_NOTIFY_FAILURES: '2', CLAUDEOPS_APPRISE_URLS: 'json://localhost/' } });
    const fail = { fail: { exitClass: 'server' as const, error: 'the API answered 500' } };
    assert.equal((await d.cycle({ 1: [fail] })).status, 'failed');
    assert.equal(d.sent.length, 0);
    await d.cycle({ 1: [fail] });
    assert.deepEqual(
      d.sent.map((m) => m.kind),
      ['daemon'],
    );
  });
});

describe('approvals', () => {
  it('parks a propose-mode tier’s proposal, and does not park the same one twice', async () => {
    const d = start({ env: { CLAUDEOPS_APPROVAL: 'tier2', CLAUDEOPS_APPRISE_URLS: 'json://localhost/' } });
    const proposing = () => ({ 1: [down(true)], 2: [down(false, { proposals: [restartProposal] })] });
    const first = await d.cycle(proposing());
    assert.ok(first.tiers[1]!.containment.propose);
    assert.ok(d.agent.runsOf(2)[0]!.policy.readOnly, 'a propose-mode tier changes nothing');
    assert.equal(first.proposals?.length, 1);
    const id = String(first.proposals?.map((p) => p.id)[0]);
    assert.deepEqual(
      (await d.store.proposals()).map((p) => [p.id, p.state]),
      [[id, 'pending']],
    );
    assert.ok(d.sent.some((m) => m.kind === 'approval'));

    const sentBefore = d.sent.filter((m) => m.kind === 'approval').length;
    const second = await d.cycle(proposing());
    assert.match(d.agent.runsOf(2)[1]!.instructions, new RegExp(id), 'the tier is told what already waits');
    assert.deepEqual(second.proposals, []);
    assert.ok(second.warnings.some((w) => w.includes(`proposal ${id}`) && /not parked or notified again/.test(w)));
    assert.equal((await d.store.proposals()).length, 1);
    assert.equal(d.sent.filter((m) => m.kind === 'approval').length, sentBefore);
  });

  it('expires a pending proposal once the cycle finds its service healthy again', async () => {
    const d = start({ env: { CLAUDEOPS_APPROVAL: 'tier2' } });
    await d.cycle({ 1: [down(true)], 2: [down(false, { proposals: [restartProposal] })] });
    const healthy = await d.cycle({ 1: [up()] });
    assert.equal(healthy.proposals, undefined);
    assert.deepEqual(
      (await d.store.proposals()).map((p) => p.state),
      ['expired'],
    );
  });
});

describe('what one cycle carries to the next', () => {
  it('a cooldown that cannot be saved blocks remediation in the next cycle, until it can be saved', async () => {
    const d = start();
    const save = d.store.updateCooldown.bind(d.store);
    d.store.updateCooldown = () => Promise.reject(new Error('ENOSPC (injected)'));
    const failed = await d.cycle({ 1: [down(true)], 2: [restarted()] });
    assert.equal(failed.tiers.length, 2);
    assert.match(d.carried.stateSaveFailure ?? '', /the cooldown state could not be saved after cycle/);

    d.store.updateCooldown = save;
    const blocked = await d.cycle({ 1: [down(true)] });
    assert.equal(blocked.tiers.length, 1);
    assert.match(blocked.remediationBlocked ?? '', /no remediation tier runs until it can/);
    assert.equal(blocked.escalationStopped, 'no remediation tier runs while the state directory cannot be saved');
    assert.equal(d.carried.stateSaveFailure, undefined, 'this cycle saved it');

    const healed = await d.cycle({ 1: [down(true)], 2: [restarted()] });
    assert.equal(healed.tiers.length, 2);
  });

  it('the daily budget skips cycles until the next UTC day', async () => {
    const d = start({ env: { CLAUDEOPS_DAILY_BUDGET_USD: '1' }, start: '2031-03-04T20:00:00Z' });
    await d.cycle({ 1: [{ ...up(), costUsd: 1.5 }] });
    const skipped = await d.cycle();
    assert.equal(skipped.status, 'skipped');
    assert.deepEqual(skipped.tiers, []);
    assert.equal(d.agent.runsOf(1).length, 1);
    d.advance(5 * 3_600_000);
    const nextDay = await d.cycle({ 1: [up()] });
    assert.equal(nextDay.status, 'healthy');
  });

  it('the first cycle prunes and says when; the next within the hour does not', async () => {
    const d = start();
    await d.cycle({ 1: [up()] });
    const pruned = d.carried.lastPruneAt;
    assert.ok(pruned > 0);
    await d.cycle({ 1: [up()] });
    assert.equal(d.carried.lastPruneAt, pruned);
    d.advance(3_600_000);
    await d.cycle({ 1: [up()] });
    assert.ok(d.carried.lastPruneAt > pruned);
  });
});

describe('a cycle that throws', () => {
  it('is recorded as a failed cycle with the reason, with the tiers that ran before and their spend', async () => {
    const d = start();
    const cycle = await d.cycle({
      1: [{ ...down(true), costUsd: 0.25 }],
      2: [{ fault: new RangeError('Maximum call stack size exceeded (injected)') }],
    });
    assert.equal(cycle.status, 'failed');
    assert.match(cycle.summary, /^the cycle failed inside the daemon: Maximum call stack size exceeded \(injected\)$/);
    assert.equal(cycle.warnings.at(-1), cycle.summary);
    const stored = await d.store.cycle(cycle.id);
    assert.equal(stored?.status, 'failed');
    assert.deepEqual(
      stored?.tiers.map((t) => t.tier),
      [1],
    );
    assert.equal(stored?.costUsd, 0.25);
    assert.equal((await d.store.loadSpend(d.now())).usd, 0.25);
  });

  it('a fault in prepare records a failed cycle with no tier', async () => {
    const d = start({ checks: { 'web.md': checkFile('Web', 'web') } });
    d.store.loadCooldown = () => Promise.reject(new RangeError('the cooldown exploded (injected)'));
    const cycle = await d.cycle({ 1: [up()] });
    assert.equal(cycle.status, 'failed');
    assert.match(cycle.summary, /the cooldown exploded \(injected\)/);
    assert.deepEqual(cycle.tiers, []);
    assert.equal(d.agent.played.length, 0);
  });
});
