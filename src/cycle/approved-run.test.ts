import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { Decider } from '../desk/desk.js';
import { applyCycle } from '../cooldown/cooldown.js';
import { memoryDaemon, type MemoryDaemon } from './memory-daemon.fixture.js';

// What happens to a parked proposal, as the running daemon handles it, in memory: an
// approved one runs before the next cycle (its commands only, once), and that cycle
// verifies it; a denied, expired or since-changed one runs nothing. Each command touches
// a file, so whether it ran is seen by its effect. The same logic as test/e2e/approvals.test.ts.

const ID = 'builtin/web.md';
const verdictOf = (status: 'healthy' | 'unhealthy', escalate: boolean, extra: Record<string, unknown> = {}) => ({
  verdict: {
    status,
    summary: status === 'healthy' ? 'web answers.' : 'web does not answer.',
    escalate,
    checks: [{ id: ID, status, service: 'web' }],
    ...extra,
  },
});
const operator: Decider = { via: 'console session', from: '127.0.0.1' };

let daemon: MemoryDaemon | undefined;
afterEach(() => {
  daemon?.cleanup();
  daemon = undefined;
});

/**
 * A daemon whose tier 2 proposes (CLAUDEOPS_APPROVAL=tier2), after a first cycle that
 * parked a restart of web and a config change of web, each touching its own file in `world`.
 */
async function proposed(env: Record<string, string> = {}) {
  const d = (daemon = memoryDaemon({ env: { CLAUDEOPS_APPROVAL: 'tier2', CLAUDEOPS_MAX_TIER: '2', ...env } }));
  const world = path.join(d.root, 'world');
  fs.mkdirSync(world);
  const draft = (action: string, file: string) => ({
    service: 'web',
    action,
    commands: [`touch ${path.join(world, file)}`],
    why: 'web exited',
    expected: 'web answers',
    rollback: 'none needed',
  });
  const first = await d.cycle({
    1: [verdictOf('unhealthy', true)],
    2: [verdictOf('unhealthy', false, { proposals: [draft('restart', 'restarted'), draft('config', 'configured')] })],
  });
  assert.equal(first.proposals?.length, 2);
  const parked = await d.store.proposals();
  const restart = parked.find((p) => p.action === 'restart');
  const config = parked.find((p) => p.action === 'config');
  assert.ok(restart && config);
  const made = () => fs.readdirSync(world).sort();
  const state = async (id: string) => (await d.store.proposals()).find((p) => p.id === id);
  const kinds = (id: string) =>
    d
      .receipts()
      .filter((r) => r.proposal === id)
      .map((r) => r.kind);
  return { d, world, restart, config, made, state, kinds };
}

