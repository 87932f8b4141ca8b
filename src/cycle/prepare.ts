import { overDailyBudget } from '../budget/budget.js';
import type { CheckState } from '../store/records.js';
import { discoverChecks } from '../checks/discover.js';
import type { CheckSet } from '../checks/check-set.js';
import { describeProblem } from '../checks/lint.js';
import { SECRET_ENV } from '../context/env-context.js';
import type { CooldownState } from '../store/records.js';
import type { Redactor } from '../logger/redactor.js';
import { listCatalog, type McpCatalog } from '../mcp/catalog.js';
import { mergeMcp, type MergedMcp } from '../mcp/merge.js';
import type { CycleRecord } from '../record/cycle-record.js';
import { listingSandbox } from '../sandbox/open-cage.js';
import { probeSandbox, type SandboxProbe } from '../sandbox/probe.js';
import { baselineMcpFile } from '../store/layout.js';
import type { Alert } from '../alerts/payload.js';
import type { Note } from '../store/records.js';
import type { Carried, CycleContext } from './context.js';
import { focusOn, type Focus } from './focus.js';
import type { Warnings } from './warnings.js';

const HOUR = 3_600_000;
const MCP_LIST_TIMEOUT_MS = 15_000;
const SANDBOX_PROBE_TTL_MS = 10 * 60_000;

/** What prepare found: the inputs of the tiers, and what the record keeps of them. */
export interface Prepared {
  /** The daemon's redactor, plus the values this cycle's MCP servers were given. */
  redactor: Redactor;
  /** The checks handed out: those an alert's labels name, else all. */
  checks: CheckSet;
  /** What an alert that started the cycle asks it to look at. */
  focus: Omit<Focus, 'checks'>;
  /** The notes earlier cycles left, for the tiers' prompts. */
  notes: Note[];
  checkState: CheckState;
  mcp: MergedMcp;
  catalog: McpCatalog;
  sandbox: SandboxProbe;
  cooldown: CooldownState;
  /** Spend recorded today before this cycle. */
  spentTodayUsd: number;
  /** Why no tier runs: the daily budget is spent. */
  skippedReason?: string;
  /** Why no remediation tier may run: the state that holds the limits cannot be saved. */
  remediationBlocked?: string;
  mcpTools: CycleRecord['mcpTools'];
  /** The pruning and the sandbox probe as this cycle left them, for the next. */
  carried: Omit<Carried, 'stateSaveFailure'>;
}

/**
 * Everything before the first tier: old run files pruned, the checks, states, spend and
 * MCP servers read, the sandbox probed, the limits and the servers' tools known; what is
 * amiss is a warning of the cycle.
 */
export async function prepare(
  ctx: CycleContext,
  cycle: { id: string; trigger: string; alerts: readonly Alert[] },
  carried: Carried,
  warnings: Warnings,
): Promise<Prepared> {
  const lastPruneAt = await pruneWhenDue(ctx, carried.lastPruneAt);
  const { checks: found, checkState, spend, mcp, cooldown, probed, memory } = await readInputs(ctx, carried);
  const { checks, ...focus } = focusOn(found, cycle.alerts, cycle.trigger === 'alert');
  const { probe: sandbox } = probed;
  const skippedReason = overDailyBudget(spend, ctx.config.budget.dailyUsd);
  if (cooldown.converted) ctx.logger.info({ cycle: cycle.id }, cooldown.converted);
  const remediationBlocked = await remediationBlock(ctx, carried);
  if (remediationBlocked) warnings.flag(remediationBlocked, 'error');
  const catalog = await toolCatalog(ctx, mcp, sandbox, skippedReason);
  if (skippedReason) {
    ctx.logger.warn({ cycle: cycle.id }, `cycle skipped: ${skippedReason}`);
    ctx.metrics.skipped('budget');
  }
  for (const w of [
    ...checkWarnings(checks),
    ...mcp.warnings,
    ...[cooldown.warning, checkState.warning, memory.warning].filter((x): x is string => !!x),
  ])
    warnings.flag(w);
  const mcpTools = toolsByServer(catalog);
  if (!sandbox.ok && ctx.config.sandbox !== 'off')
    warnings.flag(`the OS sandbox cannot start: ${sandbox.why}`, 'error');
  logFound(ctx, cycle, found, focus);
  return {
    redactor: ctx.redactor.with(mcp.secrets),
    checks,
    focus,
    notes: memory.state.notes,
    checkState: checkState.state,
    mcp,
    catalog,
    sandbox,
    cooldown: cooldown.state,
    spentTodayUsd: spend.usd,
    skippedReason,
    remediationBlocked,
    mcpTools,
    carried: { lastPruneAt, sandboxOkAt: probed.okAt },
  };
}

/** Removes run files past their retention, once an hour; returns when it last did. */
async function pruneWhenDue(ctx: CycleContext, lastPruneAt: number): Promise<number> {
  const { config } = ctx;
  if (ctx.now().getTime() - lastPruneAt < HOUR) return lastPruneAt;
  const prunedAt = ctx.now().getTime();
  const removed = await ctx.store.pruneRuns(config.retentionDays);
  if (removed.length)
    ctx.logger.info(
      { removed: removed.length },
      `retention: removed ${removed.length} run file(s) older than ${config.retentionDays} days`,
    );
  return prunedAt;
}

