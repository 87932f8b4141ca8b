import { randomUUID } from 'node:crypto';
import type { TierNumber } from '../config/config.js';
import { applyCycle, type CycleActions } from '../cooldown/cooldown.js';
import { applyResults, shownChecks, type Transition } from '../checks/check-state.js';
import { BUILTIN } from '../checks/discover.js';
import type { CheckState } from '../store/records.js';
import { checkResults, NOT_REPORTED, serviceStatuses, type CheckResult } from '../checks/results.js';
import { FIRST_CYCLE, type Carried, type CycleContext } from './context.js';
import { prepare, type Prepared } from './prepare.js';
import { probeStage } from './probe-stage.js';
import { Warnings } from './warnings.js';
import type { Delivered } from '../notify/deliver.js';
import { appendReceipt } from '../store/receipt.js';
import { planNotifications } from '../notify/notify.js';
import {
  cycleStatus,
  cycleSummary,
  type CycleRecord,
  type CycleStatus,
  type ParkedProposal,
  type Trigger,
} from '../record/cycle-record.js';
import { decideEscalation } from '../tier/handoff.js';
import type { TierRun } from '../tier/fold.js';
import { runTier } from '../tier/tier-run.js';
import { planShards } from '../tier/shards.js';
import { runShardedTier1, ShardFault } from '../tier/sharded-run.js';
import type { Alert } from '../alerts/payload.js';
import { remember } from './remember.js';

/** Everything before the first tier: file reads, the MCP merge and listing, the sandbox probe. */
const PREPARE_BUDGET_MS = 60_000;

/** What a cycle is known by from its start. */
interface Begun {
  id: string;
  startedAt: string;
  trigger: Trigger;
  dryRun: boolean;
  /** The alerts that started it, if an alert did. */
  alerts: readonly Alert[];
}

/** What the tiers did, as far as they escalated. */
interface Ran {
  tiers: TierRun[];
  escalations: CycleRecord['escalations'];
  cooldownWithheld: CycleRecord['cooldownWithheld'];
  escalationStopped?: string;
  /** Each check's result from every tier's verdict, as the last escalation decision judged them. */
  results: CheckResult[];
  /** Tier 1's results alone: the services as the cooldown counts them. */
  tier1Results: CheckResult[];
}

/** What a cycle skipped for the budget ran: nothing. */
const notRun = (): Ran => ({ tiers: [], escalations: [], cooldownWithheld: [], results: [], tier1Results: [] });

/** The tiers' results and those of the checks judged by their probes alone, in the checks' order. */
function withProbes(ran: Ran, byProbes: CheckResult[], prepared: Prepared): Ran {
  if (!byProbes.length) return ran;
  const order = new Map(prepared.checks.checks.map((c, i) => [c.id, i]));
  const merged = (results: CheckResult[]) =>
    [...results, ...byProbes].sort((a, b) => (order.get(a.id) ?? Infinity) - (order.get(b.id) ?? Infinity));
  return { ...ran, results: merged(ran.results), tier1Results: merged(ran.tier1Results) };
}

/** The cycle judged: its status and summary, and each check's state after it. */
interface Finished {
  endedAt: string;
  durationMs: number;
  status: CycleStatus;
  summary: string;
  checks: CheckResult[];
  checkChanges: Transition[];
  costUsd: number;
  /** Each check's state to save: unchanged by a stopped cycle. */
  checkState: CheckState;
}

/** What the stages found so far: a cycle that fails inside the daemon is recorded with it. */
interface Found {
  prepared?: Prepared;
  ran?: Ran;
  finished?: Finished;
  proposals?: ParkedProposal[];
}

/** A cycle's record, and what it leaves for the next cycle. */
export interface CycleOutcome {
  record: CycleRecord;
  carried: Carried;
}

/**
 * One cycle: prepare, run the tiers as far as they escalate, tell whoever needs to know,
 * record. Each stage returns what it found; the record is assembled from those at the end.
 */
