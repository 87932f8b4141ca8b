import type { Allowance } from '../cooldown/cooldown.js';
import type { LinkCheck } from './links.js';
import { contentHash } from './state.js';
import type { Proposal } from '../store/records.js';

/** What holds when an approved proposal would run, checked at approval and again just before it runs. */
export interface Limits {
  dryRun: boolean;
  /** Why the daily budget is spent, if it is. */
  overBudget?: string;
  /** The service's restarts and redeployments left. */
  allowance: Allowance;
}

/** Why an approved proposal may not run now; undefined when it may. */
export function executionRefusal(p: Proposal, limits: Limits): string | undefined {
  if (limits.dryRun) return 'dry run is on (CLAUDEOPS_DRY_RUN=true): nothing is executed, approved or not';
  if (limits.overBudget) return `the daily budget is spent (${limits.overBudget})`;
  if (p.action === 'restart' && limits.allowance.restartsLeft === 0)
    return `${p.service} has no restart left in its cooldown window (${limits.allowance.restarts} already)`;
  if (p.action === 'redeploy' && limits.allowance.redeploysLeft === 0)
    return `${p.service} has no redeployment left in its cooldown window (${limits.allowance.redeploys} already)`;
  return undefined;
}

export interface DecisionInput {
  verb: 'approve' | 'deny';
  proposal: Proposal | undefined;
  /** The content hash the human was shown: from the link, or from the console's form. */
  hash: string;
  /** The link's signature and expiry; undefined for a decision on the console, behind the token. */
  link?: LinkCheck;
  limits: Limits;
  now: Date;
}

export type Decision = { ok: true } | { ok: false; reason: string; expire?: boolean };

/** Why a link whose signature fails is refused. */
export const NOT_GENUINE = 'the link is not genuine: its signature does not match (edited, or signed with another key)';

/**
 * Whether a decision is taken, in order: the link must be genuine, the proposal still
 * pending (links are single-use), unexpired, unchanged since it was proposed, and an
 * approval must pass the limits that will hold when it runs. A denial needs no limits.
 */
export function decide(d: DecisionInput): Decision {
  const p = d.proposal;
  if (d.link === 'bad signature') return { ok: false, reason: NOT_GENUINE };
  if (!p) return { ok: false, reason: 'no such proposal (it may have been pruned)' };
  if (p.state !== 'pending')
    return {
      ok: false,
      reason: `the proposal was already ${p.state}${p.decidedAt ? ` at ${p.decidedAt}` : ''}${p.decidedBy ? ` by ${p.decidedBy}` : ''}; each proposal is decided once`,
    };
  if (d.link === 'expired' || d.now.getTime() > Date.parse(p.expiresAt))
    return { ok: false, reason: `the proposal expired at ${p.expiresAt} (CLAUDEOPS_APPROVAL_TTL)`, expire: true };
  const now = contentHash(p);
  if (now !== p.hash || d.hash !== p.hash)
    return {
      ok: false,
      reason:
        'the proposal changed since it was proposed (its content no longer matches the hash the link or page was made for)',
    };
  if (d.verb === 'approve') {
    const refusal = executionRefusal(p, d.limits);
    if (refusal) return { ok: false, reason: refusal };
  }
  return { ok: true };
}
