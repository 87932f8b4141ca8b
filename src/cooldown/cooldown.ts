import type { Config } from '../config/config.js';
import type { CheckStatus } from '../checks/results.js';
import type { CooldownState } from '../store/records.js';

// The cooldown's decisions; `<state>/cooldown.json` is loaded and saved by the store (one writer).

export type Limits = Config['cooldown'];

export interface Allowance {
  restartsLeft: number;
  redeploysLeft: number;
  restarts: number;
  redeploys: number;
}

/** How many restarts and redeployments a service has left within its windows. */
export function allowance(state: CooldownState, service: string, limits: Limits, now: Date): Allowance {
  const actions = state.services[service]?.actions ?? [];
  const count = (kind: 'restart' | 'redeploy', windowMs: number) =>
    actions.filter(
      (a) =>
        a.action === kind &&
        a.outcome !== 'dry-run' &&
        a.outcome !== 'skipped' &&
        now.getTime() - Date.parse(a.at) < windowMs,
    ).length;
  const restarts = count('restart', limits.restartWindowMs);
  const redeploys = count('redeploy', limits.redeployWindowMs);
  return {
    restarts,
    redeploys,
    restartsLeft: Math.max(0, limits.maxRestarts - restarts),
    redeploysLeft: Math.max(0, limits.maxRedeploys - redeploys),
  };
}

/**
 * Tier 2 may restart, and hands up to tier 3; tier 3 adds only redeployment. So a
 * service with no redeployment left is withheld from tier 3 whatever restarts remain,
 * and one with neither left is withheld from tier 2 too.
 */
export function withheldFrom(tier: 2 | 3, a: Allowance): boolean {
  return tier === 2 ? a.restartsLeft === 0 && a.redeploysLeft === 0 : a.redeploysLeft === 0;
}

/** What a cycle did to services, as the cooldown counts it. */
export interface CycleActions {
  /** Restarts and redeployments every tier's verdict reported. */
  remediations: {
    tier: number;
    service: string;
    action: string;
    outcome: 'succeeded' | 'failed' | 'skipped' | 'dry-run';
  }[];
  /** Each service tier 1 judged, with its status; later tiers' word does not count (they judge their own fixes). */
  tier1: Map<string, CheckStatus>;
}

/**
 * Folds a cycle into the state: remediations from every tier are counted, a service's
 * healthy streak grows only when tier 1 judged it healthy (or degraded) and resets
 * otherwise, and after `resetAfterHealthy` such cycles in a row its counters are
 * cleared. Old actions outside both windows are dropped.
 */
export function applyCycle(state: CooldownState, cycle: CycleActions, limits: Limits, now: Date): CooldownState {
  const next: CooldownState = { ...state, services: Object.create(null) };
  for (const [name, s] of Object.entries(state.services)) next.services[name] = structuredClone(s);
  const service = (name: string) => (next.services[name] ??= { actions: [], consecutiveHealthy: 0 });
  for (const r of cycle.remediations) {
    if (r.action === 'restart' || r.action === 'redeploy')
      service(r.service).actions.push({ at: now.toISOString(), action: r.action, outcome: r.outcome, tier: r.tier });
  }
  for (const [name, status] of cycle.tier1) {
    const s = service(name);
    s.consecutiveHealthy = status === 'healthy' || status === 'degraded' ? s.consecutiveHealthy + 1 : 0;
    if (s.consecutiveHealthy >= limits.resetAfterHealthy) s.actions = [];
  }
  const horizon = Math.max(limits.restartWindowMs, limits.redeployWindowMs);
  for (const s of Object.values(next.services))
    s.actions = s.actions.filter((a) => now.getTime() - Date.parse(a.at) < horizon);
  next.lastRun = now.toISOString();
  return next;
}
