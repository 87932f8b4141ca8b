import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { AgentRun } from '../provider/provider.js';
import { handed, type Reply, type Scripted } from '../provider/scripted.fixture.js';
import { checkFile, memoryDaemon, type MemoryDaemon } from './memory-daemon.fixture.js';

// Tier 1 in shards, as whole cycles in memory: the checks over CLAUDEOPS_TIER1_SHARD_SIZE
// split into several tier-1 runs whose verdicts merge into one tier 1. The same logic as
// test/e2e/shards.test.ts, without the CLI.

const REPOS = { alpha: ['a1', 'a2', 'a3', 'a4'], beta: ['b1', 'b2', 'b3', 'b4'], gamma: ['g1', 'g2', 'g3'] };
const ALL = Object.entries(REPOS).flatMap(([repo, names]) => names.map((n) => `${repo}/${n}.md`));
/** Eleven checks of four per shard: alpha's four, beta's first three, then beta's last and gamma's. */
const SHARDS = [
  ['alpha/a1.md', 'alpha/a2.md', 'alpha/a3.md', 'alpha/a4.md'],
  ['beta/b1.md', 'beta/b2.md', 'beta/b3.md'],
  ['beta/b4.md', 'gamma/g1.md', 'gamma/g2.md', 'gamma/g3.md'],
];
const repos = Object.fromEntries(
  Object.entries(REPOS).map(([repo, names]) => [
    repo,
    Object.fromEntries(names.map((n) => [`.claude-ops/checks/${n}.md`, checkFile(n, n)])),
  ]),
);

/** A tier-1 session that judges the checks it was handed: beta's unhealthy, the rest healthy. */
const judge = (run: AgentRun): Reply => {
  const ids = handed(run);
  const bad = ids.filter((id) => id.startsWith('beta/'));
  return {
    costUsd: 0.01,
    verdict: {
      status: bad.length ? 'unhealthy' : 'healthy',
      summary: bad.length ? `beta is down (${bad.length} checks).` : `${ids.length} checks fine.`,
      escalate: bad.length > 0,
      checks: ids.map((id) => ({ id, status: bad.includes(id) ? 'unhealthy' : 'healthy', detail: 'seen' })),
      ...(bad.length ? { findings: `beta findings: ${bad.join(', ')} refuse connections` } : {}),
    },
  };
};
const fixedBeta = {
  costUsd: 0.1,
  verdict: {
    status: 'healthy',
    summary: 'Restarted beta.',
    escalate: false,
    checks: REPOS.beta.map((n) => ({ id: `beta/${n}.md`, status: 'healthy' })),
  },
};
const failsWith = (exitClass: 'timeout' | 'server', error: string): Reply => ({ fail: { exitClass, error } });

/** One reply per shard, by the shard a session was handed (shards start in no set order when several run at once). */
const perShard =
  (...replies: ((run: AgentRun) => Reply)[]): Scripted =>
  (run) =>
    replies[SHARDS.findIndex((s) => s[0] === handed(run)[0])]!(run);