export async function runCycle(
  ctx: CycleContext,
  trigger: Trigger,
  carried: Carried = FIRST_CYCLE,
  alerts: readonly Alert[] = [],
): Promise<CycleOutcome> {
  const begun = beginCycle(ctx, trigger, alerts);
  const warnings = new Warnings(ctx.logger, begun.id);
  const found: Found = {};
  ctx.live?.begin(begun.id);
  let outcome: CycleOutcome;
  try {
    const prepared = (found.prepared = await withinBudget(
      prepare(ctx, begun, carried, warnings),
      PREPARE_BUDGET_MS,
      `preparing the cycle took longer than ${PREPARE_BUDGET_MS / 1000} s (a repo file that blocks, or a slow MCP server); no tier ran`,
    ));
    const probed = await probeStage(ctx, begun.id, prepared);
    const ran = (found.ran = withProbes(
      prepared.skippedReason || !probed.modelNeeded ? notRun() : await runTiers(ctx, begun, probed.forTiers, warnings),
      probed.results,
      prepared,
    ));
    const finished = (found.finished = finishCycle(ctx, begun, prepared, ran, warnings));
    found.proposals = await park(ctx, begun, ran, finished, warnings);
    const notifications = await notify(ctx, assemble(begun, found, warnings), finished.checkState, warnings);
    const record = assemble(begun, found, warnings, notifications);
    const stateSaveFailure = await save(ctx, record, prepared, ran, finished);
    outcome = { record, carried: { ...prepared.carried, stateSaveFailure } };
  } catch (e) {
    outcome = { record: await recordCrash(ctx, begun, found, warnings, e), carried };
  }
  ctx.live?.end(outcome.record.status);
  return outcome;
}

/** The cycle's record, from what its stages found. */
function assemble(begun: Begun, found: Found, warnings: Warnings, notifications: Delivered[] = []): CycleRecord {
  const { prepared, ran = notRun(), finished } = found;
  return {
    id: begun.id,
    startedAt: begun.startedAt,
    endedAt: finished?.endedAt ?? begun.startedAt,
    durationMs: finished?.durationMs ?? 0,
    trigger: begun.trigger,
    ...(prepared?.focus.alerts.length ? { alerts: prepared.focus.alerts } : {}),
    dryRun: begun.dryRun,
    status: finished?.status ?? 'failed',
    summary: finished?.summary ?? '',
    skippedReason: prepared?.skippedReason,
    tiers: ran.tiers,
    escalations: ran.escalations,
    escalationStopped: ran.escalationStopped,
    remediationBlocked: prepared?.remediationBlocked,
    cooldownWithheld: ran.cooldownWithheld,
    checks: finished?.checks ?? [],
    disabledChecks: prepared?.checks.disabled.map((c) => c.id) ?? [],
    checkChanges: finished?.checkChanges ?? [],
    mcpServers: prepared?.mcp.servers ?? [],
    mcpSources: { ...prepared?.mcp.origin },
    mcpTools: prepared?.mcpTools ?? {},
    warnings: warnings.all(),
    costUsd: finished?.costUsd ?? 0,
    proposals: found.proposals,
    notifications,
  };
}

/**
 * Whatever a cycle throws (a bug, hostile input that got past a limit) ends it as a
 * failed cycle with a summary, never the daemon: it is logged, recorded and counted.
 */
async function recordCrash(
  ctx: CycleContext,
  begun: Begun,
  found: Found,
  warnings: Warnings,
  thrown: unknown,
): Promise<CycleRecord> {
  // The tiers that ran before a tier run threw are recorded, and their spend counted.
  const e = thrown instanceof Partly ? thrown.cause : thrown;
  const sofar = thrown instanceof Partly ? { ...found, ran: thrown.ran } : found;
  const why = e instanceof Error ? e.message : String(e);
  ctx.logger.error(
    { cycle: begun.id, err: e instanceof Error ? e.stack : why },
    `the cycle failed inside the daemon: ${why}`,
  );
  const now = ctx.now();
  const summary = `the cycle failed inside the daemon: ${why}`;
  warnings.add(summary);
  const tiers = sofar.ran?.tiers ?? [];
  const record: CycleRecord = {
    ...assemble(begun, sofar, warnings),
    status: 'failed',
    summary,
    endedAt: now.toISOString(),
    durationMs: now.getTime() - Date.parse(begun.startedAt),
    costUsd: tiers.reduce((sum, r) => sum + r.costUsd, 0),
  };
  if (record.costUsd > 0) await attempt(ctx, 'recording the spend', () => ctx.store.addSpend(record.costUsd, now));
  await attempt(ctx, 'writing the cycle summary', () => ctx.store.writeCycle(record, (t) => ctx.redactor.redact(t)));
  ctx.metrics.observeCycle(record);
  return record;
}

