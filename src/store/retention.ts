import { isApprovalLog, parseRunFile } from './layout.js';

const DAY = 86_400_000;

// What retention prunes: run logs, event files, cycle summaries and approval logs
// older than the limit; never the receipt ledger, nor any file named otherwise. The
// store applies the rule to its files.

/**
 * Whether a results file is one retention prunes and may be old enough: a run file's
 * name says the day its run started, so only those from around the cutoff or before
 * need to be looked at.
 */
export function mayPrune(name: string, days: number, now: number): boolean {
  if (days <= 0) return false;
  const run = parseRunFile(name);
  if (run) return run.day <= now - days * DAY + DAY;
  return isApprovalLog(name);
}

/** Whether such a file, last written at `mtimeMs`, is past keeping. */
export const expired = (mtimeMs: number, days: number, now: number): boolean => days > 0 && mtimeMs < now - days * DAY;
