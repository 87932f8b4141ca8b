import { createHash } from 'node:crypto';
import { z } from 'zod';
import { writeFileAtomic } from '../state/atomic-file.js';
import { loadJsonState } from '../state/json-state.js';

export const PROPOSAL_STATES = ['pending', 'approved', 'denied', 'expired', 'executed'] as const;

const proposalSchema = z.object({
  id: z.string(),
  cycle: z.string(),
  tier: z.number().int().min(1).max(3),
  service: z.string(),
  action: z.enum(['restart', 'redeploy', 'config', 'other']),
  commands: z.array(z.string()),
  why: z.string(),
  expected: z.string(),
  rollback: z.string(),
  /** SHA-256 of the content above; links are bound to it. */
  hash: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  state: z.enum(PROPOSAL_STATES),
  decidedAt: z.string().optional(),
  /** "signed link", "console session" or "bearer token", with the caller's address. */
  decidedBy: z.string().optional(),
  execution: z
    .object({
      startedAt: z.string(),
      endedAt: z.string(),
      ok: z.boolean(),
      exitCodes: z.array(z.number().nullable()),
      log: z.string(),
      error: z.string().optional(),
    })
    .optional(),
  verification: z.object({ cycle: z.string(), status: z.string() }).optional(),
});

export type Proposal = z.infer<typeof proposalSchema>;

export const approvalsSchema = z.object({ version: z.literal(1), proposals: z.record(z.string(), proposalSchema) });
export type Approvals = z.infer<typeof approvalsSchema>;

const holdsSchema = z.object({
  version: z.literal(1),
  /** By check id: acknowledged while the unhealthy episode that began at `since` lasts. */
  acks: z.record(z.string(), z.object({ since: z.string(), at: z.string(), by: z.string() })),
  /** By check id: no notifications about it until `until`. */
  silences: z.record(z.string(), z.object({ until: z.string(), at: z.string(), by: z.string() })),
});
export type Holds = z.infer<typeof holdsSchema>;

export const emptyApprovals = (): Approvals => ({ version: 1, proposals: Object.create(null) });
export const emptyHolds = (): Holds => ({ version: 1, acks: Object.create(null), silences: Object.create(null) });

export const loadApprovals = (file: string, reader = false) =>
  loadJsonState(file, approvalsSchema, emptyApprovals, 'approval state', reader);
export const loadHolds = (file: string, reader = false) =>
  loadJsonState(file, holdsSchema, emptyHolds, 'acknowledgement state', reader);
export const saveState = (file: string, state: Approvals | Holds): Promise<void> =>
  writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n', 0o600);

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
