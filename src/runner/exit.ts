// When a run's process has ended, from its own events: its exit, or a spawn that failed.
import type { ChildProcess } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: string | null;
  /** Why the process could not start. */
  error?: string;
}

export interface ExitWatch {
  exit: Promise<Exit>;
  /** Whether the process has ended (or never started): nothing more to stop. */
  exited: () => boolean;
}

/**
 * The process's end. The end is its exit, not its pipes' end, so a grandchild holding
 * stdout open cannot hold it up; a spawn error counts only when no process started.
 */
export function watchExit(child: ChildProcess, file: string): ExitWatch {
  let exited = false;
  const exit = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined || err.code === 'ENOENT') {
        exited = true;
        resolve({ code: null, signal: null, error: spawnError(err, file) });
      }
    });
  });
  return { exit, exited: () => exited };
}

/** What to say of a spawn error: a missing binary by its name. */
export function spawnError(err: NodeJS.ErrnoException, file: string): string {
  return err.code === 'ENOENT' ? `${file}: command not found` : err.message;
}
