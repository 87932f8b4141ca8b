// What runProcess is given and what it returns: the shapes every runner file shares.

/** One process to run: what, where, with which environment and input. */
export interface Command {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  stdin: string;
  /**
   * A file descriptor on which the command reports, as JSON `{"child-pid": N}`, the
   * process to stop gently (bubblewrap's --info-fd): a cage's PID 1, which bwrap does not
   * forward signals to.
   */
  pidFd?: number;
}

export type StopReason = 'timeout' | 'shutdown';

export interface ProcessEnd {
  exitCode: number | null;
  signal: string | null;
  spawnError?: string;
  stoppedBy?: StopReason;
  durationMs: number;
  /** What the stop sequence did, in order, for the run log. */
  stopSteps: string[];
  /** Leftover processes of the run killed after the CLI ended. */
  swept: number[];
}

export interface RunOptions {
  runId: string;
  timeoutMs: number;
  /** Aborted when the daemon is asked to stop. */
  shutdown: AbortSignal;
  /** How long the whole stop sequence may take on shutdown. */
  shutdownGraceMs: number;
  /**
   * Complete stdout lines, newline-terminated, as they arrive; the Buffer is only valid
   * during the call. A returned promise pauses the CLI's output until it resolves.
   */
  onLines: (lines: Buffer) => Promise<void> | undefined | void;
  onStderr: (line: string) => void;
}
