import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Config } from '../config/config.js';
import { runCycle } from '../cycle/cycle.js';
import { FIRST_CYCLE, type Carried } from '../cycle/context.js';
import { startHttp } from '../http/server.js';
import { createLogger, storyWriter, type Logger } from '../logger/logger.js';
import { LiveHub } from '../console/live.js';
import { ApprovalDesk, type DeskDeps } from '../approval/desk.js';
import type { DaemonControl } from '../console/console.js';
import { FileStore } from '../store/file-store.js';
import { Redactor } from '../logger/redactor.js';
import { Metrics } from '../metrics/metrics.js';
import { configuredProviders, providerFor } from '../provider/registry.js';
import { deliver } from '../notify/deliver.js';
import { killActiveRuns } from '../runner/process.js';
import { lookAt, reposDirFinding } from '../config/repos-dir.js';
import { judged, type CycleRecord, type Trigger } from '../record/cycle-record.js';
import { Scheduler } from '../scheduler/scheduler.js';
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
  return {
    config,
    logger,
    redactor,
    stdout,
    live,
    shutdown,
    metrics: new Metrics(),
    store,
    approvals: approvalDesk({ config, logger, redactor, stdout, store }),
    providers: seams.providers ?? providerFor,
    deliver: seams.deliver ?? deliver,
    now: seams.now ?? (() => new Date()),
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
  const { logger } = ctx;
  for (const w of warnings) logger.warn(w);

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

  // Each cycle gets its own stop, so an operator can stop the running cycle without stopping the daemon.
  let cycleStop: AbortController | undefined;
  // What one cycle leaves for the next: handed out of each cycle and into the next.
  let carried: Carried = FIRST_CYCLE;
  const scheduler = new Scheduler({
    schedule: config.schedule,
    logger,
    failureBackoff: config.failureBackoff,
    cycle: async (trigger) => {
      cycleStop = new AbortController();
      const shutdown = AbortSignal.any([controller.signal, cycleStop.signal]);
      try {
        // Approved proposals run first, and the cycle after them verifies what they did.
        const executed = (await ctx.approvals.hasApproved()) ? await ctx.approvals.runApproved({ shutdown }) : [];
        const outcome = await runCycle({ ...ctx, shutdown }, executed.length ? 'approval' : trigger, carried);
        carried = outcome.carried;
        if (executed.length) await ctx.approvals.verified(executed, outcome.record);
        return succeeded(outcome.record);
      } finally {
        cycleStop = undefined;
      }
    },
    onSkip: (reason) => ctx.metrics.skipped(reason),
    onFailures: (n) => ctx.metrics.setConsecutiveFailures(n),
  });

  let server: http.Server | undefined;
  if (config.http.port !== 'off') {
    try {
      const control: DaemonControl = {
        runNow: () => scheduler.trigger(),
        approved: () => void scheduler.trigger(),
        stop: () => {
          if (!cycleStop) return false;
          logger.warn('an operator stopped the running cycle from the console');
          cycleStop.abort('operator');
          return true;
        },
        nextCycleAt: () => scheduler.nextTickAt(),
      };
      server = await startHttp({
        host: config.http.host,
        port: config.http.port,
        health: { health: () => scheduler.health(config.timeoutMs) },
        metrics: ctx.metrics,
        logger,
        console: {
          config,
          store: ctx.store,
          live: ctx.live!,
          control,
          approvals: ctx.approvals,
        },
      });
      // Port 0 asks the OS for one; every cage's egress proxy refuses the console's port, so it must be the bound one.
      if (config.http.port === 0) config.http.port = (server.address() as AddressInfo).port;
    } catch (e) {
      logger.error(
        `the health and metrics endpoint cannot listen on ${config.http.host}:${config.http.port} (${(e as Error).message}); the daemon goes on without it. Set CLAUDEOPS_HTTP_PORT to a free port or to off.`,
      );
    }
  }

  const stopped = new Promise<number>((resolve) => {
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
  scheduler.start();
  const code = await stopped;
  ctx.live?.close();
  server?.close();
  logger.info('claudeops daemon stopped');
  return code;
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
