import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Config } from '../config/config.js';
import { runCycle } from '../cycle/cycle.js';
import { FIRST_CYCLE, type Carried } from '../cycle/context.js';
import { startHttp } from '../http/server.js';
import { createLogger, storyWriter, type Logger } from '../logger/logger.js';
import { LiveHub } from '../console/live.js';
import { ApprovalDesk, type DeskDeps } from '../desk/desk.js';
import type { DaemonControl } from '../console/console.js';
import { FileStore } from '../store/file-store.js';
import { Redactor } from '../logger/redactor.js';
import { Metrics } from '../metrics/metrics.js';
import { configuredProviders, providerFor } from '../provider/registry.js';
import { deliver } from '../notify/deliver.js';
import { killActiveRuns } from '../runner/active.js';
import { lookAt, reposDirFinding } from '../config/repos-dir.js';
import { ownership } from '../files/instance.js';
import { listRepos } from '../files/repos.js';
import { judged, type CycleRecord, type Trigger } from '../record/cycle-record.js';
import { Scheduler, type Start } from '../scheduler/scheduler.js';
import type { Alert } from '../alerts/payload.js';
import { AlertIntake } from './alert-intake.js';
import type { DaemonContext } from './context.js';

/** What a test may put in place of the daemon's own: the store, the providers, the notifier, the clock. */
export type ContextSeams = Partial<Pick<DaemonContext, 'store' | 'providers' | 'deliver' | 'now'>>;

export function createContext(config: Config, shutdown: AbortSignal, seams: ContextSeams = {}): DaemonContext {
  const redactor = new Redactor(config.secrets);
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty, redactor });
  const store = seams.store ?? new FileStore<CycleRecord>(config.resultsDir, config.stateDir, (w) => logger.warn(w));
  try {
    store.ledgerKey();
  } catch (e) {
    logger.error(
      `the ledger key in ${config.stateDir} cannot be read or made (${(e as NodeJS.ErrnoException).code ?? e}); receipts written by this process cannot be verified later. Check that the state directory is writable.`,
    );
  }
  const live = new LiveHub();
  const stdout = storyWriter(config.log.pretty, live);
  const send = seams.deliver ?? deliver;
  const now = seams.now ?? (() => new Date());
  return {
    config,
    logger,
    redactor,
    stdout,
    live,
    shutdown,
    metrics: new Metrics(config.instance),
    store,
    approvals: approvalDesk({ config, logger, redactor, stdout, store, deliver: send, now }),
    providers: seams.providers ?? providerFor,
    deliver: send,
    now,
  };
}

/** The desk, with a throw-away link key when the state directory cannot keep one (links then die with the process). */
function approvalDesk(deps: DeskDeps): ApprovalDesk {
  try {
    return new ApprovalDesk(deps);
  } catch (e) {
    deps.logger.error(
      `the link key in ${deps.config.stateDir} cannot be read or made (${(e as NodeJS.ErrnoException).code ?? e}); links in notifications stop working when the daemon restarts. Check that the state directory is writable, or set CLAUDEOPS_APPROVAL_SECRET.`,
    );
    return new ApprovalDesk({
      ...deps,
      config: {
        ...deps.config,
        env: { ...deps.config.env, CLAUDEOPS_APPROVAL_SECRET: randomBytes(32).toString('hex') },
      },
    });
  }
}

/** Signals that stop the daemon, cleanly: a terminal hang-up and SIGQUIT mean stop too, not "die unrecorded". */
export const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];
/** Signals that mean nothing to the daemon. A listener keeps SIGUSR1 from opening Node's inspector. */
export const IGNORED_SIGNALS: NodeJS.Signals[] = ['SIGUSR1', 'SIGUSR2'];

/**
 * Handles the stop signals: the first aborts (the running CLI is stopped cleanly, its
 * run recorded as interrupted) and calls `onStop`; a second exits at once.
 */
