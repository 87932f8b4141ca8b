import fs from 'node:fs/promises';
import path from 'node:path';
import { isApprovalLog, parseRunFile } from '../store/layout.js';

const DAY = 86_400_000;

/**
 * Deletes run logs, event files, cycle summaries and approval logs older than `days`.
 * Only files named like them are touched; the receipt ledger never is.
 */
export async function pruneRuns(resultsDir: string, days: number, now = Date.now()): Promise<string[]> {
  if (days <= 0) return [];
  let names: string[];
  try {
    names = await fs.readdir(resultsDir);
  } catch {
    return [];
  }
  const cutoff = now - days * DAY;
  const removed: string[] = [];
  for (const name of names) {
    const run = parseRunFile(name);
    if (!run && !isApprovalLog(name)) continue;
    // A run file's name says the day the run started; only files from around the cutoff or before need a stat.
    if (run && run.day > cutoff + DAY) continue;
    const file = path.join(resultsDir, name);
    try {
      if ((await fs.stat(file)).mtimeMs < cutoff) {
        await fs.unlink(file);
        removed.push(name);
      }
    } catch {
      /* gone or not ours; the next cycle tries again */
    }
  }
  return removed;
}