describe('an approved proposal', { timeout: 30_000 }, () => {
  it('runs before the next cycle, its own commands only and once; that cycle verifies it; every step is receipted', async () => {
    const { d, world, restart, config, made, state, kinds } = await proposed();
    const outcome = await d.ctx.approvals.decide('approve', restart.id, restart.hash, operator, undefined, d.now());
    assert.equal(outcome.ok, true, outcome.message);
    assert.deepEqual(made(), [], 'approving runs nothing by itself');

    const runAt = d.now().toISOString();
    const { record, executed } = await d.daemonCycle({ 1: [verdictOf('healthy', false)] });
    assert.deepEqual(
      executed.map((p) => p.id),
      [restart.id],
    );
    assert.deepEqual(made(), ['restarted'], 'the approved command ran, and nothing else');
    assert.equal(record.trigger, 'approval');
    assert.equal(record.status, 'healthy');

    const ran = await state(restart.id);
    assert.equal(ran?.state, 'executed');
    assert.deepEqual([ran?.execution?.ok, ran?.execution?.exitCodes], [true, [0]]);
    assert.deepEqual([ran?.execution?.startedAt, ran?.execution?.endedAt], [runAt, runAt], "the daemon's clock");
    assert.deepEqual({ ...ran?.verification }, { cycle: record.id, status: 'healthy' });
    assert.equal((await state(config.id))?.state, 'expired', 'web was healthy again: the other proposal is moot');
    assert.deepEqual(kinds(restart.id), [
      'approval_proposed',
      'approval_approved',
      'approval_executed',
      'approval_verified',
    ]);
    assert.deepEqual(kinds(config.id), ['approval_proposed', 'approval_expired']);
    const receipt = d.receipts().find((r) => r.kind === 'approval_executed');
    assert.deepEqual([receipt?.ok, receipt?.exit_codes, receipt?.hash], [true, [0], restart.hash]);
    assert.equal(d.receipts().find((r) => r.kind === 'approval_approved')?.by, 'console session from 127.0.0.1');

    assert.equal(ran.execution!.log, `approval-${restart.id}.log`);
    const log = (await d.store.approvalLog(restart.id)) ?? '';
    assert.ok(log.startsWith(`=== claudeops approved proposal ${restart.id} · restart of web · ${runAt} ===\n`));
    assert.deepEqual(
      [...log.matchAll(/^\S+ run {2,}(.*)$/gm)].map((m) => m[1]),
      [`touch ${path.join(world, 'restarted')}`],
    );
    assert.match(log, /--- end · ok/);
    const outcomes = d.sent.filter((m) => m.kind === 'approval_outcome');
    assert.deepEqual(
      outcomes.map((m) => [m.key, m.type, m.title]),
      [[restart.id, 'success', 'claudeops: the approved restart of web ran; web is now healthy']],
      'the operator is told how it went',
    );
    assert.match(
      outcomes[0]!.body,
      new RegExp(`^Proposal ${restart.id}, approved by console session from 127\\.0\\.0\\.1 at `),
    );
    assert.match(outcomes[0]!.body, /→ exit 0$/);
    // The restart counts in web's cooldown like a tier's.
    const cooldown = (await d.store.loadCooldown()).state;
    assert.deepEqual(
      cooldown.services.web?.actions.map((a) => [a.action, a.tier, a.outcome]),
      [['restart', 2, 'succeeded']],
    );

    fs.rmSync(path.join(world, 'restarted'));
    const next = await d.daemonCycle({ 1: [verdictOf('healthy', false)] });
    assert.deepEqual(next.executed, []);
    assert.equal(next.record.trigger, 'schedule');
    assert.deepEqual(made(), [], 'it ran once');
    assert.equal(d.receipts().filter((r) => r.kind === 'approval_executed').length, 1);
  });

  it('whose commands changed after it was approved is refused by the daemon and runs nothing', async () => {
    const { d, world, restart, made, state, kinds } = await proposed();
    assert.equal(
      (await d.ctx.approvals.decide('approve', restart.id, restart.hash, operator, undefined, d.now())).ok,
      true,
    );
    const { state: approvals } = await d.store.loadApprovals();
    approvals.proposals[restart.id]!.commands = [`touch ${path.join(world, 'evil')}`];
    await d.store.saveApprovals(approvals);

    const { record, executed } = await d.daemonCycle({ 1: [verdictOf('unhealthy', false)] });
    assert.deepEqual(executed, []);
    assert.equal(record.trigger, 'schedule');
    assert.deepEqual(made(), []);
    const refused = await state(restart.id);
    assert.equal(refused?.state, 'denied');
    assert.match(refused?.decidedBy ?? '', /then refused by the daemon: the proposal changed after it was approved$/);
    assert.deepEqual(kinds(restart.id), ['approval_proposed', 'approval_approved', 'approval_refused']);
    const receipt = d.receipts().find((r) => r.kind === 'approval_refused');
    assert.deepEqual([receipt?.verb, receipt?.by], ['execute', 'the daemon']);
    assert.deepEqual(
      d.sent.filter((m) => m.kind === 'approval_outcome'),
      [],
      'nothing ran, so no outcome is told',
    );
  });

  it('past its service’s cooldown when it would run is refused by the daemon and runs nothing', async () => {
    const { d, restart, made, state } = await proposed({ CLAUDEOPS_COOLDOWN_MAX_RESTARTS: '1' });
    assert.equal(
      (await d.ctx.approvals.decide('approve', restart.id, restart.hash, operator, undefined, d.now())).ok,
      true,
    );
    // Web's one restart is used up after the approval, before the proposal runs.
    await d.store.updateCooldown((current) =>
      applyCycle(
        current,
        { remediations: [{ tier: 2, service: 'web', action: 'restart', outcome: 'succeeded' }], tier1: new Map() },
        d.config.cooldown,
        d.now(),
      ),
    );
    const { executed } = await d.daemonCycle({ 1: [verdictOf('unhealthy', false)] });
    assert.deepEqual(executed, []);
    assert.deepEqual(made(), []);
    assert.match((await state(restart.id))?.decidedBy ?? '', /refused by the daemon: web has no restart left/);
  });
});

describe('a proposal not approved', { timeout: 30_000 }, () => {
  it('denied: runs nothing, and cannot be approved afterwards', async () => {
    const { d, restart, made, state, kinds } = await proposed();
    const denied = await d.ctx.approvals.decide('deny', restart.id, restart.hash, operator, undefined, d.now());
    assert.equal(denied.ok, true, denied.message);
    assert.equal(await d.ctx.approvals.hasApproved(), false);

    const { record, executed } = await d.daemonCycle({ 1: [verdictOf('unhealthy', false)] });
    assert.deepEqual(executed, []);
    assert.equal(record.trigger, 'schedule');
    assert.deepEqual(made(), []);

    const late = await d.ctx.approvals.decide('approve', restart.id, restart.hash, operator, undefined, d.now());
    assert.equal(late.ok, false);
    assert.match(late.message, /already denied/);
    await d.daemonCycle({ 1: [verdictOf('unhealthy', false)] });
    assert.deepEqual(made(), []);
    assert.equal((await state(restart.id))?.state, 'denied');
    assert.deepEqual(kinds(restart.id), ['approval_proposed', 'approval_denied', 'approval_refused']);
  });

  it('expired: approving it past its time is refused, a cycle past its time expires it, and neither runs', async () => {
    const { d, restart, config, made, state, kinds } = await proposed({ CLAUDEOPS_APPROVAL_TTL: '3600' });
    d.advance(3_600_000);

    // Approved too late: refused, and expired then and there.
    const late = await d.ctx.approvals.decide('approve', restart.id, restart.hash, operator, undefined, d.now());
    assert.equal(late.ok, false);
    assert.match(late.message, /^the proposal expired at /);
    assert.equal((await state(restart.id))?.state, 'expired');

    // Left alone: the next cycle expires it.
    const { executed } = await d.daemonCycle({ 1: [verdictOf('unhealthy', false)] });
    assert.deepEqual(executed, []);
    assert.equal((await state(config.id))?.state, 'expired');
    const after = await d.ctx.approvals.decide('approve', config.id, config.hash, operator, undefined, d.now());
    assert.match(after.message, /already expired/);

    await d.daemonCycle({ 1: [verdictOf('unhealthy', false)] });
    assert.deepEqual(made(), []);
    assert.deepEqual(kinds(restart.id), ['approval_proposed', 'approval_refused', 'approval_expired']);
    assert.deepEqual(kinds(config.id), ['approval_proposed', 'approval_expired', 'approval_refused']);
    assert.equal(d.receipts().filter((r) => r.kind === 'approval_executed').length, 0);
  });
});
