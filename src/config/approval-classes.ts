import type { TierNumber } from './spec.js';

/** What CLAUDEOPS_APPROVAL may name; APPROVAL_CLASSES below says what each gates. */
export const APPROVAL_NAMES = ['none', 'restart', 'redeploy', 'config', 'tier2', 'tier3', 'all'] as const;

export type ApprovalName = (typeof APPROVAL_NAMES)[number];

/**
 * Which tiers each class of CLAUDEOPS_APPROVAL puts in propose mode. The sandbox cannot
 * tell a restart from a redeployment inside one run, so a class gates every tier that
 * could take such an action: tier 2 restarts and edits its writable paths, tier 3 also
 * redeploys.
 */
export const APPROVAL_CLASSES: Record<ApprovalName, { tiers: TierNumber[]; doc: string }> = {
  none: { tiers: [], doc: 'nothing waits for a human; tiers act within their permissions' },
  restart: { tiers: [2, 3], doc: 'restarts of containers or services (tiers 2 and 3 can restart)' },
  config: { tiers: [2, 3], doc: 'changes to files in CLAUDEOPS_TIER2_WRITABLE / CLAUDEOPS_TIER3_WRITABLE' },
  redeploy: { tiers: [3], doc: 'redeployments and rollouts (only tier 3 redeploys)' },
  tier2: { tiers: [2], doc: 'everything tier 2 would change' },
  tier3: { tiers: [3], doc: 'everything tier 3 would change (the default)' },
  all: { tiers: [2, 3], doc: 'every change by any tier' },
};

/** The tiers that run in propose mode under these classes. */
export const proposeTiers = (names: readonly string[]): TierNumber[] =>
  [...new Set(names.flatMap((n) => APPROVAL_CLASSES[n as ApprovalName]?.tiers ?? []))].sort();
