import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { TierNumber } from '../config/config.js';
import { applyCycle, loadCooldown, saveCooldown, type CooldownState } from '../cooldown/cooldown.js';
import type { DaemonContext } from '../daemon/context.js';
import { mergeMcp, type MergedMcp } from '../mcp/merge.js';
import { cycleStatus, cycleSummary, writeCycleRecord, type CycleRecord, type Trigger } from '../record/cycle-record.js';
import { cycleStamp } from '../record/stamp.js';
import { pruneRuns } from '../retention/retention.js';
import { decideEscalation } from '../tier/handoff.js';
import { runTier } from '../tier/tier-run.js';

interface Prepared {
  mcp: MergedMcp;
  cooldown: CooldownState;
  cooldownFile: string;
}

/** One cycle: prepare, run the tiers as far as they escalate, record, then tell whoever needs to know. */
export async function runCycle(ctx: DaemonContext, trigger: Trigger): Promise<CycleRecord> {
  const cycle = beginCycle(ctx, trigger);
  const prepared = await prepare(ctx, cycle);
  await runTiers(ctx, cycle, prepared);
  await record(ctx, cycle, prepared);
  return cycle;
}

function beginCycle(ctx: DaemonContext, trigger: Trigger): CycleRecord {
  const now = new Date();
  const id = cycleStamp(ctx.config.resultsDir, now);
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
    mcpServers: [],
    warnings: [],
    costUsd: 0,
    notifications: [],
  };
}

async function prepare(ctx: DaemonContext, cycle: CycleRecord): Promise<Prepared> {
  const { config, logger } = ctx;
  const removed = await pruneRuns(config.resultsDir, config.retentionDays);
  if (removed.length) logger.info({ removed: removed.length }, `retention: removed ${removed.length} run file(s) older than ${config.retentionDays} days`);

  const mcp = await mergeMcp({
    baselineFile: path.join(config.appDir, '.claude', 'mcp.json'),
    reposDir: config.reposDir,
    trustedRepos: config.mcpTrustedRepos,
    outFile: path.join(config.stateDir, 'mcp.merged.json'),
  });
  const cooldownFile = path.join(config.stateDir, 'cooldown.json');
  const cooldown = await loadCooldown(cooldownFile);
  for (const w of [...mcp.warnings, ...(cooldown.warning ? [cooldown.warning] : [])]) {
    logger.warn({ cycle: cycle.id }, w);
    cycle.warnings.push(w);
  }
  cycle.mcpServers = mcp.servers;
  return { mcp, cooldown: cooldown.state, cooldownFile };
}

async function runTiers(ctx: DaemonContext, cycle: CycleRecord, prepared: Prepared): Promise<void> {
  let handoff = '';
  for (let tier: TierNumber = 1; ; tier = (tier + 1) as TierNumber) {
    const run = await runTier({
      config: ctx.config,
      tier,
      stampBase: cycle.id,
      runId: randomUUID(),
      mcpConfigFile: prepared.mcp.file,
      mcpServers: prepared.mcp.servers,
      handoff,
      logger: ctx.logger,
      redactor: ctx.redactor,
      stdout: ctx.stdout,
      shutdown: ctx.shutdown,
    });
    cycle.tiers.push(run);
    ctx.logger.info({ cycle: cycle.id, tier, model: run.model, exitClass: run.exitClass, status: run.verdict?.status, costUsd: run.costUsd, log: run.logFile }, `tier ${tier} ended: ${run.verdict ? run.verdict.status : run.exitClass}`);
    if (run.exitClass !== 'ok' && run.error) ctx.logger.error({ cycle: cycle.id, tier, exitClass: run.exitClass }, run.error);

    const next = decideEscalation(ctx.config, cycle.tiers, prepared.cooldown);
    cycle.cooldownWithheld.push(...next.withheld);
    if (!next.escalate || ctx.shutdown.aborted) {
      cycle.escalationStopped = ctx.shutdown.aborted ? 'the daemon is shutting down' : next.reason;
      return;
    }
    cycle.escalations.push({ from: tier, to: (tier + 1) as TierNumber });
    ctx.logger.info({ cycle: cycle.id, from: tier, to: tier + 1, withheld: next.withheld.map((w) => w.service) }, `escalating to tier ${tier + 1}`);
    handoff = next.handoff;
  }
}

async function record(ctx: DaemonContext, cycle: CycleRecord, prepared: Prepared): Promise<void> {
  const now = new Date();
  cycle.endedAt = now.toISOString();
  cycle.durationMs = now.getTime() - Date.parse(cycle.startedAt);
  cycle.status = cycleStatus(cycle.tiers);
  cycle.summary = cycleSummary(cycle);
  cycle.costUsd = cycle.tiers.reduce((sum, r) => sum + r.costUsd, 0);
  await attempt(ctx, 'saving the cooldown state', () => saveCooldown(prepared.cooldownFile, applyCycle(prepared.cooldown, cycle.tiers, ctx.config.cooldown, now)));
  await attempt(ctx, 'writing the cycle summary', () => writeCycleRecord(ctx.config.resultsDir, cycle, ctx.redactor));
  ctx.metrics.observeCycle(cycle);
  ctx.logger.info({ cycle: cycle.id, status: cycle.status, costUsd: cycle.costUsd, durationMs: cycle.durationMs }, `cycle ended ${cycle.status}: ${cycle.summary}`);
}

/** A stage that may fail without ending the cycle: the failure is logged and kept in the record. */
async function attempt(ctx: DaemonContext, what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    const msg = `${what} failed: ${(e as Error).message}`;
    ctx.logger.warn(msg);
  }
}