function onSignals(controller: AbortController, logger: Logger, onStop: (signal: string) => void): void {
  let received = 0;
  const handler = (signal: NodeJS.Signals) => {
    received++;
    if (received > 1) {
      logger.warn(`second ${signal}: killing the running CLI and exiting now`);
      killActiveRuns();
      process.exit(130);
    }
    logger.info(`${signal} received: stopping (send it again to exit at once)`);
    controller.abort();
    onStop(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  for (const signal of IGNORED_SIGNALS)
    process.on(signal, () =>
      logger.warn(`${signal} received and ignored (the daemon stops on SIGTERM, SIGINT, SIGHUP or SIGQUIT)`),
    );
}

const succeeded = (c: CycleRecord) => judged(c.status);

/** A repos directory that is not there is told at start; `claudeops validate` counts it a problem when it was named. */
async function warnOfReposDir(config: Config, logger: Logger): Promise<void> {
  const { problem, note } = reposDirFinding(config, await lookAt(config.reposDir));
  if (problem) logger.error(problem);
  else if (note) logger.warn(note);
  if (config.instance.count > 1) logger.info(ownership(config.instance, await listRepos(config.reposDir)));
}

/** `claudeops run`: the long-running daemon. Resolves with the exit code once stopped. */
export async function runDaemon(config: Config, warnings: string[]): Promise<number> {
  const lock = new FileStore(config.resultsDir, config.stateDir).lock('run');
  if (!lock.ok) {
    console.error(`claudeops: ${lock.why}`);
    return ONCE_EXIT.config;
  }
  try {
    return await daemonLoop(config, lock.warning ? [...warnings, lock.warning] : warnings);
  } finally {
    lock.release();
  }
}

async function daemonLoop(config: Config, warnings: string[]): Promise<number> {
  const controller = new AbortController();
  const ctx = createContext(config, controller.signal);
  for (const w of warnings) ctx.logger.warn(w);
  await announceStart(ctx);
  const slot: CycleSlot = { carried: FIRST_CYCLE };
  const scheduler = scheduleCycles(ctx, slot);
  const server = await serveHttp(ctx, scheduler, slot);
  const stopped = stopOnSignals(controller, ctx, scheduler);
  scheduler.start();
  const code = await stopped;
  ctx.live?.close();
  server?.close();
  ctx.logger.info('claudeops daemon stopped');
  return code;
}

/** What the daemon keeps between cycles. */
interface CycleSlot {
  /** The running cycle's own stop, so an operator can stop it without stopping the daemon. */
  stop?: AbortController;
  /** What one cycle leaves for the next: handed out of each cycle and into the next. */
  carried: Carried;
}

/** Tells what the daemon starts with: each provider's CLI, the repos directory, the settings. */
async function announceStart(ctx: DaemonContext): Promise<void> {
  const { config, logger } = ctx;
  for (const { provider, bin, tiers } of configuredProviders(config)) {
    const version = await provider.version(bin);
    if (version.version)
      logger.info(
        { [provider.name]: version.version, tiers },
        `${provider.cli} ${version.version}, for tier(s) ${tiers.join(', ')}`,
      );
    else
      logger.error(
        `${provider.cli} cannot be run (${version.error}); cycles will fail until it can. Install it or set ${provider.binVariable}.`,
      );
  }
  await warnOfReposDir(config, logger);
  logger.info(
    {
      schedule: config.schedule,
      dryRun: config.dryRun,
      maxTier: config.maxTier,
      results: config.resultsDir,
      repos: config.reposDir,
    },
    'claudeops daemon starting',
  );
}

function scheduleCycles(ctx: DaemonContext, slot: CycleSlot): Scheduler {
  return new Scheduler({
    schedule: ctx.config.schedule,
    logger: ctx.logger,
    failureBackoff: ctx.config.failureBackoff,
    cycle: (trigger, alerts) => scheduledCycle(ctx, slot, trigger, alerts),
    onSkip: (reason) => ctx.metrics.skipped(reason),
    onFailures: (n) => ctx.metrics.setConsecutiveFailures(n),
  });
}

/** One cycle of the loop, with its own stop; says whether it succeeded. */
async function scheduledCycle(
  ctx: DaemonContext,
  slot: CycleSlot,
  trigger: Start,
  alerts: readonly Alert[],
): Promise<boolean> {
  slot.stop = new AbortController();
  const shutdown = AbortSignal.any([ctx.shutdown, slot.stop.signal]);
  try {
    // Approved proposals run first, and the cycle after them verifies what they did.
    const executed = (await ctx.approvals.hasApproved()) ? await ctx.approvals.runApproved({ shutdown }) : [];
    const outcome = await runCycle({ ...ctx, shutdown }, executed.length ? 'approval' : trigger, slot.carried, alerts);
    slot.carried = outcome.carried;
    if (executed.length) await ctx.approvals.verified(executed, outcome.record);
    return succeeded(outcome.record);
  } finally {
    slot.stop = undefined;
  }
}

/** The health, metrics and console endpoint, unless it is off; the daemon goes on without it when it cannot listen. */
async function serveHttp(ctx: DaemonContext, scheduler: Scheduler, slot: CycleSlot): Promise<http.Server | undefined> {
  const { config, logger } = ctx;
  const { port } = config.http;
  if (port === 'off') return undefined;
  try {
    const server = await startHttp({
      host: config.http.host,
      port,
      health: { health: () => scheduler.health(config.timeoutMs) },
      metrics: ctx.metrics,
      logger,
      console: {
        config,
        store: ctx.store,
        live: ctx.live!,
        control: daemonControl(logger, scheduler, slot, new AlertIntake(ctx, scheduler)),
        approvals: ctx.approvals,
      },
    });
    // Port 0 asks the OS for one; every cage's egress proxy refuses the console's port, so it must be the bound one.
    if (config.http.port === 0) config.http.port = (server.address() as AddressInfo).port;
    return server;
  } catch (e) {
    logger.error(
      `the health and metrics endpoint cannot listen on ${config.http.host}:${config.http.port} (${(e as Error).message}); the daemon goes on without it. Set CLAUDEOPS_HTTP_PORT to a free port or to off.`,
    );
    return undefined;
  }
}

/** What the console may ask of the running daemon. */
function daemonControl(logger: Logger, scheduler: Scheduler, slot: CycleSlot, intake: AlertIntake): DaemonControl {
  return {
    runNow: () => scheduler.trigger(),
    approved: () => void scheduler.trigger(),
    alerts: (payload) => intake.receive(payload),
    stop: () => {
      if (!slot.stop) return false;
      logger.warn('an operator stopped the running cycle from the console');
      slot.stop.abort('operator');
      return true;
    },
    nextCycleAt: () => scheduler.nextTickAt(),
  };
}

/** Resolves with the exit code once a stop signal has stopped the scheduler, or the shutdown grace is over. */
function stopOnSignals(controller: AbortController, ctx: DaemonContext, scheduler: Scheduler): Promise<number> {
  const { config, logger } = ctx;
  return new Promise<number>((resolve) => {
    onSignals(controller, logger, () => {
      const force = setTimeout(() => {
        logger.warn(`the shutdown grace of ${config.shutdownGraceMs / 1000} s is over: exiting`);
        resolve(0);
      }, config.shutdownGraceMs + 2_000);
      force.unref();
      void scheduler.stop().then(() => {
        clearTimeout(force);
        resolve(0);
      });
    });
  });
}

export const ONCE_EXIT = { healthy: 0, unhealthy: 1, config: 2, failed: 3 } as const;

/** `claudeops once`: one cycle, then an exit code for its outcome. */
export async function runOnce(config: Config, warnings: string[], trigger: Trigger = 'once'): Promise<number> {
  const lock = new FileStore(config.resultsDir, config.stateDir).lock('once');
  if (!lock.ok) {
    console.error(`claudeops: ${lock.why}. To have the running daemon run a cycle now, use \`claudeops trigger\`.`);
    return ONCE_EXIT.config;
  }
  try {
    return await onceCycle(config, lock.warning ? [...warnings, lock.warning] : warnings, trigger);
  } finally {
    lock.release();
  }
}

async function onceCycle(config: Config, warnings: string[], trigger: Trigger): Promise<number> {
  const controller = new AbortController();
  const ctx = createContext(config, controller.signal);
  for (const w of warnings) ctx.logger.warn(w);
  await warnOfReposDir(config, ctx.logger);
  onSignals(controller, ctx.logger, () => undefined);
  const { record: cycle } = await runCycle(ctx, trigger);
  if (cycle.status === 'healthy' || cycle.status === 'degraded') return ONCE_EXIT.healthy;
  if (cycle.status === 'unhealthy' || cycle.status === 'incomplete') return ONCE_EXIT.unhealthy;
  return ONCE_EXIT.failed;
}
