import { randomUUID } from 'node:crypto';
import { baselineMcpFile, STATE } from '../store/layout.js';
import path from 'node:path';
import { overDailyBudget } from '../budget/budget.js';
import type { TierNumber } from '../config/config.js';
import { applyCycle, type CooldownState, type CycleActions } from '../cooldown/cooldown.js';
import { applyResults, shownChecks, type CheckState } from '../checks/check-state.js';
import { discoverChecks, type CheckDef, type CheckSet } from '../checks/discover.js';
import { describeProblem } from '../checks/lint.js';
import { checkResults, NOT_REPORTED, serviceStatuses } from '../checks/results.js';
import type { CycleContext } from './context.js';
import { listCatalog, type McpCatalog } from '../mcp/catalog.js';
import { mergeMcp, type MergedMcp } from '../mcp/merge.js';
import { SECRET_ENV } from '../context/env-context.js';
import type { Redactor } from '../logger/redactor.js';
import { probeSandbox, type SandboxProbe } from '../sandbox/probe.js';
import { listingSandbox } from '../sandbox/open-cage.js';
import { deliver } from '../notify/deliver.js';
import { appendReceipt } from '../receipts/receipt.js';
import { planNotifications } from '../notify/notify.js';
import { cycleStatus, cycleSummary, type CycleRecord, type Trigger } from '../record/cycle-record.js';
import { pruneRuns } from '../retention/retention.js';
import { decideEscalation } from '../tier/handoff.js';
import { runTier, type TierRun } from '../tier/tier-run.js';
import { planShards } from '../tier/shards.js';
import { runShardedTier1 } from '../tier/sharded-run.js';

const HOUR = 3_600_000;
const MCP_LIST_TIMEOUT_MS = 15_000;
/** Everything before the first tier: file reads, the MCP merge and listing, the sandbox probe. */
const PREPARE_BUDGET_MS = 60_000;
const SANDBOX_PROBE_TTL_MS = 10 * 60_000;

interface Prepared {
  /** The daemon's redactor, plus the values this cycle's MCP servers were given. */
  redactor: Redactor;
  checks: CheckSet;
  checkState: CheckState;
  mcp: MergedMcp;
  catalog: McpCatalog;
  sandbox: SandboxProbe;
  cooldown: CooldownState;
  /** Spend recorded today before this cycle. */
  spentTodayUsd: number;
}

/** One cycle: prepare, run the tiers as far as they escalate, tell whoever needs to know, record. */
export async function runCycle(ctx: CycleContext, trigger: Trigger): Promise<CycleRecord> {
  const cycle = beginCycle(ctx, trigger);
  ctx.live?.begin(cycle.id);
  try {
    const prepared = await withinBudget(
      prepare(ctx, cycle),
      PREPARE_BUDGET_MS,
      `preparing the cycle took longer than ${PREPARE_BUDGET_MS / 1000} s (a repo file that blocks, or a slow MCP server); no tier ran`,
    );
    if (!cycle.skippedReason) await runTiers(ctx, cycle, prepared);
    const checkState = finishCycle(ctx, cycle, prepared);
    await park(ctx, cycle);
    await notify(ctx, cycle, checkState);
    await record(ctx, cycle, prepared, checkState);
  } catch (e) {
    await recordCrash(ctx, cycle, e);
  }
  ctx.live?.end(cycle.status);
  return cycle;
}

/**
 * Whatever a cycle throws (a bug, hostile input that got past a limit) ends it as a
 * failed cycle with a summary, never the daemon: it is logged, recorded and counted.
 */
