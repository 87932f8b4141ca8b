import type { Config } from '../config/config.js';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Ledger } from '../receipts/ledger.js';

/** What every stage of a cycle is handed. */
export interface DaemonContext {
  config: Config;
  logger: Logger;
  redactor: Redactor;
  stdout: (text: string) => void;
  /** Aborted when the daemon is asked to stop. */
  shutdown: AbortSignal;
  metrics: Metrics;
  ledger: Ledger;
  /** When old run files were last pruned (ms); retention counts in days, so once an hour is plenty. */
  lastPruneAt: number;
  /** Why the last cycle could not save the cooldown or spend state; until one is saved again, no remediation tier runs. */
  stateSaveFailure?: string;
}
