import cron, { type ScheduledTask } from 'node-cron';
import type { Schedule } from '../config/config.js';
import { alertKey } from '../alerts/intake.js';
import type { Alert } from '../alerts/payload.js';
import type { Logger } from '../logger/logger.js';

/** Why a cycle starts; an alert's cycle carries its alerts. */
export type Start = 'schedule' | 'operator' | 'alert';

/** What waits for the running cycle to end: an operator's "run now", alerts, or both (one cycle). */
interface Queued {
  operator: boolean;
  alerts: Alert[];
}

export interface SchedulerOptions {
  schedule: Schedule;
  /** Runs one cycle; resolves true when it succeeded (a verdict was reached). */
  cycle: (trigger: Start, alerts: readonly Alert[]) => Promise<boolean>;
  logger: Logger;
  /** Failed cycles in a row after which the wait stretches; 0 never. */
  failureBackoff: number;
  onSkip?: (reason: 'overlap' | 'backoff') => void;
  onFailures?: (consecutive: number) => void;
  /** Milliseconds on a clock that never jumps (default performance.now); injected by tests. */
  monotonic?: () => number;
}

const MAX_STRETCH = 8;

/**
 * Starts a cycle at once and then on every tick: every interval from the first start,
 * or on the cron expression (UTC). Never two cycles at once: a tick that comes while a
 * cycle runs is skipped and logged. After repeated failures the wait between cycles
 * doubles per failure, up to eight times, but the loop never stops.
 *
 * Intervals, backoff and health are measured on a monotonic clock, so setting the
 * wall clock forward or back neither fires a burst of ticks nor stalls the loop; a
 * slot missed while the process was stalled is skipped, not caught up. Cron stays on
 * wall time, and a cron tick sooner than half a period after the last is dropped.
 */
export class Scheduler {
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private task: ScheduledTask | undefined;
  private stopped = false;
  private failures = 0;
  /** Monotonic time of the last cycle start and of the last cron tick; -Infinity before the first. */
  private lastStart = -Infinity;
  private lastCronTick = -Infinity;
  /** Wall time of the last cycle start, for reports. */
  lastCycleStartedAt = 0;
  private readonly mono: () => number;
  private queued: Queued | undefined;
  /** The alerts of the running cycle. */
  private runningAlerts: readonly Alert[] = [];
  private nextAt: number | undefined;

  constructor(private readonly options: SchedulerOptions) {
    this.mono = options.monotonic ?? (() => performance.now());
  }

  start(): void {
    const { schedule } = this.options;
    if (schedule.kind === 'cron') {
      this.task = cron.schedule(
        schedule.expression,
        () => {
          if (this.mono() - this.lastCronTick < this.periodMs / 2)
            return this.options.logger.warn(
              'a cron tick came too soon after the last (the wall clock moved?); it is dropped',
            );
          this.lastCronTick = this.mono();
          this.tick();
        },
        { timezone: 'Etc/UTC', name: 'claudeops' },
      );
    } else {
      const period = schedule.seconds * 1000;
      const first = this.mono();
      const next = (n: number) => {
        this.nextAt = first + n * period;
        this.timer = setTimeout(
          () => {
            this.tick();
            next(Math.max(n + 1, Math.floor((this.mono() - first) / period) + 1));
          },
          Math.max(0, first + n * period - this.mono()),
        );
      };
      next(1);
    }
    this.tick();
  }

  /**
   * "Run now": a cycle at once, or right after the running one ends; never two at
   * once. Backoff does not hold it back: an operator asked.
   */
  trigger(): 'started' | 'queued' | 'already queued' | 'stopping' {
    if (this.stopped) return 'stopping';
    if (this.running) {
      if (this.queued?.operator) return 'already queued';
      this.queued = { operator: true, alerts: this.queued?.alerts ?? [] };
      return 'queued';
    }
    this.startCycle('operator');
    return 'started';
  }

  /** Alerts: a cycle for them at once, or they join the one queued behind the running cycle. */
  alert(alerts: readonly Alert[]): 'started' | 'queued' | 'stopping' {
    if (this.stopped) return 'stopping';
    if (this.running) {
      this.queued = { operator: this.queued?.operator ?? false, alerts: [...(this.queued?.alerts ?? []), ...alerts] };
      return 'queued';
    }
    this.startCycle('alert', alerts);
    return 'started';
  }