async function recordCrash(ctx: CycleContext, cycle: CycleRecord, e: unknown): Promise<void> {
  const why = e instanceof Error ? e.message : String(e);
  ctx.logger.error(
    { cycle: cycle.id, err: e instanceof Error ? e.stack : why },
    `the cycle failed inside the daemon: ${why}`,
  );
  const now = new Date();
  Object.assign(cycle, {
    status: 'failed',
    summary: `the cycle failed inside the daemon: ${why}`,
    endedAt: now.toISOString(),
    durationMs: now.getTime() - Date.parse(cycle.startedAt),
  });
  cycle.costUsd = cycle.tiers.reduce((sum, r) => sum + r.costUsd, 0);
  cycle.warnings.push(cycle.summary);
  if (cycle.costUsd > 0) await attempt(ctx, 'recording the spend', () => ctx.store.addSpend(cycle.costUsd, now));
  await attempt(ctx, 'writing the cycle summary', () => ctx.store.writeCycle(cycle, (t) => ctx.redactor.redact(t)));
  ctx.metrics.observeCycle(cycle);
}

function withinBudget<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function beginCycle(ctx: CycleContext, trigger: Trigger): CycleRecord {
  const now = new Date();
  const id = ctx.store.newCycleId(now);
  ctx.logger.info({ cycle: id, trigger, dryRun: ctx.config.dryRun }, 'cycle started');
  return {
    id,
    startedAt: now.toISOString(),
    endedAt: now.toISOString(),
    durationMs: 0,
    trigger,
    dryRun: ctx.config.dryRun,
    status: 'failed',
    summary: '',
    tiers: [],
    escalations: [],
    cooldownWithheld: [],
    checks: [],
    disabledChecks: [],
    checkChanges: [],
    mcpServers: [],
    mcpSources: {},
    mcpTools: {},
    warnings: [],
    costUsd: 0,
    notifications: [],
  };
}

async function prepare(ctx: CycleContext, cycle: CycleRecord): Promise<Prepared> {
  const { config, logger } = ctx;
  if (Date.now() - ctx.lastPruneAt >= HOUR) {
    ctx.lastPruneAt = Date.now();
    const removed = await pruneRuns(config.resultsDir, config.retentionDays);
    if (removed.length)
      logger.info(
        { removed: removed.length },
        `retention: removed ${removed.length} run file(s) older than ${config.retentionDays} days`,
      );
  }

  const { store } = ctx;
  const [checks, checkState, spend, mcp, cooldown, sandbox] = await Promise.all([
    discoverChecks({ appDir: config.appDir, reposDir: config.reposDir, disable: config.checks.disable }),
    store.loadCheckState(),
    store.loadSpend(),
    mergeMcp({
      baselineFile: baselineMcpFile(config.appDir),
      reposDir: config.reposDir,
      trustedRepos: config.mcpTrustedRepos,
      outFile: path.join(config.stateDir, STATE.mcpMerged),
      allowOverride: config.mcpAllowOverride,
      inheritEnv: config.mcpInheritEnv,
      secretEnv: SECRET_ENV,
    }),
    store.loadCooldown(),
    config.sandbox === 'off' ? ({ ok: false, why: 'CLAUDEOPS_SANDBOX=off' } as const) : sandboxProbe(ctx),
  ]);
  cycle.skippedReason = overDailyBudget(spend, config.budget.dailyUsd);
  if (cooldown.converted) logger.info({ cycle: cycle.id }, cooldown.converted);
  // Fail closed: limits that cannot be saved do not hold, so nothing above tier 1 runs.
  const blocked = ctx.stateSaveFailure ?? (await store.stateUnwritable());
  if (blocked) {
    cycle.remediationBlocked = `${blocked}; the cooldowns and the daily budget cannot be kept, so no remediation tier runs until it can. Free space in (or fix) the state directory`;
    flag(ctx, cycle, cycle.remediationBlocked, 'error');
  }
  // Read-only runs may call only the tools servers annotate read-only, so every server is
  // asked; a cycle skipped for the budget runs no tier and starts no server.
  const catalog: McpCatalog = cycle.skippedReason
    ? Object.create(null)
    : await listCatalog(mcp.entries, {
        cwd: config.appDir,
        timeoutMs: MCP_LIST_TIMEOUT_MS,
        plain: mcp.plain,
        sandbox: sandbox.ok ? listingSandbox(config) : undefined,
      });
  if (cycle.skippedReason) {
    logger.warn({ cycle: cycle.id }, `cycle skipped: ${cycle.skippedReason}`);
    ctx.metrics.skipped('budget');
  }
  cycle.disabledChecks = checks.disabled.map((c) => c.id);
  const checkWarnings = [
    ...checks.problems.map(describeProblem),
    ...checks.notes.map(describeProblem),
    ...checks.unmatchedDisable.map(
      (d) => `CLAUDEOPS_CHECKS_DISABLE: "${d}" matches no check id; run claudeops validate to list them`,
    ),
  ];
  for (const w of [
    ...checkWarnings,
    ...mcp.warnings,
    ...[cooldown.warning, checkState.warning].filter((x): x is string => !!x),
  ])
    flag(ctx, cycle, w);
  cycle.mcpServers = mcp.servers;
  cycle.mcpTools = Object.fromEntries(
    Object.entries(catalog).map(([name, t]) => [
      name,
      t.ok
        ? {
            readOnly: t.tools.filter((x) => x.readOnly).map((x) => x.name),
            other: t.tools.filter((x) => !x.readOnly).map((x) => x.name),
          }
        : { error: t.error },
    ]),
  );
  if (!sandbox.ok && config.sandbox !== 'off') flag(ctx, cycle, `the OS sandbox cannot start: ${sandbox.why}`, 'error');
  logger.info(
    {
      cycle: cycle.id,
      checks: checks.checks.length,
      disabled: checks.disabled.length,
      playbooks: checks.playbooks.length,
      skills: checks.skills.length,
    },
    `found ${checks.checks.length} check(s)${checks.disabled.length ? ` (${checks.disabled.length} disabled)` : ''}, ${checks.playbooks.length} playbook(s), ${checks.skills.length} skill(s) in ${Object.keys(checks.repoDirs).length - 1} repo(s)`,
  );
  cycle.mcpSources = { ...mcp.origin };
  return {
    redactor: ctx.redactor.with(mcp.secrets),
    checks,
    checkState: checkState.state,
    mcp,
    catalog,
    sandbox,
    cooldown: cooldown.state,
    spentTodayUsd: spend.usd,
  };
}

