import { z } from 'zod';

// The shapes of the files the store keeps, checked on every read. Only zod here: the
// modules that decide (check-state, cooldown, notify, approval) import these from the
// store, never the other way round.

// --- <state>/checks.json -------------------------------------------------------------

export const checkStatus = z.enum(['healthy', 'degraded', 'unhealthy', 'unknown', 'not_applicable']);

export const checkResultSchema = z.object({
  at: z.string(),
  cycle: z.string(),
  status: checkStatus,
  tier: z.number().int().min(1).max(3).optional(),
  detail: z.string().optional(),
  /** Judged by the check's probes, without a model. */
  by: z.literal('probe').optional(),
  /** What its probe measured: latency (unit ms) or a run probe's value (no unit). */
  value: z.number().optional(),
  unit: z.string().optional(),
});

const checkSchema = z.object({
  title: z.string(),
  services: z.array(z.string()),
  /** The check file's `Severity:` (critical, warning, …), as of its last result. */
  severity: z.string().optional(),
  /** The state after thresholds: what operators are told. */
  status: checkStatus,
  since: z.string(),
  failures: z.number().int().min(0),
  successes: z.number().int().min(0),
  last: z.array(checkResultSchema),
  /** [hour start (ms), good results, judged results], oldest first, 30 days at most. */
  hours: z.array(z.tuple([z.number(), z.number(), z.number()])),
  /** When a tier (not a probe) last judged it: a check with probes is reviewed by the model at CLAUDEOPS_MODEL_REVIEW. */
  reviewedAt: z.string().optional(),
  /** Gone from the repos (or disabled): kept for its history, off the overview. */
  removed: z.object({ at: z.string(), why: z.string() }).optional(),
});

export const checkStateSchema = z.object({
  version: z.literal(1),
  checks: z.record(z.string(), checkSchema),
});

export type CheckState = z.infer<typeof checkStateSchema>;
export type CheckEntry = z.infer<typeof checkSchema>;

export const emptyCheckState = (): CheckState => ({ version: 1, checks: Object.create(null) });

// --- <state>/cooldown.json -----------------------------------------------------------

const actionSchema = z.object({
  at: z.iso.datetime(),
  action: z.enum(['restart', 'redeploy']),
  outcome: z.enum(['succeeded', 'failed', 'skipped', 'dry-run']),
  tier: z.number().int().min(1).max(3),
});

const serviceSchema = z.object({
  actions: z.array(actionSchema),
  consecutiveHealthy: z.number().int().min(0),
});

export const cooldownSchema = z.object({
  version: z.literal(1),
  services: z.record(z.string(), serviceSchema),
  lastRun: z.iso.datetime().optional(),
});

export type CooldownState = z.infer<typeof cooldownSchema>;

export const emptyCooldown = (): CooldownState => ({ version: 1, services: Object.create(null) });

export interface LoadedCooldown {
  state: CooldownState;
  warning?: string;
  /** Set when a Claude Ops file was converted: one line for the log, at info level. */
  converted?: string;
}

// --- <state>/spend.json --------------------------------------------------------------

export const spendSchema = z.object({ day: z.string(), usd: z.number().min(0) });
export type Spend = z.infer<typeof spendSchema>;

export const utcDay = (d = new Date()) => d.toISOString().slice(0, 10);

// --- <state>/notify.json -------------------------------------------------------------

const keyState = z.object({
  state: z.enum(['unhealthy', 'healthy']),
  since: z.string(),
  lastSentAt: z.string().optional(),
  detail: z.string().optional(),
  /** Went unhealthy while notifications were held; told when the hold ends, if it is still unhealthy. */
  held: z.boolean().optional(),
});

export const notifyStateSchema = z.object({
  version: z.literal(1),
  keys: z.record(z.string(), keyState),
  failedCycles: z.number().int().min(0),
  /** UTC day on which the daily budget notice went out. */
  budgetNoticeDay: z.string().optional(),
  /** Since when remediation is paused because the state cannot be saved (told once). */
  stateBlockedSince: z.string().optional(),
  /** Per MCP server: cycles in a row in which it failed to start, and whether that was told. */
  mcp: z.record(z.string(), z.object({ failing: z.number().int().min(0), told: z.boolean() })).optional(),
});

