import { randomUUID } from 'node:crypto';
import type { CheckDef } from '../checks/check-set.js';
import { runLogName, tierRunBase } from '../store/layout.js';
import { faultedShards, mergeShards, type ShardRecord } from './shards.js';
import type { TierRun } from './fold.js';
import { runTier, type TierRunInput } from './tier-run.js';

type ShardedInput = Omit<TierRunInput, 'runId' | 'shard' | 'tier'>;

/** A sharded tier 1 one of whose shards threw: what the shards that ended did, to record and count. */
export class ShardFault extends Error {
  constructor(
    readonly run: TierRun,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * Tier 1 as several sessions, at most `parallel` at once, each handed its shard of
 * the checks and stopped by its own timeout. The tier's log (`<cycle>-tier1.log`)
 * indexes the shards' own logs; the result is one merged tier-1 run. When a shard's
 * run throws, the others are stopped and awaited, then a `ShardFault` carries what
 * they did.
 */
export async function runShardedTier1(input: ShardedInput, shards: CheckDef[][], parallel: number): Promise<TierRun> {
  const at = Math.min(parallel, shards.length);
  input.logger.info(
    { shards: shards.length, parallel },
    `tier 1 runs as ${shards.length} shards of ${shards.map((s) => s.length).join('/')} checks, ${at} at once`,
  );
  const { runs, fault } = await runShards(input, shards, at);
  const logFile = runLogName(tierRunBase(input.stampBase, 1));
  if (!fault) {
    const merged = mergeShards(runs as TierRun[], shards, logFile);
    await writeIndex(input, shards.length, at, merged);
    return merged;
  }
  const why = fault.cause instanceof Error ? fault.cause.message : String(fault.cause);
  const ended = faultedShards(runs, shards, logFile, { index: fault.index, why });
  if (!ended) throw fault.cause;
  await writeIndex(input, shards.length, at, ended);
  throw new ShardFault(ended, fault.cause);
}

/**
 * The shards' runs, by their place; none for a shard that threw or never started. A
 * shard that throws stops the others (their processes must not outlive the cycle that
 * records them) and no further shard starts.
 */
async function runShards(
  input: ShardedInput,
  shards: CheckDef[][],
  at: number,
): Promise<{ runs: (TierRun | undefined)[]; fault?: { index: number; cause: unknown } }> {
  const runs: (TierRun | undefined)[] = shards.map(() => undefined);
  const faulted = new AbortController();
  let fault: { index: number; cause: unknown } | undefined;
  let next = 0;
  const worker = async () => {
    while (next < shards.length && !fault) {
      const i = next++;
      try {
        runs[i] = await runTier({
          ...input,
          // A signal of each shard's own, so that its listeners are its own.
          shutdown: AbortSignal.any([input.shutdown, faulted.signal]),
          tier: 1,
          runId: randomUUID(),
          shard: { index: i + 1, of: shards.length, checks: shards[i]! },
        });
      } catch (cause) {
        fault ??= { index: i, cause };
        faulted.abort('fault');
      }
    }
  };
  await Promise.all(Array.from({ length: at }, worker));
  return { runs, fault };
}

/** The tier's own log: each shard's outcome and log, then the merged outcome. */
async function writeIndex(
  input: ShardedInput,
  count: number,
  at: number,
  merged: TierRun & { shards: ShardRecord[] },
): Promise<void> {
  const lines = [
    `=== claudeops tier 1 (observe) · ${count} shards, ${at} at once · ${merged.startedAt} ===`,
    ...merged.shards.map(
      (s) =>
        `shard ${s.index}: ${s.exitClass}${s.status ? ` ${s.status.toUpperCase()}` : ''} · ${s.checks.length} check(s): ${s.checks.join(', ')} · $${s.costUsd.toFixed(4)} · ${(s.durationMs / 1000).toFixed(1)} s · ${s.logFile}`,
    ),
    merged.verdict
      ? `VERDICT  ${merged.verdict.status.toUpperCase()}: ${merged.verdict.summary}${merged.verdict.escalate ? ' (asks to escalate)' : ''}`
      : `${merged.exitClass === 'interrupted' ? 'STOPPED ' : 'FAILED  '} ${merged.error ?? merged.exitClass}`,
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
}