/** The stop signal each of the daemon's sessions was handed: resolves when that session is told to stop. */
function stopsOf(d: MemoryDaemon): (run: AgentRun) => Promise<void> {
  const signals = new Map<AgentRun, AbortSignal>();
  const lookup = d.ctx.providers;
  d.ctx.providers = (config, tier) => {
    const found = lookup(config, tier);
    const run = (agentRun: AgentRun, signal: AbortSignal) => {
      signals.set(agentRun, signal);
      return found.provider.run(agentRun, signal);
    };
    return { ...found, provider: { ...found.provider, run } };
  };
  return (run) =>
    new Promise((resolve) => {
      const signal = signals.get(run)!;
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
}

const OPERATOR = 'an operator stopped the cycle from the console';

const daemons: MemoryDaemon[] = [];
const start = (env: Record<string, string> = {}) => {
  const d = memoryDaemon({
    checks: {},
    repos,
    env: { CLAUDEOPS_TIER1_SHARD_SIZE: '4', CLAUDEOPS_TIER1_PARALLEL: '3', CLAUDEOPS_MAX_TIER: '2', ...env },
  });
  daemons.push(d);
  return d;
};
afterEach(() => {
  for (const d of daemons.splice(0)) d.cleanup();
});

describe('tier 1 in shards, in memory', { timeout: 20_000 }, () => {
  it('hands each session its shard, judges every check once, and escalates once with the unhealthy shards’ findings', async () => {
    const d = start();
    const cycle = await d.cycle({ 1: [judge, judge, judge], 2: [fixedBeta] });

    const sessions = d.agent.runsOf(1).map(handed);
    assert.deepEqual([...sessions].sort(), [...SHARDS].sort(), 'each session was handed one shard');
    assert.deepEqual(sessions.flat().sort(), [...ALL].sort());

    const [t1, t2] = cycle.tiers;
    assert.equal(cycle.tiers.length, 2);
    assert.equal(t1!.tier, 1);
    assert.deepEqual(
      t1!.shards?.map((s) => [s.index, s.checks, s.exitClass]),
      SHARDS.map((checks, i) => [i + 1, checks, 'ok']),
    );
    assert.equal(t1!.verdict?.checks?.length, 11, 'one tier-1 result per check');
    assert.deepEqual(
      t1!.verdict.checks.filter((c) => c.status === 'unhealthy').map((c) => c.id),
      ['beta/b1.md', 'beta/b2.md', 'beta/b3.md', 'beta/b4.md'],
    );
    assert.equal(t1!.verdict.escalate, true);
    assert.equal(t1!.costUsd, 0.03);

    assert.deepEqual(cycle.escalations, [{ from: 1, to: 2 }]);
    assert.equal(d.agent.runsOf(2).length, 1, 'one escalation, however many shards asked for it');
    const handoff = d.agent.runsOf(2)[0]!.instructions;
    assert.match(
      handoff,
      /shard 2 \(beta\/b1\.md, beta\/b2\.md, beta\/b3\.md\): beta findings: beta\/b1\.md, beta\/b2\.md, beta\/b3\.md refuse connections/,
    );
    assert.match(handoff, /shard 3 \([^)]*\): beta findings: beta\/b4\.md refuse connections/);
    assert.ok(!handoff.includes('checks fine'), 'a healthy shard is not in the handoff');
    assert.equal(t2!.verdict?.status, 'healthy');
    assert.equal(cycle.status, 'healthy', 'tier 2 fixed beta');
    assert.equal(cycle.checks.length, 11);

    // One tier_run receipt for tier 1, naming each shard's log; an index log beside them.
    const tierRuns = d.receipts().filter((r) => r.kind === 'tier_run');
    assert.deepEqual(
      tierRuns.map((r) => r.tier),
      [1, 2],
    );
    const shardReceipts = tierRuns[0]!.shards as { log: string; exit_class: string }[];
    assert.deepEqual(
      shardReceipts.map((s) => [s.log, s.exit_class]),
      t1!.shards.map((s) => [s.logFile, 'ok']),
    );
    assert.equal(new Set(shardReceipts.map((s) => s.log)).size, 3, 'each shard has its own log');
    const index = (await d.store.runFile(cycle.id, 1, 'log'))!;
    assert.match(index, /3 shards, 3 at once/);
    assert.equal(index.match(/^shard \d: ok (HEALTHY|UNHEALTHY) /gm)?.length, 3);
  });

  it('a failing shard makes only its own checks unknown, with why; the other shards’ verdicts stand', async () => {
    const d = start({ CLAUDEOPS_MAX_TIER: '1' });
    const gammaTimesOut = (run: AgentRun) =>
      handed(run).some((id) => id.startsWith('gamma/')) ? failsWith('timeout', 'timed out after 20 s') : judge(run);
    const cycle = await d.cycle({ 1: [gammaTimesOut, gammaTimesOut, gammaTimesOut] });

    const t1 = cycle.tiers[0]!;
    assert.deepEqual(
      t1.shards?.map((s) => s.exitClass),
      ['ok', 'ok', 'timeout'],
    );
    assert.equal(t1.exitClass, 'ok', 'tier 1 reached a verdict');
    assert.match(t1.error ?? '', /^shard 3: timed out after 20 s$/);
    const unknown = cycle.checks.filter((c) => c.status === 'unknown');
    assert.deepEqual(
      unknown.map((c) => c.id),
      SHARDS[2],
    );
    for (const c of unknown) assert.match(c.detail ?? '', /^not judged: tier-1 shard 3 of 3 ended timeout \(timed out/);
    assert.deepEqual(
      cycle.checks.filter((c) => c.status === 'unhealthy').map((c) => c.id),
      SHARDS[1],
    );
    assert.equal(cycle.checks.filter((c) => c.status === 'healthy').length, 4);
    assert.equal(cycle.status, 'unhealthy', 'beta is still down');
    assert.equal(d.agent.runsOf(2).length, 0);
  });

  it('when every shard fails, tier 1 failed: the cycle fails and nothing escalates', async () => {
    const d = start();
    const cycle = await d.cycle({
      1: [
        failsWith('server', 'API Error: 500'),
        failsWith('server', 'API Error: 500'),
        failsWith('server', 'API Error: 500'),
      ],
      2: [fixedBeta],
    });
    const t1 = cycle.tiers[0]!;
    assert.equal(t1.verdict, undefined);
    assert.equal(t1.exitClass, 'server');
    assert.equal(t1.shards?.length, 3);
    assert.equal(cycle.status, 'failed');
    assert.deepEqual(cycle.escalations, []);
    assert.equal(cycle.tiers.length, 1);
    assert.deepEqual(d.agent.left(), { 1: 0, 2: 1, 3: 0 }, 'tier 2 never ran');
  });

  it('runs at most CLAUDEOPS_TIER1_PARALLEL sessions at once', async () => {
    const two = start({ CLAUDEOPS_TIER1_PARALLEL: '2' });
    // The first two sessions each wait until both are under way: they do run at once.
    const together = (run: AgentRun): Reply => ({
      ...judge(run),
      ...(two.agent.runsOf(1).length <= 2 ? { during: () => two.agent.whenRunning(2) } : {}),
    });
    const cycle = await two.cycle({ 1: [together, together, together], 2: [fixedBeta] });
    assert.equal(cycle.tiers[0]!.shards?.length, 3);
    assert.equal(two.agent.mostAtOnce, 2);

    const one = start({ CLAUDEOPS_TIER1_PARALLEL: '1' });
    await one.cycle({ 1: [judge, judge, judge], 2: [fixedBeta] });
    assert.equal(one.agent.runsOf(1).length, 3);
    assert.equal(one.agent.mostAtOnce, 1, 'one after another');
  });

  it('at or under the shard size, one session is handed every check', async () => {
    const d = start({ CLAUDEOPS_TIER1_SHARD_SIZE: '11' });
    const cycle = await d.cycle({ 1: [judge], 2: [fixedBeta] });
    assert.equal(d.agent.runsOf(1).length, 1);
    assert.deepEqual(handed(d.agent.runsOf(1)[0]!).sort(), [...ALL].sort());
    assert.equal(cycle.tiers[0]!.shards, undefined);
    assert.equal(cycle.status, 'healthy');
  });
});

describe('a stop during tier 1 in shards, in memory', { timeout: 20_000 }, () => {
  it('after one shard has finished: the cycle ends interrupted and judges nothing, not even the finished shard’s checks', async () => {
    const d = start({ CLAUDEOPS_TIER1_PARALLEL: '1' });
    await d.daemonCycle({ 1: [judge, judge, judge], 2: [fixedBeta] });
    const checksBefore = (await d.store.loadCheckState()).state;

    const stopsTheCycle = (run: AgentRun): Reply => ({ ...judge(run), during: () => assert.equal(d.stop(), true) });
    const script = perShard(judge, stopsTheCycle, judge);
    const { record } = await d.daemonCycle({ 1: [script, script, script], 2: [fixedBeta] });

    const t1 = record.tiers[0]!;
    assert.deepEqual(
      t1.shards?.map((s) => s.exitClass),
      ['ok', 'interrupted', 'interrupted'],
    );
    assert.equal(t1.exitClass, 'interrupted', 'a tier 1 with a stopped shard was stopped');
    assert.equal(t1.verdict, undefined);
    assert.equal(record.status, 'interrupted');
    assert.equal(record.summary, `interrupted in tier 1: ${OPERATOR}`);
    assert.deepEqual(record.checkChanges, []);
    assert.deepEqual((await d.store.loadCheckState()).state, checksBefore, 'a stopped cycle judged nothing');
    assert.equal(record.costUsd, 0.01, 'the finished shard’s spend is counted');
    assert.deepEqual(d.agent.left(), { 1: 0, 2: 1, 3: 0 }, 'tier 2 never ran');
  });

  it('of the daemon, while shards run at once: the cycle ends interrupted', async () => {
    const d = start({ CLAUDEOPS_TIER1_PARALLEL: '2' });
    await d.daemonCycle({ 1: [judge, judge, judge], 2: [fixedBeta] });
    const checksBefore = (await d.store.loadCheckState()).state;

    // Shard 1 ends first; shard 3 starts in its place and stops the daemon while shard 2 still runs.
    let third!: () => void;
    const thirdStopped = new Promise<void>((resolve) => (third = resolve));
    const waits = (run: AgentRun): Reply => ({ ...judge(run), during: () => thirdStopped });
    const stopsTheDaemon = (run: AgentRun): Reply => ({
      ...judge(run),
      during: () => {
        d.stopDaemon();
        third();
      },
    });
    const script = perShard(judge, waits, stopsTheDaemon);
    const { record } = await d.daemonCycle({ 1: [script, script, script], 2: [fixedBeta] });

    assert.deepEqual(
      record.tiers[0]!.shards?.map((s) => s.exitClass),
      ['ok', 'interrupted', 'interrupted'],
    );
    assert.equal(record.status, 'interrupted');
    assert.equal(record.escalationStopped, 'the daemon is shutting down');
    assert.deepEqual((await d.store.loadCheckState()).state, checksBefore);
  });
});

describe('a shard that throws, in memory', { timeout: 20_000 }, () => {
  it('stops the shards still running and waits for them before the cycle is recorded failed, their spend counted', async () => {
    const d = start({ CLAUDEOPS_TIER1_PARALLEL: '2' });
    const stopped = stopsOf(d);
    // Shard 1 ends first; shard 3 starts in its place and throws while shard 2 runs, until it is stopped.
    const finishes = (run: AgentRun): Reply => ({ ...judge(run), costUsd: 0.25 });
    const runsUntilStopped = (run: AgentRun): Reply => ({
      during: () => stopped(run),
      events: [{ kind: 'final', result: { costUsd: 0.5, turns: 4, usage: {}, denials: [] } }],
    });
    const throws = (): Reply => ({ fault: new Error('a bug in the tier run') });
    const script = perShard(finishes, runsUntilStopped, throws);
    const cycle = await d.cycle({ 1: [script, script, script], 2: [fixedBeta] });

    assert.equal(d.agent.running, 0, 'no session outlives its cycle');
    assert.equal(cycle.status, 'failed');
    assert.equal(cycle.summary, 'the cycle failed inside the daemon: a bug in the tier run');
    const t1 = cycle.tiers[0]!;
    assert.equal(cycle.tiers.length, 1);
    assert.deepEqual(
      t1.shards?.map((s) => [s.index, s.exitClass, s.costUsd]),
      [
        [1, 'ok', 0.25],
        [2, 'interrupted', 0.5],
      ],
    );
    assert.equal(t1.verdict, undefined);
    assert.match(t1.error ?? '', /shard 3: failed inside the daemon: a bug in the tier run/);
    assert.equal(cycle.costUsd, 0.75, 'what the shards cost is counted');
    assert.equal((await d.store.loadSpend(d.now())).usd, 0.75);
    assert.equal((await d.store.cycle(cycle.id))?.status, 'failed');
    assert.deepEqual(d.agent.left(), { 1: 0, 2: 1, 3: 0 });
  });
});
