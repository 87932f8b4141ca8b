// The stop sequence, on timeout or shutdown: SIGINT (the CLI's clean stop), then
// SIGTERM, then SIGKILL of the process group, each given its grace before the next.
import type { StopReason } from './command.js';
import { signal } from './signal.js';
import { within } from './within.js';

const INT_GRACE_MS = 5_000;
const TERM_GRACE_MS = 3_000;

/** The signals in order and how long each waits for the exit, from the time the stop may take. */
export function stopPlan(budgetMs: number): (readonly [NodeJS.Signals, number])[] {
  const intWait = Math.min(INT_GRACE_MS, Math.max(500, budgetMs * 0.5));
  const termWait = Math.min(TERM_GRACE_MS, Math.max(500, budgetMs * 0.3));
  return [
    ['SIGINT', intWait],
    ['SIGTERM', termWait],
    ['SIGKILL', 0],
  ];
}

export interface StopTarget {
  /** The CLI's PID: its process group's too. */
  pid: number | undefined;
  /** The process to stop gently when it is not the CLI (a cage's PID 1), once known. */
  gentle?: () => number | undefined;
  exit: Promise<unknown>;
  exited: () => boolean;
  /** When the run started, for the steps' times. */
  started: number;
}

/** Stops one run, once: the first reason wins, and a run that has ended is left alone. */
export class StopSequence {
  by: StopReason | undefined;
  /** What it did, in order, for the run log. */
  readonly steps: string[] = [];

  constructor(
    private readonly target: StopTarget,
    private readonly send: (pid: number | undefined, sig: NodeJS.Signals) => void = signal,
  ) {}

  async stop(reason: StopReason, budgetMs: number): Promise<void> {
    const t = this.target;
    if (this.by || t.exited()) return;
    this.by = reason;
    for (const [sig, wait] of stopPlan(budgetMs)) {
      if (t.exited()) return;
      this.steps.push(`${sig} after ${((Date.now() - t.started) / 1000).toFixed(1)} s`);
      this.send(sig === 'SIGKILL' ? t.pid : (t.gentle?.() ?? t.pid), sig);
      if (wait) await within(t.exit, wait);
    }
  }

  /** Stops the run at its timeout or on shutdown; returns what takes both back once it has ended. */
  arm(opts: { timeoutMs: number; shutdown: AbortSignal; shutdownGraceMs: number }): () => void {
    const timer = setTimeout(() => void this.stop('timeout', opts.timeoutMs), opts.timeoutMs);
    const onShutdown = () => void this.stop('shutdown', opts.shutdownGraceMs);
    if (opts.shutdown.aborted) onShutdown();
    else opts.shutdown.addEventListener('abort', onShutdown, { once: true });
    return () => {
      clearTimeout(timer);
      opts.shutdown.removeEventListener('abort', onShutdown);
    };
  }
}
