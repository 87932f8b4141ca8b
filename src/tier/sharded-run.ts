import { randomUUID } from 'node:crypto';
import type { CheckDef } from '../checks/check-set.js';
import { runLogName, tierRunBase } from '../store/layout.js';
import { mergeShards } from './shards.js';
import type { TierRun } from './fold.js';
import { runTier, type TierRunInput } from './tier-run.js';

/**
 * Tier 1 as several sessions, at most `parallel` at once, each handed its shard of
 * the checks and stopped by its own timeout. The tier's log (`<cycle>-tier1.log`)
 * indexes the shards' own logs; the result is one merged tier-1 run.
 */
export async function runShardedTier1(
  input: Omit<TierRunInput, 'runId' | 'shard' | 'tier'>,
  shards: CheckDef[][],
  parallel: number,
): Promise<TierRun> {
  const runs: TierRun[] = new Array(shards.length);
  let next = 0;
  const worker = async () => {
    while (next < shards.length) {
      const i = next++;
      runs[i] = await runTier({
        ...input,
        tier: 1,
        runId: randomUUID(),
        shard: { index: i + 1, of: shards.length, checks: shards[i]! },
      });
    }
  };
  input.logger.info(
    { shards: shards.length, parallel },
    `tier 1 runs as ${shards.length} shards of ${shards.map((s) => s.length).join('/')} checks, ${Math.min(parallel, shards.length)} at once`,
  );
  await Promise.all(Array.from({ length: Math.min(parallel, shards.length) }, worker));
  const base = tierRunBase(input.stampBase, 1);
  const merged = mergeShards(runs, shards, runLogName(base));
  const lines = [
    `=== claudeops tier 1 (observe) · ${shards.length} shards, ${Math.min(parallel, shards.length)} at once · ${merged.startedAt} ===`,
    ...merged.shards.map(
      (s) =>
        `shard ${s.index}: ${s.exitClass}${s.status ? ` ${s.status.toUpperCase()}` : ''} · ${s.checks.length} check(s): ${s.checks.join(', ')} · $${s.costUsd.toFixed(4)} · ${(s.durationMs / 1000).toFixed(1)} s · ${s.logFile}`,
    ),
    merged.verdict
      ? `VERDICT  ${merged.verdict.status.toUpperCase()}: ${merged.verdict.summary}${merged.verdict.escalate ? ' (asks to escalate)' : ''}`
      : `FAILED   ${merged.error ?? merged.exitClass}`,
    `--- end · ${merged.exitClass} · cost $${merged.costUsd.toFixed(4)} · ${merged.turns ?? 0} turns · ${(merged.durationMs / 1000).toFixed(1)} s`,
  ];
  try {
    await input.store.writeRunLog({ id: input.stampBase, tier: 1 }, input.redactor.redact(lines.join('\n') + '\n'));
  } catch (e) {
    input.logger.warn(
      `the tier-1 index log cannot be written (${(e as NodeJS.ErrnoException).code ?? e}); each shard's own log stands`,
    );
    merged.filesComplete = false;
  }
  return merged;
}