/** The checks, the states, today's spend and the merged MCP servers, read at once; and whether the sandbox starts. */
async function readInputs(ctx: CycleContext, carried: Carried) {
  const { config, store } = ctx;
  const [checks, checkState, spend, mcp, cooldown, probed, memory] = await Promise.all([
    discoverChecks({
      appDir: config.appDir,
      reposDir: config.reposDir,
      disable: config.checks.disable,
      instance: config.instance,
    }),
    store.loadCheckState(),
    store.loadSpend(ctx.now()),
    mergeMcp({
      baselineFile: baselineMcpFile(config.appDir),
      reposDir: config.reposDir,
      trustedRepos: config.mcpTrustedRepos,
      instance: config.instance,
      store,
      allowOverride: config.mcpAllowOverride,
      inheritEnv: config.mcpInheritEnv,
      secretEnv: SECRET_ENV,
    }),
    store.loadCooldown(),
    config.sandbox === 'off'
      ? { probe: { ok: false, why: 'CLAUDEOPS_SANDBOX=off' } as const, okAt: carried.sandboxOkAt }
      : sandboxProbe(ctx, carried.sandboxOkAt),
    store.loadMemory(),
  ]);
  return { checks, checkState, spend, mcp, cooldown, probed, memory };
}

/** Whether the sandbox starts: a success is trusted for ten minutes, a failure is probed again every cycle. */
async function sandboxProbe(
  ctx: CycleContext,
  okAt: number | undefined,
): Promise<{ probe: SandboxProbe; okAt?: number }> {
  if (okAt !== undefined && ctx.now().getTime() - okAt < SANDBOX_PROBE_TTL_MS) return { probe: { ok: true }, okAt };
  const probe = await probeSandbox();
  return { probe, okAt: probe.ok ? ctx.now().getTime() : undefined };
}

/** Why no remediation tier may run, if so. Fail closed: limits that cannot be saved do not hold, so nothing above tier 1 runs. */
async function remediationBlock(ctx: CycleContext, carried: Carried): Promise<string | undefined> {
  const blocked = carried.stateSaveFailure ?? (await ctx.store.stateUnwritable());
  return blocked
    ? `${blocked}; the cooldowns and the daily budget cannot be kept, so no remediation tier runs until it can. Free space in (or fix) the state directory`
    : undefined;
}

/**
 * Each MCP server's tools. Read-only runs may call only the tools servers annotate
 * read-only, so every server is asked; a cycle skipped for the budget runs no tier and
 * starts no server.
 */
async function toolCatalog(
  ctx: CycleContext,
  mcp: MergedMcp,
  sandbox: SandboxProbe,
  skippedReason: string | undefined,
): Promise<McpCatalog> {
  if (skippedReason) return Object.create(null) as McpCatalog;
  return listCatalog(mcp.entries, {
    cwd: ctx.config.appDir,
    timeoutMs: MCP_LIST_TIMEOUT_MS,
    plain: mcp.plain,
    sandbox: sandbox.ok ? listingSandbox(ctx.config) : undefined,
  });
}

/** What is wrong with the checks, what is worth noting, and disabled ids that match none. */
const checkWarnings = (checks: CheckSet): string[] => [
  ...checks.problems.map(describeProblem),
  ...checks.notes.map(describeProblem),
  ...checks.unmatchedDisable.map(
    (d) => `CLAUDEOPS_CHECKS_DISABLE: "${d}" matches no check id; run claudeops validate to list them`,
  ),
];

/** Each server's tools as the record keeps them: read-only and other, or why they could not be listed. */
function toolsByServer(catalog: McpCatalog): CycleRecord['mcpTools'] {
  return Object.fromEntries(
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
}

function logFound(ctx: CycleContext, cycle: { id: string }, checks: CheckSet, focus: Omit<Focus, 'checks'>): void {
  ctx.logger.info(
    {
      cycle: cycle.id,
      checks: checks.checks.length,
      disabled: checks.disabled.length,
      playbooks: checks.playbooks.length,
      skills: checks.skills.length,
    },
    `found ${checks.checks.length} check(s)${checks.disabled.length ? ` (${checks.disabled.length} disabled)` : ''}, ${checks.playbooks.length} playbook(s), ${checks.skills.length} skill(s) in ${Object.keys(checks.repoDirs).length - 1} repo(s)`,
  );
  focus.alerts.forEach((a, i) =>
    ctx.logger.info(
      { cycle: cycle.id, alert: a.name, fingerprint: a.fingerprint, checks: a.checks },
      a.checks.length
        ? `alert ${a.name} names ${focus.named[i]!.join(', ')}: tier 1 looks at ${focus.targeted ? 'those checks only' : 'them'}`
        : `alert ${a.name} names no check${focus.targeted ? '' : ': tier 1 looks at every check, with the alert as context'}`,
    ),
  );
}
