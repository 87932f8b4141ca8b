import { z } from 'zod';
import { cooldownSchema, emptyCooldown, type CooldownState } from './records.js';

// Upstream Claude Ops (github.com/joestump/claude-ops, skills/cooldowns.md) keeps the same
// file in its own schema; a team switching over brings it along. Records are read one by
// one so that a single odd one (the agent writes this file by hand) does not lose the rest.
const claudeOpsRecord = z.object({ timestamp: z.string(), success: z.boolean().optional() }).loose();
const claudeOpsSchema = z
  .object({
    version: z.undefined().optional(),
    services: z.record(
      z.string(),
      z
        .object({
          restarts: z.array(z.unknown()).optional(),
          redeployments: z.array(z.unknown()).optional(),
          consecutive_healthy: z.number().optional(),
        })
        .loose(),
    ),
    last_run: z.string().nullable().optional(),
  })
  .loose();

export type ClaudeOpsCooldown = z.infer<typeof claudeOpsSchema>;

export interface Converted {
  state: CooldownState;
  restarts: number;
  redeploys: number;
  /** Records without a readable timestamp, left out. */
  unreadable: number;
}

/**
 * Claude Ops' cooldown state in ours: its restarts are tier 2's restarts and its
 * redeployments tier 3's, each `succeeded` or `failed` as its `success` says (both
 * count against the limits, as they do upstream); `consecutive_healthy` and `last_run`
 * carry over. Its `error` texts and `last_daily_digest` have no place here.
 */
export function fromClaudeOps(old: ClaudeOpsCooldown): Converted {
  const out: Converted = { state: emptyCooldown(), restarts: 0, redeploys: 0, unreadable: 0 };
  const records = (
    list: unknown[] | undefined,
    action: 'restart' | 'redeploy',
    tier: 2 | 3,
  ): CooldownState['services'][string]['actions'] =>
    (list ?? []).flatMap((raw) => {
      const r = claudeOpsRecord.safeParse(raw);
      const at = r.success ? Date.parse(r.data.timestamp) : NaN;
      if (!r.success || Number.isNaN(at)) {
        out.unreadable++;
        return [];
      }
      out[action === 'restart' ? 'restarts' : 'redeploys']++;
      return [
        { at: new Date(at).toISOString(), action, outcome: r.data.success === false ? 'failed' : 'succeeded', tier },
      ];
    });
  for (const [name, s] of Object.entries(old.services)) {
    const actions = [...records(s.restarts, 'restart', 2), ...records(s.redeployments, 'redeploy', 3)].sort(
      (a, b) => Date.parse(a.at) - Date.parse(b.at),
    );
    out.state.services[name] = { actions, consecutiveHealthy: Math.max(0, Math.floor(s.consecutive_healthy ?? 0)) };
  }
  const lastRun = old.last_run ? Date.parse(old.last_run) : NaN;
  if (!Number.isNaN(lastRun)) out.state.lastRun = new Date(lastRun).toISOString();
  return out;
}

export type StoredCooldown = { state: CooldownState; old?: undefined } | { state: undefined; old: ClaudeOpsCooldown };

/** Our state, or Claude Ops'; a file that is neither is reported with our schema's complaints. */
export const storedCooldownSchema = z.unknown().transform((value, ctx): StoredCooldown => {
  const ours = cooldownSchema.safeParse(value);
  if (ours.success) return { state: ours.data };
  const old = claudeOpsSchema.safeParse(value);
  if (old.success) return { state: undefined, old: old.data };
  for (const issue of ours.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

/** The one line that says what a conversion carried over. */
export const describeConversion = (c: Converted): string =>
  `${c.restarts} restart(s) and ${c.redeploys} redeployment(s) of ${Object.keys(c.state.services).length} service(s)${c.unreadable ? ` (${c.unreadable} record(s) without a readable timestamp left out)` : ''}`;
