import fs from 'node:fs/promises';
import path from 'node:path';

const RUN_FILE = /^run-\d{8}-\d{6}(-\d+)?(-tier\d)?\.(log|jsonl|json)$/;

/**
 * Deletes run logs, event files and cycle summaries older than `days`. Only files
 * named like run files are touched; the receipt ledger never is.
 */
export async function pruneRuns(resultsDir: string, days: number, now = Date.now()): Promise<string[]> {
  if (days <= 0) return [];
  let names: string[];
  try {
    names = await fs.readdir(resultsDir);
  } catch {
    return [];
  }
  const cutoff = now - days * 86_400_000;
  const removed: string[] = [];
  for (const name of names) {
    if (!RUN_FILE.test(name)) continue;
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
