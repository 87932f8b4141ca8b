import type { CheckResult } from '../checks/results.js';
import type { Redactor } from '../logger/redactor.js';
import { learn } from '../memory/learn.js';
import type { CycleRecord } from '../record/cycle-record.js';
import type { CycleContext } from './context.js';

/** Notes kept in all, and per check or service: the prompt's budget shows the best of them. */
export const MEMORY_LIMITS = { maxNotes: 400, perSubject: 8 } as const;

/**
 * What the cycle taught, folded into the notes: the daemon writes them from the verdicts,
 * redacted; the agent never writes the state directory.
 */
export async function remember(
  ctx: CycleContext,
  cycle: CycleRecord,
  tier1: CheckResult[],
  redactor: Redactor,
): Promise<void> {
  if (cycle.skippedReason || !cycle.tiers.some((t) => t.verdict)) return;
  const redact = (t: string | undefined) => (t === undefined ? t : redactor.redact(t));
  // Redacted before learning, so a note confirmed later matches the text it was kept with.
  const lesson = {
    cycle: cycle.id,
    now: new Date(cycle.endedAt),
    tiers: cycle.tiers.map((t) => ({
      tier: t.tier,
      durationMs: t.durationMs,
      verdict: t.verdict && {
        ...t.verdict,
        remediations: t.verdict.remediations?.map((m) => ({ ...m, detail: redact(m.detail) })),
      },
    })),
    results: cycle.checks.filter((r) => !r.invented).map((r) => ({ ...r, detail: redact(r.detail) })),
    tier1: tier1.map((r) => ({ ...r, detail: redact(r.detail) })),
  };
  let changes: string[] = [];
  await ctx.store.updateMemory((current) => {
    const learned = learn(current, lesson, { ...MEMORY_LIMITS, halfLifeDays: ctx.config.memory.halfLifeDays });
    changes = learned.changes;
    return learned.memory;
  });
  for (const c of changes) ctx.logger.info({ cycle: cycle.id }, `memory: ${redactor.redact(c)}`);
}
