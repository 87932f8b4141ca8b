// The runs under way, by run id, so that an exit in a hurry (a second stop signal) can
// still end them all.
import { signal } from './signal.js';
import { sweep } from './sweep.js';

const active = new Map<string, number>();

/** A run's process has started. */
export function track(runId: string, pid: number | undefined): void {
  if (pid !== undefined) active.set(runId, pid);
}

/** A run's process has ended. */
export function untrack(runId: string): void {
  active.delete(runId);
}

/** The runs under way, as run id and PID. */
export function activeRuns(): [string, number][] {
  return [...active];
}

/** Ends every run under way at once (SIGKILL and the marker sweep): for a second stop signal. */
export function killActiveRuns(): void {
  for (const [runId, pid] of active) {
    signal(pid, 'SIGKILL');
    sweep(runId, pid);
  }
  active.clear();
}