/** A stage that threw after part of its work: the part, for the crash record. */
class Partly extends Error {
  constructor(
    readonly ran: Ran,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

function withinBudget<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function beginCycle(ctx: CycleContext, trigger: Trigger, alerts: readonly Alert[]): Begun {
  const now = ctx.now();
  const id = ctx.store.newCycleId(now);
  ctx.logger.info({ cycle: id, trigger, dryRun: ctx.config.dryRun }, 'cycle started');
  return { id, startedAt: now.toISOString(), trigger, dryRun: ctx.config.dryRun, alerts };
}

/** The tiers, from tier 1 up as far as each one's verdict, the cooldowns and the limits let them escalate. */
async function runTiers(ctx: CycleContext, cycle: Begun, prepared: Prepared, warnings: Warnings): Promise<Ran> {
  const ran = notRun();
  try {
    let handoff = '';
    const pending = await ctx.approvals.pending(prepared.redactor, ctx.now());
    for (let tier: TierNumber = 1; ; tier = (tier + 1) as TierNumber) {
      ctx.live?.tier(tier);
      const run = await runOneTier(ctx, cycle, prepared, tier, handoff, pending, ran.tiers);
      ran.tiers.push(run);
      for (const w of run.containment.warnings) warnings.addOnce(w);
      for (const [server, status] of Object.entries(run.mcpStatus)) {
        if (status === 'connected') continue;
        warnings.flagOnce(
          `MCP server "${server}" (${prepared.mcp.origin[server] ?? 'unknown source'}) did not connect in tier ${tier}'s run (${status}): its tools were not available`,
        );
      }
      ctx.metrics.observeMcp(run.mcpStatus, prepared.mcp.origin);
      logTierEnd(ctx, cycle, run);
      tierReceipt(ctx, cycle, run);

      ran.results = checkResults(prepared.checks.checks, ran.tiers);
      if (tier === 1) ran.tier1Results = ran.results;
      const next = decideEscalation(ctx.config, ran.tiers, ran.results, prepared.cooldown, ctx.now());
      ran.cooldownWithheld.push(...next.withheld);
      if (!next.escalate || ctx.shutdown.aborted || prepared.remediationBlocked) {
        ran.escalationStopped = ctx.shutdown.aborted
          ? stopWhy(ctx)
          : !next.escalate
            ? next.reason
            : 'no remediation tier runs while the state directory cannot be saved';
        return ran;
      }
      ran.escalations.push({ from: tier, to: (tier + 1) as TierNumber });
      ctx.logger.info(
        { cycle: cycle.id, from: tier, to: tier + 1, withheld: next.withheld.map((w) => w.service) },
        `escalating to tier ${tier + 1}`,
      );
      handoff = next.handoff;
    }
  } catch (e) {
    // A sharded tier 1 whose shard threw: the shards that ended are recorded and their spend counted.
    if (!(e instanceof ShardFault)) throw new Partly(ran, e);
    ran.tiers.push(e.run);
    throw new Partly(ran, e.cause);
  }
}

/** One tier's run, sharded when tier 1's checks are many. */
async function runOneTier(
  ctx: CycleContext,
  cycle: Begun,
  prepared: Prepared,
  tier: TierNumber,
  handoff: string,
  pending: Awaited<ReturnType<CycleContext['approvals']['pending']>>,
  below: TierRun[],
): Promise<TierRun> {
  const input = {
    config: ctx.config,
    stampBase: cycle.id,
    mcp: {
      file: prepared.mcp.file,
      servers: prepared.mcp.servers,
      entries: prepared.mcp.entries,
      catalog: prepared.catalog,
    },
    checks: prepared.checks,
    sandbox: prepared.sandbox,
    handoff,
    pending,
    alert: prepared.redactor.redact(prepared.focus.brief),
    memory: { notes: prepared.notes, now: ctx.now() },
    logger: ctx.logger,
    redactor: prepared.redactor,
    stdout: ctx.stdout,
    shutdown: ctx.shutdown,
    // Today's spend before this cycle and what its earlier tiers cost: the API proxy holds the daily budget within a run.
    spentTodayUsd: prepared.spentTodayUsd + below.reduce((sum, t) => sum + t.costUsd, 0),
    providers: ctx.providers,
    store: ctx.store,
    now: ctx.now,
  };
  const shards = tier === 1 ? planShards(prepared.checks.checks, ctx.config.tier1.shardSize) : [];
  return shards.length > 1
    ? await runShardedTier1(input, shards, ctx.config.tier1.parallel)
    : await runTier({ ...input, tier, runId: randomUUID() });
}

function tierReceipt(ctx: CycleContext, cycle: Begun, run: TierRun): void {
  appendReceipt(ctx, {
    kind: 'tier_run',
    cycle: cycle.id,
    tier: run.tier,
    model: run.model,
    exit_class: run.exitClass,
    status: run.verdict?.status ?? null,
    summary: run.summary,
    cost_usd: run.costUsd,
    turns: run.turns ?? null,
    duration_ms: run.durationMs,
    log: run.logFile,
    ...(run.shards
      ? { shards: run.shards.map((x) => ({ log: x.logFile, exit_class: x.exitClass, cost_usd: x.costUsd })) }
      : {}),
  });
}

/** Judges every check from the verdicts, derives the cycle's status, and folds the results into each check's state. */
function finishCycle(ctx: CycleContext, cycle: Begun, prepared: Prepared, ran: Ran, warnings: Warnings): Finished {
  const now = ctx.now();
  const { skippedReason } = prepared;
  const { tiers } = ran;
  const checks = ran.results;
  for (const c of checks.filter((r) => r.invented))
    warnings.flag(
      `the agent reported check "${c.id}", which the daemon did not hand out; recorded, not kept in check history`,
    );
  const status = cycleStatus(tiers, checks, skippedReason);
  const unreported = checks.filter((r) => r.detail === NOT_REPORTED && tiers.some((t) => t.verdict));
  if (unreported.length && status !== 'interrupted')
    warnings.flag(
      `${unreported.length} check(s) not reported by the agent, recorded as unknown: ${unreported.map((r) => r.id).join(', ')}`,
    );
  const judged = {
    endedAt: now.toISOString(),
    durationMs: now.getTime() - Date.parse(cycle.startedAt),
    status,
    summary: cycleSummary({ status, tiers, skippedReason, checks, escalationStopped: ran.escalationStopped }),
    checks,
    costUsd: tiers.reduce((sum, r) => sum + r.costUsd, 0),
  };
  // A stopped cycle judged nothing: every check keeps its state, its since and its history.
  if (status === 'interrupted') return { ...judged, checkChanges: [], checkState: prepared.checkState };
  const defaults = ctx.config.checks;
  const byId = new Map(prepared.checks.checks.map((c) => [c.id, c]));
  const thresholds = (id: string) => ({
    failure: byId.get(id)?.failureThreshold ?? defaults.failureThreshold,
    success: byId.get(id)?.successThreshold ?? defaults.successThreshold,
  });
  // A cycle an alert narrowed judged only its checks: the others are not gone.
  const present =
    skippedReason || prepared.focus.targeted
      ? undefined
      : { disabled: prepared.checks.disabled.map((c) => c.id), otherInstances: prepared.checks.otherInstances };
  const { next, transitions } = applyResults(prepared.checkState, checks, thresholds, cycle.id, now, present);
  ctx.metrics.observeChecks(Object.fromEntries(shownChecks(next)));
  ctx.metrics.observeRepos(Object.keys(prepared.checks.repoDirs).filter((r) => r !== BUILTIN));
  for (const t of transitions)
    ctx.logger.info(
      { cycle: cycle.id, check: t.id, from: t.from, to: t.to },
      `check ${t.id} is now ${t.to} (was ${t.from})`,
    );
  return { ...judged, checkChanges: transitions, checkState: next };
}

/** Proposals of propose-mode tiers wait in the state directory for a human; returns those this cycle parked. */
async function park(
  ctx: CycleContext,
  cycle: Begun,
  ran: Ran,
  finished: Finished,
  warnings: Warnings,
): Promise<ParkedProposal[] | undefined> {
  try {
    // Every cycle: one that finds a service healthy again expires the proposals about it.
    const { parked, warnings: found } = await ctx.approvals.park(
      { id: cycle.id, tiers: ran.tiers, checks: finished.checks },
      ctx.now(),
    );
    for (const w of found) warnings.flag(w);
    return ran.tiers.some((t) => t.containment.propose || t.verdict?.proposals?.length) ? parked : undefined;
  } catch (e) {
    warnings.flag(
      `the proposals could not be parked (${(e as Error).message}); nothing waits for approval. Check that the state directory is writable`,
      'error',
    );
    return undefined;
  }
}

/** Notifications through Apprise, deduplicated against `<state>/notify.json`, held by acknowledgements, silences and maintenance; never fatal. Returns what was sent. */
async function notify(
  ctx: CycleContext,
  cycle: CycleRecord,
  checkState: CheckState,
  warnings: Warnings,
): Promise<Delivered[]> {
  const { config } = ctx;
  if (config.notify.urls.length === 0) return [];
  const loaded = await ctx.store.loadNotifyState();
  if (loaded.warning) warnings.flag(loaded.warning);
  const now = ctx.now();
  const { messages, next } = planNotifications(loaded.state, cycle, checkState, config, now, {
    holds: await ctx.approvals.holds(),
    links: ctx.approvals.linker(now),
  });
  const sent = await ctx.deliver(ctx, cycle.id, messages);
  await attempt(ctx, 'saving the notification state', () => ctx.store.saveNotifyState(next));
  return sent;
}

/** Saves the cycle's states and its record; says why the cooldown or spend could not be saved, if so. */
async function save(
  ctx: CycleContext,
  cycle: CycleRecord,
  prepared: Prepared,
  ran: Ran,
  finished: Finished,
): Promise<string | undefined> {
  const now = new Date(cycle.endedAt);
  const [cooldownSaved, spendSaved] = await Promise.all([
    cycle.skippedReason
      ? true
      : attempt(ctx, 'saving the cooldown state', () =>
          // Folded into the state as it is now: an approved proposal's restart, counted by the desk, is kept.
          ctx.store.updateCooldown((current) => applyCycle(current, cycleActions(ran), ctx.config.cooldown, now)),
        ),
    cycle.costUsd > 0 ? attempt(ctx, 'recording the spend', () => ctx.store.addSpend(cycle.costUsd, now)) : true,
    !cycle.skippedReason && attempt(ctx, 'saving the check state', () => ctx.store.saveCheckState(finished.checkState)),
    attempt(ctx, 'writing the cycle summary', () => ctx.store.writeCycle(cycle, (t) => prepared.redactor.redact(t))),
    cycle.status !== 'interrupted' &&
      attempt(ctx, 'saving the notes', () => remember(ctx, cycle, ran.tier1Results, prepared.redactor)),
  ]);
  ctx.metrics.observeCycle(cycle);
  ctx.logger.info(
    { cycle: cycle.id, status: cycle.status, costUsd: cycle.costUsd, durationMs: cycle.durationMs },
    `cycle ended ${cycle.status}: ${cycle.summary}`,
  );
  return cooldownSaved && spendSaved
    ? undefined
    : `the ${cooldownSaved ? 'spend' : 'cooldown'} state could not be saved after cycle ${cycle.id}`;
}

function logTierEnd(ctx: CycleContext, cycle: Begun, run: TierRun): void {
  const fields = {
    cycle: cycle.id,
    tier: run.tier,
    model: run.model,
    exitClass: run.exitClass,
    status: run.verdict?.status,
    costUsd: run.costUsd,
    log: run.logFile,
  };
  ctx.logger.info(fields, `tier ${run.tier} ended: ${run.verdict ? run.verdict.status : run.exitClass}`);
  // A run stopped because the daemon or an operator asked for it is what was asked, not an error.
  if (run.exitClass === 'interrupted')
    ctx.logger.warn(
      { cycle: cycle.id, tier: run.tier, exitClass: run.exitClass },
      ctx.shutdown.aborted ? `tier ${run.tier} stopped: ${stopWhy(ctx)}` : (run.error ?? 'interrupted'),
    );
  else if (run.exitClass !== 'ok' && run.error)
    ctx.logger.error({ cycle: cycle.id, tier: run.tier, exitClass: run.exitClass }, run.error);
}

/** Who stopped the cycle: an operator from the console stops only it; a signal stops the daemon. */
const stopWhy = (ctx: CycleContext): string =>
  ctx.shutdown.reason === 'operator' ? 'an operator stopped the cycle from the console' : 'the daemon is shutting down';

/** Remediations from every tier, and the services as tier 1 judged them. */
function cycleActions(ran: Ran): CycleActions {
  const tier1 = ran.tiers.find((t) => t.tier === 1);
  return {
    remediations: ran.tiers.flatMap((t) => (t.verdict?.remediations ?? []).map((r) => ({ ...r, tier: t.tier }))),
    // Tier 1's verdict, or the probes alone when no tier ran: the services as they were found.
    tier1: tier1?.verdict || (!tier1 && ran.tier1Results.length) ? serviceStatuses(ran.tier1Results) : new Map(),
  };
}

/** A stage that may fail without ending the cycle: the failure is logged. Says whether it worked. */
async function attempt(ctx: CycleContext, what: string, fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (e) {
    ctx.logger.warn(`${what} failed: ${(e as Error).message}`);
    return false;
  }
}