async function runTiers(ctx: CycleContext, cycle: CycleRecord, prepared: Prepared): Promise<void> {
  let handoff = '';
  const pending = await ctx.approvals.pending(prepared.redactor);
  for (let tier: TierNumber = 1; ; tier = (tier + 1) as TierNumber) {
    ctx.live?.tier(tier);
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
      logger: ctx.logger,
      redactor: prepared.redactor,
      stdout: ctx.stdout,
      shutdown: ctx.shutdown,
      // Today's spend before this cycle and what its earlier tiers cost: the API proxy holds the daily budget within a run.
      spentTodayUsd: prepared.spentTodayUsd + cycle.tiers.reduce((sum, t) => sum + t.costUsd, 0),
    };
    const shards = tier === 1 ? planShards(prepared.checks.checks, ctx.config.tier1.shardSize) : [];
    const run =
      shards.length > 1
        ? await runShardedTier1(input, shards, ctx.config.tier1.parallel)
        : await runTier({ ...input, tier, runId: randomUUID() });
    cycle.tiers.push(run);
    for (const w of run.containment.warnings) if (!cycle.warnings.includes(w)) cycle.warnings.push(w);
    for (const [server, status] of Object.entries(run.mcpStatus)) {
      if (status === 'connected') continue;
      const w = `MCP server "${server}" (${prepared.mcp.origin[server] ?? 'unknown source'}) did not connect in tier ${tier}'s run (${status}): its tools were not available`;
      if (!cycle.warnings.includes(w)) flag(ctx, cycle, w);
    }
    ctx.metrics.observeMcp(run.mcpStatus, prepared.mcp.origin);
    logTierEnd(ctx, cycle, run);
    receipt(ctx, {
      kind: 'tier_run',
      cycle: cycle.id,
      tier,
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

    const next = decideEscalation(
      ctx.config,
      cycle.tiers,
      checkResults(prepared.checks.checks, cycle.tiers),
      prepared.cooldown,
    );
    cycle.cooldownWithheld.push(...next.withheld);
    if (!next.escalate || ctx.shutdown.aborted || cycle.remediationBlocked) {
      cycle.escalationStopped = ctx.shutdown.aborted
        ? stopWhy(ctx)
        : !next.escalate
          ? next.reason
          : 'no remediation tier runs while the state directory cannot be saved';
      return;
    }
    cycle.escalations.push({ from: tier, to: (tier + 1) as TierNumber });
    ctx.logger.info(
      { cycle: cycle.id, from: tier, to: tier + 1, withheld: next.withheld.map((w) => w.service) },
      `escalating to tier ${tier + 1}`,
    );
    handoff = next.handoff;
  }
}

/** Judges every check from the verdicts, derives the cycle's status, and folds the results into each check's state. */
function finishCycle(ctx: CycleContext, cycle: CycleRecord, prepared: Prepared): CheckState {
  const now = new Date();
  cycle.endedAt = now.toISOString();
  cycle.durationMs = now.getTime() - Date.parse(cycle.startedAt);
  cycle.checks = cycle.skippedReason ? [] : checkResults(prepared.checks.checks, cycle.tiers);
  for (const c of cycle.checks.filter((r) => r.invented))
    flag(
      ctx,
      cycle,
      `the agent reported check "${c.id}", which the daemon did not hand out; recorded, not kept in check history`,
    );
  cycle.status = cycleStatus(cycle.tiers, cycle.checks, cycle.skippedReason);
  const unreported = cycle.checks.filter((r) => r.detail === NOT_REPORTED && cycle.tiers.some((t) => t.verdict));
  if (unreported.length && cycle.status !== 'interrupted')
    flag(
      ctx,
      cycle,
      `${unreported.length} check(s) not reported by the agent, recorded as unknown: ${unreported.map((r) => r.id).join(', ')}`,
    );
  cycle.summary = cycleSummary(cycle);
  cycle.costUsd = cycle.tiers.reduce((sum, r) => sum + r.costUsd, 0);
  // A stopped cycle judged nothing: every check keeps its state, its since and its history.
  if (cycle.status === 'interrupted') return prepared.checkState;
  const defaults = ctx.config.checks;
  const byId = new Map(prepared.checks.checks.map((c) => [c.id, c]));
  const thresholds = (id: string) => ({
    failure: byId.get(id)?.failureThreshold ?? defaults.failureThreshold,
    success: byId.get(id)?.successThreshold ?? defaults.successThreshold,
  });
  const present = cycle.skippedReason ? undefined : { disabled: prepared.checks.disabled.map((c) => c.id) };
  const { next, transitions } = applyResults(prepared.checkState, cycle.checks, thresholds, cycle.id, now, present);
  cycle.checkChanges = transitions;
  ctx.metrics.observeChecks(Object.fromEntries(shownChecks(next)));
  for (const t of transitions)
    ctx.logger.info(
      { cycle: cycle.id, check: t.id, from: t.from, to: t.to },
      `check ${t.id} is now ${t.to} (was ${t.from})`,
    );
  return next;
}

/** A warning of the cycle: logged, and kept in its summary. */
function flag(ctx: CycleContext, cycle: CycleRecord, warning: string, level: 'warn' | 'error' = 'warn'): void {
  ctx.logger[level]({ cycle: cycle.id }, warning);
  cycle.warnings.push(warning);
}

/** Proposals of propose-mode tiers wait in the state directory for a human. */
async function park(ctx: CycleContext, cycle: CycleRecord): Promise<void> {
  try {
    // Every cycle: one that finds a service healthy again expires the proposals about it.
    const { parked, warnings } = await ctx.approvals.park(cycle);
    if (cycle.tiers.some((t) => t.containment.propose || t.verdict?.proposals?.length)) cycle.proposals = parked;
    for (const w of warnings) flag(ctx, cycle, w);
  } catch (e) {
    flag(
      ctx,
      cycle,
      `the proposals could not be parked (${(e as Error).message}); nothing waits for approval. Check that the state directory is writable`,
      'error',
    );
  }
}

/** Notifications through Apprise, deduplicated against `<state>/notify.json`, held by acknowledgements, silences and maintenance; never fatal. */
async function notify(ctx: CycleContext, cycle: CycleRecord, checkState: CheckState): Promise<void> {
  const { config } = ctx;
  if (config.notify.urls.length === 0) return;
  const loaded = await ctx.store.loadNotifyState();
  if (loaded.warning) flag(ctx, cycle, loaded.warning);
  const now = new Date();
  const { messages, next } = planNotifications(loaded.state, cycle, checkState, config, now, {
    holds: await ctx.approvals.holds(),
    links: ctx.approvals.linker(now),
  });
  cycle.notifications.push(...(await deliver(ctx, cycle.id, messages)));
  await attempt(ctx, 'saving the notification state', () => ctx.store.saveNotifyState(next));
}

async function record(
  ctx: CycleContext,
  cycle: CycleRecord,
  prepared: Prepared,
  checkState: CheckState,
): Promise<void> {
  const now = new Date(cycle.endedAt);
  const [cooldownSaved, spendSaved] = await Promise.all([
    cycle.skippedReason
      ? true
      : attempt(ctx, 'saving the cooldown state', () =>
          // Folded into the state as it is now: an approved proposal's restart, counted by the desk, is kept.
          ctx.store.updateCooldown((current) =>
            applyCycle(current, cycleActions(cycle, prepared.checks.checks), ctx.config.cooldown, now),
          ),
        ),
    cycle.costUsd > 0 ? attempt(ctx, 'recording the spend', () => ctx.store.addSpend(cycle.costUsd, now)) : true,
    !cycle.skippedReason && attempt(ctx, 'saving the check state', () => ctx.store.saveCheckState(checkState)),
    attempt(ctx, 'writing the cycle summary', () => ctx.store.writeCycle(cycle, (t) => prepared.redactor.redact(t))),
  ]);
  ctx.stateSaveFailure =
    cooldownSaved && spendSaved
      ? undefined
      : `the ${cooldownSaved ? 'spend' : 'cooldown'} state could not be saved after cycle ${cycle.id}`;
  ctx.metrics.observeCycle(cycle);
  ctx.logger.info(
    { cycle: cycle.id, status: cycle.status, costUsd: cycle.costUsd, durationMs: cycle.durationMs },
    `cycle ended ${cycle.status}: ${cycle.summary}`,
  );
}

function logTierEnd(ctx: CycleContext, cycle: CycleRecord, run: TierRun): void {
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

const receipt = (ctx: CycleContext, entry: Record<string, unknown>): void => appendReceipt(ctx, entry);

/** Remediations from every tier, and the services as tier 1 judged them. */
function cycleActions(cycle: CycleRecord, checks: CheckDef[]): CycleActions {
  const tier1 = cycle.tiers.find((t) => t.tier === 1);
  return {
    remediations: cycle.tiers.flatMap((t) => (t.verdict?.remediations ?? []).map((r) => ({ ...r, tier: t.tier }))),
    tier1: tier1?.verdict ? serviceStatuses(checkResults(checks, [tier1])) : new Map(),
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

/** Whether the sandbox starts: a success is trusted for ten minutes, a failure is probed again every cycle. */
async function sandboxProbe(ctx: CycleContext): Promise<SandboxProbe> {
  if (ctx.sandboxOkAt !== undefined && Date.now() - ctx.sandboxOkAt < SANDBOX_PROBE_TTL_MS) return { ok: true };
  const probe = await probeSandbox();
  ctx.sandboxOkAt = probe.ok ? Date.now() : undefined;
  return probe;
}