  /** Queued alerts (by alertKey) that resolved before their cycle began: they start nothing now. */
  withdraw(keys: ReadonlySet<string>): void {
    if (!this.queued) return;
    const alerts = this.queued.alerts.filter((a) => !keys.has(alertKey(a)));
    this.queued = alerts.length || this.queued.operator ? { ...this.queued, alerts } : undefined;
  }

  /** The running cycle's alerts and those queued (by alertKey): a repeat of one starts nothing. */
  inFlight(): Set<string> {
    return new Set([...this.runningAlerts, ...(this.queued?.alerts ?? [])].map(alertKey));
  }

  /** When the next scheduled tick comes, in wall time (for display). */
  nextTickAt(): Date | undefined {
    if (this.options.schedule.kind === 'cron') return this.task?.getNextRun() ?? undefined;
    return this.nextAt === undefined ? undefined : new Date(Date.now() + (this.nextAt - this.mono()));
  }

  /** Stops ticking and waits for a running cycle to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.task?.destroy();
    await this.running;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Milliseconds between two regular ticks. */
  get periodMs(): number {
    const { schedule } = this.options;
    if (schedule.kind === 'interval') return schedule.seconds * 1000;
    const [a, b] = this.task?.getNextRuns(2) ?? [];
    return a && b ? b.getTime() - a.getTime() : 60_000;
  }

  private tick(): void {
    if (this.stopped) return;
    const { logger } = this.options;
    if (this.running) {
      logger.warn('the previous cycle is still running; this tick is skipped');
      this.options.onSkip?.('overlap');
      return;
    }
    const wait = this.backoffMs();
    if (wait > 0 && this.mono() - this.lastStart < wait) {
      logger.info(
        { consecutiveFailures: this.failures },
        `backing off after ${this.failures} failed cycles; next cycle not before ${new Date(Date.now() + this.lastStart + wait - this.mono()).toISOString()}`,
      );
      this.options.onSkip?.('backoff');
      return;
    }
    this.startCycle('schedule');
  }

  private startCycle(trigger: Start, alerts: readonly Alert[] = []): void {
    const { logger } = this.options;
    this.lastStart = this.mono();
    this.lastCycleStartedAt = Date.now();
    this.runningAlerts = alerts;
    this.running = this.options
      .cycle(trigger, alerts)
      .catch((e) => {
        logger.error(
          { err: e },
          `the cycle failed unexpectedly: ${(e as Error).message}; the next cycle runs on schedule`,
        );
        return false;
      })
      .then((ok) => {
        this.failures = ok ? 0 : this.failures + 1;
        this.options.onFailures?.(this.failures);
      })
      .finally(() => {
        this.running = undefined;
        this.runningAlerts = [];
        const queued = this.queued;
        this.queued = undefined;
        if (queued && !this.stopped) this.startCycle(queued.operator ? 'operator' : 'alert', queued.alerts);
      });
  }

  /**
   * Alive means ticks keep coming and the last cycle started within two periods
   * (stretched by any backoff), with a running cycle allowed its timeout on top.
   */
  health(runTimeoutMs: number): {
    ok: boolean;
    reason: string;
    lastCycleStartedAt: number;
    consecutiveFailures: number;
  } {
    const base = { lastCycleStartedAt: this.lastCycleStartedAt, consecutiveFailures: this.failures };
    if (this.stopped) return { ok: false, reason: 'the scheduler is stopping', ...base };
    const allowed = 2 * Math.max(this.periodMs, this.backoffMs()) + (this.running ? runTimeoutMs : 0) + 5_000;
    if (this.lastStart === -Infinity) return { ok: false, reason: 'no cycle has started yet', ...base };
    const age = this.mono() - this.lastStart;
    if (age > allowed) {
      return {
        ok: false,
        reason: `the last cycle started ${Math.round(age / 1000)} s ago, more than the ${Math.round(allowed / 1000)} s allowed: the scheduler looks stuck`,
        ...base,
      };
    }
    return { ok: true, reason: this.running ? 'a cycle is running' : 'waiting for the next cycle', ...base };
  }

  /** How long after the last start the next cycle may begin; 0 when not backing off. */
  private backoffMs(): number {
    const n = this.options.failureBackoff;
    if (n === 0 || this.failures < n) return 0;
    const stretch = Math.min(MAX_STRETCH, 2 ** (this.failures - n + 1));
    // a little less than whole periods, so the tick that lands exactly on the boundary runs
    return stretch * this.periodMs - Math.min(1000, this.periodMs / 2);
  }
}
