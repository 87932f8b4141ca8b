import path from 'node:path';
import type { Redactor } from '../logger/redactor.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import type { TierNumber } from '../config/config.js';
import type { TierRun } from '../tier/tier-run.js';

export type CycleStatus = 'healthy' | 'unhealthy' | 'failed' | 'interrupted' | 'skipped';
export type Trigger = 'schedule' | 'once';

/** Everything one cycle did: `<results>/run-<stamp>.json`. */
export interface CycleRecord {
  id: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  trigger: Trigger;
  dryRun: boolean;
  status: CycleStatus;
  /** One line an operator can act on. */
  summary: string;
  skippedReason?: string;
  tiers: TierRun[];
  escalations: { from: TierNumber; to: TierNumber }[];
  escalationStopped?: string;
  cooldownWithheld: { service: string; why: string }[];
  mcpServers: string[];
  /** Each server's tools as listed at prepare time, split by their readOnlyHint, or why listing failed. */
  mcpTools: Record<string, { readOnly: string[]; other: string[] } | { error: string }>;
  warnings: string[];
  costUsd: number;
  notifications: { kind: string; key: string; ok: boolean; attempts: number; error?: string }[];
}

/** The final status: the last tier's verdict, or failed when the last tier did not reach one. */
export function cycleStatus(runs: TierRun[], skippedReason?: string): CycleStatus {
  if (skippedReason) return 'skipped';
  const last = runs[runs.length - 1];
  if (!last) return 'failed';
  if (last.exitClass === 'interrupted') return 'interrupted';
  return last.verdict?.status ?? 'failed';
}

export function cycleSummary(record: Pick<CycleRecord, 'status' | 'tiers' | 'skippedReason'>): string {
  if (record.status === 'skipped') return `skipped: ${record.skippedReason}`;
  const last = record.tiers[record.tiers.length - 1];
  if (!last) return record.status;
  return last.verdict ? last.verdict.summary : `tier ${last.tier} failed (${last.exitClass}): ${last.error ?? ''}`;
}

export const summaryFile = (resultsDir: string, id: string) => path.join(resultsDir, `${id}.json`);

export async function writeCycleRecord(resultsDir: string, record: CycleRecord, redactor: Redactor): Promise<string> {
  const file = summaryFile(resultsDir, record.id);
  await writeFileAtomic(file, redactor.redact(JSON.stringify(record, null, 2)) + '\n', 0o640, false);
  return file;
}
