import { CYCLE_STATUSES as STORED_STATUSES } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { TierNumber } from '../config/config.js';
import type { TierRun } from '../tier/fold.js';
import type { Transition } from '../checks/check-state.js';
import { judgedStatus, type CheckResult, type JudgedStatus } from '../checks/results.js';

/** What a cycle's record keeps of a proposal it parked (the state file has the rest). */
export interface ParkedProposal {
  id: string;
  hash: string;
  tier: number;
  service: string;
  action: string;
  commands: string[];
  why: string;
  expected: string;
  rollback: string;
  expiresAt: string;
}

export type CycleStatus = JudgedStatus | 'failed' | 'interrupted' | 'skipped';
export const CYCLE_STATUSES: CycleStatus[] = [...STORED_STATUSES];
/** The cycle reached a judgement (whatever it was). */
export const judged = (s: CycleStatus): boolean =>
  s === 'healthy' || s === 'degraded' || s === 'incomplete' || s === 'unhealthy';
export type Trigger = 'schedule' | 'once' | 'operator' | 'approval' | 'alert';

/** Everything one cycle did: `<results>/run-<stamp>.json`. */
export interface CycleRecord {
  id: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  trigger: Trigger;
  /** The alerts that started it (trigger `alert`), each with the checks its labels named. */
  alerts?: {
    source: string;
    sender: string;
    name: string;
    fingerprint: string;
    status: string;
    startsAt?: string;
    checks: string[];
  }[];
  dryRun: boolean;
  status: CycleStatus;
  /** One line an operator can act on. */
  summary: string;
  skippedReason?: string;
  tiers: TierRun[];
  escalations: { from: TierNumber; to: TierNumber }[];
  escalationStopped?: string;
  /** Why no remediation tier may run this cycle: the state that holds the limits cannot be saved. */
  remediationBlocked?: string;
  cooldownWithheld: { service: string; why: string }[];
  /** Each check's result, in the order handed out; invented ids last, flagged. */
  checks: CheckResult[];
  /** Checks turned off by CLAUDEOPS_CHECKS_DISABLE. */
  disabledChecks: string[];
  /** Checks whose state went into or out of unhealthy, after their thresholds. */
  checkChanges: Transition[];
  mcpServers: string[];
  /** Where each merged server came from: "baseline" or a repo's name. */
  mcpSources: Record<string, string>;
  /** Each server's tools as listed at prepare time, split by their readOnlyHint, or why listing failed. */
  mcpTools: Record<string, { readOnly: string[]; other: string[] } | { error: string }>;
  warnings: string[];
  costUsd: number;
  /** Proposals parked for a human in this cycle. */
  proposals?: ParkedProposal[];
  notifications: { kind: string; key: string; ok: boolean; attempts: number; error?: string }[];
}

/**
 * The final status. Skipped, interrupted, or failed when the last tier reached no
 * verdict; otherwise judged from every check's result (see judgedStatus).
 */
export function cycleStatus(runs: TierRun[], results: CheckResult[], skippedReason?: string): CycleStatus {
  if (skippedReason) return 'skipped';
  const last = runs[runs.length - 1];
  if (!last) return byProbesAlone(results) ? judgedStatus(results) : 'failed';
  if (last.exitClass === 'interrupted') return 'interrupted';
  return last.verdict ? judgedStatus(results, last.verdict) : 'failed';
}

export function cycleSummary(
  record: Pick<CycleRecord, 'status' | 'tiers' | 'skippedReason' | 'checks' | 'escalationStopped'>,
): string {
  if (record.status === 'skipped') return `skipped: ${record.skippedReason}`;
  const last = record.tiers[record.tiers.length - 1];
  const probes = record.checks.filter((c) => c.by === 'probe').length;
  if (!last) return byProbesAlone(record.checks) ? probesSummary(record.checks) : record.status;
  if (record.status === 'interrupted')
    return `interrupted in tier ${last.tier}: ${record.escalationStopped ?? 'the run was stopped'}`;
  if (!last.verdict) return `tier ${last.tier} failed (${last.exitClass}): ${withoutCliDiagnostics(last.error ?? '')}`;
  const notJudged = record.checks.filter((c) => c.status === 'unknown' && !c.invented).length;
  const more = probes ? ` (${probes} more judged by their probes)` : '';
  return notJudged
    ? `${last.verdict.summary} (${notJudged} of ${record.checks.filter((c) => !c.invented).length} checks not judged)${more}`
    : `${last.verdict.summary}${more}`;
}

/** Every check judged by its probes, and no model asked. */
const byProbesAlone = (checks: CheckResult[]): boolean => checks.length > 0 && checks.every((c) => c.by === 'probe');

function probesSummary(checks: CheckResult[]): string {
  const not = checks.filter((c) => c.status !== 'healthy');
  return not.length
    ? `${checks.length} check(s) judged by their probes: ${not.map((c) => `${c.id} ${c.status}`).join(', ')}; no model was asked`
    : `all ${checks.length} check(s) healthy by their probes; no model was asked`;
}

/**
 * A run's error without the CLI's internal diagnostics ("[ede_diagnostic] turn aborted
 * (aborted_tools) stop_reason=tool_use"), which the CLI puts among a result's errors and
 * keeps out of its own display.
 */
export function withoutCliDiagnostics(text: string): string {
  return text
    .replace(/\[[a-z_]*diagnostic\][^;]*?(?=; |\)?$)/g, '')
    .replace(/\(; /g, '(')
    .replace(/(; )+(?=; |\)|$)/g, '')
    .replace(/ \(\)/g, '')
    .trim();
}

/** The store as the daemon uses it: cycle summaries are CycleRecords. */
export type CycleStore = Store<CycleRecord>;
