import type { CheckEntry, CheckState } from '../store/records.js';
import type { CheckResult, CheckStatus } from './results.js';

// Each check's state across cycles (`<state>/checks.json`, kept by the store). Thresholds follow Gatus:
// a check becomes unhealthy after `failure` unhealthy results in a row, and healthy
// again after `success` good results in a row; until then it keeps its state.

const HISTORY = 50;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KEEP_MS = 30 * DAY;

export interface Thresholds {
  failure: number;
  success: number;
}

export interface Transition {
  id: string;
  title: string;
  services: string[];
  from: CheckStatus;
  to: CheckStatus;
  detail?: string;
  since: string;
}

/** What the cycle found besides results: the checks turned off, which leave the overview like removed ones. */
export interface Present {
  disabled: string[];
  /** Repos another instance owns (CLAUDEOPS_INSTANCE): their checks left this one. */
  otherInstances?: string[];
}

/**
 * Folds one cycle's results into the state. Invented ids are not kept. With `present`,
 * a kept check that got no result is marked removed (or disabled) until it is back.
 * Returns the transitions into and out of `unhealthy`, the only ones that are news.
 */
export function applyResults(
  prev: CheckState,
  results: CheckResult[],
  thresholds: (id: string) => Thresholds,
  cycle: string,
  now: Date,
  present?: Present,
): { next: CheckState; transitions: Transition[] } {
  const next: CheckState = { version: 1, checks: Object.create(null) };
  const at = now.toISOString();
  for (const [id, e] of Object.entries(prev.checks))
    if (now.getTime() - Date.parse(e.last.at(-1)?.at ?? e.since) < KEEP_MS) next.checks[id] = structuredClone(e);
  const transitions: Transition[] = [];
  for (const r of results) {
    if (r.invented) continue;
    const e: CheckEntry = next.checks[r.id] ?? {
      title: r.title,
      services: r.services,
      status: 'unknown',
      since: at,
      failures: 0,
      successes: 0,
      last: [],
      hours: [],
    };
    next.checks[r.id] = e;
    delete e.removed;
    Object.assign(e, { title: r.title, services: r.services.length ? r.services : e.services });
    if (r.severity) e.severity = r.severity;
    else delete e.severity;
    e.last = [
      ...e.last,
      {
        at,
        cycle,
        status: r.status,
        ...(r.tier ? { tier: r.tier } : {}),
        ...(r.detail ? { detail: r.detail } : {}),
        ...(r.by ? { by: r.by } : {}),
        ...(r.value !== undefined ? { value: r.value, unit: r.unit ?? '' } : {}),
      },
    ].slice(-HISTORY);
    if (r.tier) e.reviewedAt = at;
    if (r.status !== 'unknown' && r.status !== 'not_applicable') addToHour(e, now, r.status !== 'unhealthy');
    const t = thresholds(r.id);
    const from = e.status;
    const to = nextStatus(e, r.status, t);
    if (to !== from) {
      e.status = to;
      e.since = at;
      if (to === 'unhealthy' || from === 'unhealthy')
        transitions.push({ id: r.id, title: e.title, services: e.services, from, to, detail: r.detail, since: at });
    }
  }
  if (present) markRemoved(next, new Set(results.map((r) => r.id)), present, at);
  return { next, transitions };
}

function markRemoved(state: CheckState, judged: Set<string>, present: Present, at: string): void {
  const disabled = new Set(present.disabled);
  const elsewhere = new Set(present.otherInstances ?? []);
  for (const [id, e] of Object.entries(state.checks)) {
    if (judged.has(id) || e.removed) continue;
    const why = disabled.has(id)
      ? 'disabled by CLAUDEOPS_CHECKS_DISABLE'
      : elsewhere.has(id.split('/')[0]!)
        ? 'its repo belongs to another instance now (CLAUDEOPS_INSTANCE)'
        : 'its file is no longer found';
    e.removed = { at, why };
  }
}

/** The checks an overview shows: those still found. */
export const shownChecks = (state: CheckState): [string, CheckEntry][] =>
  Object.entries(state.checks)
    .filter(([, e]) => !e.removed)
    .sort(([a], [b]) => (a < b ? -1 : 1));

/** The checks off the overview, for a line saying so. */
export const removedChecks = (state: CheckState): [string, CheckEntry][] =>
  Object.entries(state.checks)
    .filter(([, e]) => e.removed)
    .sort(([a], [b]) => (a < b ? -1 : 1));

function nextStatus(e: CheckEntry, result: CheckStatus, t: Thresholds): CheckStatus {
  if (result === 'unknown') return e.status === 'unhealthy' ? 'unhealthy' : 'unknown';
  if (result === 'not_applicable') {
    e.failures = 0;
    e.successes = 0;
    return result;
  }
  if (result === 'unhealthy') {
    e.failures++;
    e.successes = 0;
    return e.failures >= t.failure ? 'unhealthy' : e.status;
  }
  e.successes++;
  e.failures = 0;
  if (e.status === 'unhealthy' && e.successes < t.success) return 'unhealthy';
  return result;
}

function addToHour(e: CheckEntry, now: Date, good: boolean): void {
  const hour = Math.floor(now.getTime() / HOUR) * HOUR;
  const last = e.hours.at(-1);
  if (last && last[0] === hour) {
    last[1] += good ? 1 : 0;
    last[2] += 1;
  } else e.hours.push([hour, good ? 1 : 0, 1]);
  e.hours = e.hours.filter(([h]) => now.getTime() - h < KEEP_MS);
}

/** The share of judged results that were not unhealthy within `windowMs`; undefined with none. */
export function uptime(e: CheckEntry, windowMs: number, now: Date): number | undefined {
  const from = now.getTime() - windowMs;
  let good = 0;
  let total = 0;
  for (const [h, g, t] of e.hours) {
    if (h + HOUR <= from) continue;
    good += g;
    total += t;
  }
  return total ? good / total : undefined;
}

export const UPTIME_WINDOWS = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY } as const;