export type NotifyState = z.infer<typeof notifyStateSchema>;

export const emptyNotifyState = (): NotifyState => ({ version: 1, keys: Object.create(null), failedCycles: 0 });

// --- <state>/approvals.json and holds.json -------------------------------------------

export const PROPOSAL_STATES = ['pending', 'approved', 'denied', 'expired', 'executed'] as const;

export const proposalSchema = z.object({
  /** An id becomes a file name (its run's log): letters, digits, - and _ after `p-`, never a path. */
  id: z.string().regex(/^p-[0-9A-Za-z_-]+$/),
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

export const holdsSchema = z.object({
  version: z.literal(1),
  /** By check id: acknowledged while the unhealthy episode that began at `since` lasts. */
  acks: z.record(z.string(), z.object({ since: z.string(), at: z.string(), by: z.string() })),
  /** By check id: no notifications about it until `until`. */
  silences: z.record(z.string(), z.object({ until: z.string(), at: z.string(), by: z.string() })),
});
export type Holds = z.infer<typeof holdsSchema>;

export const emptyApprovals = (): Approvals => ({ version: 1, proposals: Object.create(null) });
export const emptyHolds = (): Holds => ({ version: 1, acks: Object.create(null), silences: Object.create(null) });

// --- <results>/run-<stamp>.json --------------------------------------------------------

/** Every status a cycle can end with (record/cycle-record.ts says what each means). */
export const CYCLE_STATUSES = [
  'healthy',
  'degraded',
  'incomplete',
  'unhealthy',
  'failed',
  'interrupted',
  'skipped',
] as const;
export type StoredCycleStatus = (typeof CYCLE_STATUSES)[number];

const summaryTierSchema = z
  .object({
    tier: z.number().int().min(1).max(3),
    model: z.string(),
    exitClass: z.string(),
    costUsd: z.number(),
    durationMs: z.number(),
    modelUsage: z.record(z.string(), z.object({ costUSD: z.number().optional() }).loose()).optional(),
  })
  .loose();

/** What the store checks of a cycle summary before it shows it; the rest is kept as written. */
export const summarySchema = z
  .object({
    id: z.string(),
    startedAt: z.string(),
    endedAt: z.string(),
    durationMs: z.number(),
    trigger: z.string(),
    dryRun: z.boolean(),
    status: z.enum(CYCLE_STATUSES),
    summary: z.string(),
    costUsd: z.number(),
    tiers: z.array(summaryTierSchema),
    warnings: z.array(z.string()).optional(),
  })
  .loose();

export type StoredSummary = z.infer<typeof summarySchema>;
export type StoredSummaryTier = z.infer<typeof summaryTierSchema>;

// --- <state>/memory.json: what the daemon learned about each check and service --------

export const NOTE_KINDS = ['finding', 'fix', 'expected'] as const;

/** One note: about a check or a service (or both), written by the daemon from a cycle's verdicts. */
export const noteSchema = z.object({
  id: z.string(),
  check: z.string().optional(),
  service: z.string().optional(),
  kind: z.enum(NOTE_KINDS),
  /** A fix's action (restart, redeploy, ...): a later outcome of the same action confirms or contradicts it. */
  action: z.string().optional(),
  text: z.string(),
  /** The cycle that last wrote or confirmed it. */
  cycle: z.string(),
  /** When it was last written, confirmed or contradicted: its age, for decay. */
  at: z.string(),
  confidence: z.number().min(0).max(1),
  /** Times a later cycle confirmed it. */
  confirmed: z.number().int().min(0).default(0),
  /** Pinned by an operator: never decays, never forgotten. */
  pinned: z.boolean().optional(),
  /** When an operator last changed its text. */
  editedAt: z.string().optional(),
});
export type Note = z.infer<typeof noteSchema>;

export const memorySchema = z.object({ version: z.literal(1), notes: z.array(noteSchema) });
export type Memory = z.infer<typeof memorySchema>;
export const emptyMemory = (): Memory => ({ version: 1, notes: [] });
