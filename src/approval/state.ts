import { createHash } from 'node:crypto';
import type { Approvals, Proposal } from '../store/records.js';

// Proposals and holds (`<state>/approvals.json`, `holds.json`) are loaded and saved by the store.

type Content = Pick<Proposal, 'cycle' | 'tier' | 'service' | 'action' | 'commands' | 'why' | 'expected' | 'rollback'>;

/** The hash a proposal's links are bound to: any change to what would run, or why, changes it. */
export const contentHash = (p: Content): string =>
  createHash('sha256')
    .update(JSON.stringify([p.cycle, p.tier, p.service, p.action, p.commands, p.why, p.expected, p.rollback]))
    .digest('hex');

/** Decided proposals kept for the console and the audit trail in the state file (the ledger keeps them all). */
export const KEEP_DECIDED = 200;

/** The state without the oldest decided proposals beyond KEEP_DECIDED. */
export function pruneDecided(state: Approvals): Approvals {
  const decided = Object.values(state.proposals)
    .filter((p) => p.state !== 'pending' && p.state !== 'approved')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  for (const p of decided.slice(0, Math.max(0, decided.length - KEEP_DECIDED))) delete state.proposals[p.id];
  return state;
}
