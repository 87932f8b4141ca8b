import type { TierNumber } from '../config/config.js';
import type { Verdict } from '../verdict/verdict.js';
import type { CheckDef } from './check-set.js';

/** `not_applicable`: the check says it does not apply here; neither good nor unjudged. */
export type CheckStatus = 'healthy' | 'degraded' | 'unhealthy' | 'unknown' | 'not_applicable';

/** One check's result in one cycle, as the summary records it. */
export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** The services this result is about: the verdict's `service`, else the check's `Service:` line. */
  services: string[];
  detail?: string;
  /** The tier whose verdict judged it; absent when none did. */
  tier?: TierNumber;
  /** Judged by the check's probes, without a model. */
  by?: 'probe';
  /** The check file's `Severity:`. */
  severity?: string;
  /** The number its probe measured (latency in ms, or a run probe's value), for its sparkline. */
  value?: number;
  unit?: string;
  /** An id the daemon did not hand out: recorded and flagged, never kept in check history. */
  invented?: boolean;
}

/** The pseudo-check that stands for the verdict when no check file exists. */
export const NO_CHECKS_ID = 'infrastructure';
export const NOT_REPORTED = 'not reported by the agent';

const RANK: Record<CheckStatus, number> = { not_applicable: -1, healthy: 0, degraded: 1, unknown: 2, unhealthy: 3 };
export const worse = (a: CheckStatus, b: CheckStatus): CheckStatus => (RANK[b] > RANK[a] ? b : a);

interface Judged {
  tier: TierNumber;
  verdict?: Verdict;
}

/**
 * Every handed-out check's result, from the verdicts in tier order: a later tier's
 * entry replaces an earlier one for the same check (it re-checked after its fix).
 * Several entries for one check (one per service) fold into the worst. A check no
 * verdict mentions is `unknown`, "not reported by the agent"; an id nobody handed out
 * is kept, flagged. With no check files at all, the verdict's own status stands in.
 */
export function checkResults(checks: CheckDef[], runs: Judged[]): CheckResult[] {
  const byId: Record<string, CheckResult> = Object.create(null);
  const handed: Record<string, CheckDef> = Object.create(null);
  for (const c of checks) {
    handed[c.id] = c;
    byId[c.id] = {
      id: c.id,
      title: c.title,
      status: 'unknown',
      services: c.services,
      detail: NOT_REPORTED,
      ...(c.severity ? { severity: c.severity } : {}),
    };
  }
  if (checks.length === 0) {
    const last = [...runs].reverse().find((r) => r.verdict);
    if (last?.verdict && !last.verdict.checks?.length) {
      byId[NO_CHECKS_ID] = {
        id: NO_CHECKS_ID,
        title: 'Infrastructure',
        status: last.verdict.status,
        services: [],
        detail: last.verdict.summary,
        tier: last.tier,
      };
    }
  }
  for (const run of runs) {
    const fresh: Record<string, CheckResult> = Object.create(null);
    for (const e of run.verdict?.checks ?? []) {
      const def = handed[e.id];
      const services = e.service ? [e.service] : (def?.services ?? []);
      const line = e.detail;
      const was = fresh[e.id];
      if (!was) {
        fresh[e.id] = {
          id: e.id,
          title: def?.title ?? e.id,
          status: e.status,
          services,
          detail: line,
          tier: run.tier,
          ...(def?.severity ? { severity: def.severity } : {}),
          ...(def ? {} : { invented: true }),
        };
        continue;
      }
      was.services = [...new Set([...was.services, ...services])];
      if (worse(was.status, e.status) !== was.status) Object.assign(was, { status: e.status, detail: line });
    }
    Object.assign(byId, fresh);
  }
  return Object.values(byId);
}

/** Each service's status in a set of results: the worst result that names it. A check that does not apply says nothing of its services. */
export function serviceStatuses(results: CheckResult[]): Map<string, CheckStatus> {
  const out = new Map<string, CheckStatus>();
  for (const r of results)
    if (r.status !== 'not_applicable') for (const s of r.services) out.set(s, worse(out.get(s) ?? 'healthy', r.status));
  return out;
}

export type JudgedStatus = 'healthy' | 'degraded' | 'incomplete' | 'unhealthy';

/**
 * The cycle's status from its check results and the last verdict: `unhealthy` when
 * any check is (or the last verdict says so), `incomplete` when some check was not
 * judged, `degraded` when some check is, else `healthy`. Checks that do not apply count for nothing.
 */
export function judgedStatus(results: CheckResult[], last?: Verdict): JudgedStatus {
  if (last?.status === 'unhealthy' || results.some((r) => r.status === 'unhealthy')) return 'unhealthy';
  if (results.some((r) => r.status === 'unknown')) return 'incomplete';
  if (results.some((r) => r.status === 'degraded')) return 'degraded';
  return 'healthy';
}
