import { createHash } from 'node:crypto';
import { serviceStatuses, type CheckResult } from '../checks/results.js';
import type { Approvals, Proposal } from '../store/records.js';

type Change = Pick<Proposal, 'service' | 'action' | 'commands'>;

/**
 * What a proposal would do to which service, without the cycle, the tier or the model's
 * wording around it: two proposals with the same change hash would run the same
 * commands against the same service, so approving both would do it twice.
 */
export const changeHash = (p: Change): string =>
  createHash('sha256')
    .update(JSON.stringify([p.service, p.action, p.commands]))
    .digest('hex');

/** Proposals that will still run if nothing else happens: pending a decision, or approved and waiting to run. */
export const outstanding = (state: Approvals): Proposal[] =>
  Object.values(state.proposals).filter((p) => p.state === 'pending' || p.state === 'approved');

/** Whether a human can still decide a proposal at `now`: pending, and not expired. */
export const awaitsDecision = (p: Proposal, now: Date): boolean =>
  p.state === 'pending' && Date.parse(p.expiresAt) > now.getTime();

/** Pending proposals a human can still decide at `now`, oldest first. */
export const pendingAt = (state: Approvals, now: Date): Proposal[] =>
  Object.values(state.proposals)
    .filter((p) => awaitsDecision(p, now))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));

export interface Sorted<D extends Change> {
  /** Drafts to park: no outstanding proposal, nor an earlier draft, makes the same change. */
  fresh: D[];
  /** Drafts that repeat an outstanding proposal, with the proposal they repeat. */
  repeats: { draft: D; of: Proposal }[];
}

/**
 * Splits a cycle's drafts into new changes and repeats of outstanding proposals. A
 * draft that repeats an earlier draft of the same cycle is dropped without a trace:
 * only the first of them is parked.
 */
export function sortDrafts<D extends Change>(drafts: readonly D[], waiting: readonly Proposal[]): Sorted<D> {
  const byChange = new Map(waiting.map((p) => [changeHash(p), p]));
  const seen = new Set<string>();
  const out: Sorted<D> = { fresh: [], repeats: [] };
  for (const d of drafts) {
    const key = changeHash(d);
    const of = byChange.get(key);
    if (of) out.repeats.push({ draft: d, of });
    else if (!seen.has(key)) out.fresh.push(d);
    seen.add(key);
  }
  return out;
}

/**
 * Whether a cycle's results show a service healthy again: every check that names it is
 * healthy. A service no check names (the model's own name for it) counts as recovered
 * when every check the daemon handed out that applies is healthy. Unjudged checks recover nothing.
 */
export function serviceRecovered(service: string, results: readonly CheckResult[]): boolean {
  const handed = results.filter((r) => !r.invented);
  const own = serviceStatuses(handed).get(service);
  if (own !== undefined) return own === 'healthy';
  const judged = handed.filter((r) => r.status !== 'not_applicable');
  return judged.length > 0 && judged.every((r) => r.status === 'healthy');
}

/**
 * Pending proposals made moot by a later cycle: what they were about is healthy again,
 * so approving one would act on a service that no longer needs it. Approved ones are
 * left to run: a human already decided them.
 */
export const recoveredSince = (state: Approvals, cycle: { id: string; checks: readonly CheckResult[] }): Proposal[] =>
  Object.values(state.proposals).filter(
    (p) => p.state === 'pending' && p.cycle !== cycle.id && serviceRecovered(p.service, cycle.checks),
  );
