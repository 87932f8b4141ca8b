import readline from 'node:readline';
import { execa } from 'execa';
import { LineBuffer } from '../stream/line-buffer.js';
import { RUN_MARKER, sweep } from './sweep.js';

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

/** Runs under way, by run id, so that an exit in a hurry can still end them. */
const active = new Map<string, number>();

/** Ends every run under way at once (SIGKILL and the marker sweep): for a second stop signal. */
export function killActiveRuns(): void {
  for (const [runId, pid] of active) {
    signal(pid, 'SIGKILL');
    sweep(runId, pid);
  }
  active.clear();
}

const INT_GRACE_MS = 5_000;
const TERM_GRACE_MS = 3_000;
const PIPE_DRAIN_MS = 2_000;

/**
 * Runs one CLI process to its end and always returns: it is stopped with SIGINT
 * (the CLI's clean stop), then SIGTERM, then SIGKILL of its process group, on
 * timeout or shutdown; afterwards every process that still carries the run's
 * marker is killed. The end is the process's exit, not its pipes' end, so a
 * grandchild holding stdout open cannot hang the cycle.
 */
export async function runProcess(cmd: Command, opts: RunOptions): Promise<ProcessEnd> {
  const started = Date.now();
  const stopSteps: string[] = [];
  const child = execa(cmd.file, cmd.args, {
    cwd: cmd.cwd,
    env: { ...cmd.env, [RUN_MARKER]: opts.runId },
    extendEnv: false,
    input: cmd.stdin,
    buffer: false,
    reject: false,
    detached: true,
    cleanup: false,
    stdio: ['pipe', 'pipe', 'pipe', ...(cmd.pidFd ? Array<'pipe'>(cmd.pidFd - 2).fill('pipe') : [])],
  });
  child.catch(() => undefined);
  if (child.pid !== undefined) active.set(opts.runId, child.pid);
  const gentle = cmd.pidFd ? reportedPid(child.stdio[cmd.pidFd] as NodeJS.ReadableStream | undefined) : undefined;

  // Complete lines go to onLines as one Buffer per pipe read, so writers do one write
  // per read and nothing is decoded that need not be.
  const lines = new LineBuffer(opts.onLines);
  // While the run log catches up, the CLI's output is paused; that wait is ours, not a stuck pipe.
  let catchingUp: Promise<void> | undefined;
  const stdoutDone = new Promise<void>((resolve) => {
    if (!child.stdout) return resolve();
    const stdout = child.stdout;
    stdout.on('data', (chunk: Buffer) => {
      const wait = lines.push(chunk);
      if (wait) {
        stdout.pause();
        catchingUp = wait.then(() => {
          catchingUp = undefined;
          stdout.resume();
        });
      }
    });
    child.stdout.on('close', resolve);
    child.stdout.on('error', () => resolve());
  });
  if (child.stderr) readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', opts.onStderr);

  let stoppedBy: StopReason | undefined;
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: string | null; error?: string }>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined || err.code === 'ENOENT') {
        exited = true;
        resolve({
          code: null,
          signal: null,
          error: err.code === 'ENOENT' ? `${cmd.file}: command not found` : err.message,
        });
      }
    });
  });

  const stop = async (reason: StopReason, budgetMs: number) => {
    if (stoppedBy || exited) return;
    stoppedBy = reason;
    const intWait = Math.min(INT_GRACE_MS, Math.max(500, budgetMs * 0.5));
    const termWait = Math.min(TERM_GRACE_MS, Math.max(500, budgetMs * 0.3));
    for (const [sig, wait] of [
      ['SIGINT', intWait],
      ['SIGTERM', termWait],
      ['SIGKILL', 0],
    ] as const) {
      if (exited) return;
      stopSteps.push(`${sig} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      signal(sig === 'SIGKILL' ? child.pid : (gentle?.() ?? child.pid), sig);
      if (wait) await within(exit, wait);
    }
  };

  const timer = setTimeout(() => void stop('timeout', opts.timeoutMs), opts.timeoutMs);
  const onShutdown = () => void stop('shutdown', opts.shutdownGraceMs);
  if (opts.shutdown.aborted) onShutdown();
  else opts.shutdown.addEventListener('abort', onShutdown, { once: true });

  const end = await exit;
  active.delete(opts.runId);
  clearTimeout(timer);
  opts.shutdown.removeEventListener('abort', onShutdown);

  const swept = sweep(opts.runId, child.pid ?? 0);
  signal(child.pid, 'SIGKILL');
  // The rest of the output is read to its end, however long the run log takes to catch
  // up; only a pipe that stays open with nothing coming (a grandchild holding it) is cut.
  let drained: boolean | undefined;
  while (!drained) {
    if (catchingUp) await catchingUp;
    drained = await within(
      stdoutDone.then(() => true),
      PIPE_DRAIN_MS,
    );
    if (!drained && !catchingUp) break;
  }
  if (!drained) {
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
  await lines.end();
  return {
    exitCode: end.code,
    signal: end.signal,
    spawnError: end.error,
    stoppedBy,
    durationMs: Date.now() - started,
    stopSteps,
    swept,
  };
}

/** The PID a command reports on its pid fd, once it has (undefined before). */
function reportedPid(stream: NodeJS.ReadableStream | undefined): () => number | undefined {
  let pid: number | undefined;
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    const m = /"child-pid"\s*:\s*(\d+)/.exec(text);
    if (m) pid = Number(m[1]);
  });
  stream?.on('error', () => undefined);
  return () => pid;
}

/**
 * SIGKILL goes to the whole process group; the gentler signals only to the CLI, which
 * stops its children itself. A process already gone is not an error.
 */
function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(sig === 'SIGKILL' ? -pid : pid, sig);
  } catch {
    /* gone already; the marker sweep catches anything it left */
  }
}

/** Waits for the promise at most `ms`; the timer is cleared as soon as it settles, so nothing of the run stays referenced. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
