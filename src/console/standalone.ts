import { ApprovalDesk } from '../desk/desk.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logger/logger.js';
import { deliver } from '../notify/deliver.js';
import { Redactor } from '../logger/redactor.js';
import type { CycleRecord } from '../record/cycle-record.js';
import { FileStore } from '../store/file-store.js';
import type { ConsoleDeps, DaemonControl } from './console.js';
import { LiveHub } from './live.js';

/** The console over a results and state directory with no daemon behind it (runs nothing): for tests and the benchmark. */
export function standaloneConsole(config: Config, logger: Logger, control: Partial<DaemonControl> = {}): ConsoleDeps {
  const redactor = new Redactor(config.secrets);
  const store = new FileStore<CycleRecord>(config.resultsDir, config.stateDir, () => undefined);
  return {
    config,
    store,
    live: new LiveHub(),
    control: {
      runNow: () => 'started',
      stop: () => false,
      nextCycleAt: () => undefined,
      approved: () => undefined,
      alerts: () => ({ outcome: 'nothing to start', alerts: [] }),
      ...control,
    },
    approvals: new ApprovalDesk({
      config,
      logger,
      redactor,
      stdout: () => undefined,
      store,
      deliver,
      now: () => new Date(),
    }),
  };
}
