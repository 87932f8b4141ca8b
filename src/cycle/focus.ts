import { alertBrief } from '../alerts/brief.js';
import { matchChecks } from '../alerts/match.js';
import type { Alert } from '../alerts/payload.js';
import type { CheckSet } from '../checks/check-set.js';
import type { CycleRecord } from '../record/cycle-record.js';

/** What a cycle an alert started looks at: the checks its labels name (else all), and the alert as evidence. */
export interface Focus {
  checks: CheckSet;
  /** Only some checks are handed out: the others keep their state, as if this cycle had not been. */
  targeted: boolean;
  /** The prompt section that carries the alerts; empty for a cycle no alert started. */
  brief: string;
  /** What the record keeps of each alert. */
  alerts: NonNullable<CycleRecord['alerts']>;
  /** Per alert, each check it names and why, for the log. */
  named: string[][];
}

/**
 * The checks and brief for a cycle's alerts: tier 1 on the matching checks only, or on
 * all with the alerts as context. `narrow` is false for a cycle an operator (or an
 * approval) asked for, which the alerts joined: it looks at every check.
 */
export function focusOn(set: CheckSet, alerts: readonly Alert[], narrow = true): Focus {
  if (!alerts.length) return { checks: set, targeted: false, brief: '', alerts: [], named: [] };
  const matched = alerts.map((a) => matchChecks(a, set.checks));
  const perAlert = matched.map((m) => m.map(({ check }) => check.id));
  const ids = new Set(perAlert.flat());
  const targeted = narrow && ids.size > 0;
  return {
    checks: targeted ? { ...set, checks: set.checks.filter((c) => ids.has(c.id)) } : set,
    targeted,
    brief: alertBrief(alerts, [...ids], narrow),
    alerts: alerts.map((a, i) => ({
      source: a.source,
      sender: a.sender,
      name: a.name,
      fingerprint: a.fingerprint,
      status: a.status,
      ...(a.startsAt ? { startsAt: a.startsAt } : {}),
      checks: perAlert[i]!,
    })),
    named: matched.map((m) => m.map(({ check, why }) => `${check.id} (${why})`)),
  };
}
