import type { Config } from '../config/config.js';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ApprovalDesk } from '../desk/desk.js';
import type { CycleStore } from '../record/cycle-record.js';
import type { ProviderLookup } from '../provider/registry.js';
import type { deliver } from '../notify/deliver.js';
import type { runProbes } from '../probe/run/run-probes.js';

/** What a cycle tells the console's live view: a cycle begins, a tier starts, the cycle ends. */
export interface CycleLive {
  begin(cycle: string): void;
  tier(tier: number): void;
  end(status: string): void;
}

/** What every stage of a cycle is handed; the daemon's own has the console's whole live hub. */
export interface CycleContext<L extends CycleLive = CycleLive> {
  config: Config;
  logger: Logger;
  redactor: Redactor;
  stdout: (text: string) => void;
  /** Aborted when the daemon is asked to stop, or (reason "operator") when an operator stops the running cycle. */
  shutdown: AbortSignal;
  /** The console's view of the running cycle, when the console is on. */
  live?: L;
  metrics: Metrics;
  /** Every read and write of the state and results directories. */
  store: CycleStore;
  /** Proposals waiting for a human, acknowledgements and silences. */
  approvals: ApprovalDesk;
  /** Each tier's provider: the registry's (`providerFor`), or a test's scripted one. */
  providers: ProviderLookup;
  /** Sends a cycle's notifications: through Apprise (`deliver`), or to a test. */
  deliver: typeof deliver;
  /** Runs the checks' probes: for real (`runProbes`, the default), or a test's. */
  probes?: typeof runProbes;
  /** The time, as the cycle's decisions see it: the wall clock, or a test's. */
  now: () => Date;
}

/** What one cycle leaves for the next: an input and an output of `runCycle`, never the context's. */
export interface Carried {
  /** When old run files were last pruned (ms); retention counts in days, so once an hour is plenty. */
  lastPruneAt: number;
  /** When the sandbox last started in a probe (ms); unset after a failed probe. */
  sandboxOkAt?: number;
  /** Why the last cycle could not save the cooldown or spend state; until one is saved again, no remediation tier runs. */
  stateSaveFailure?: string;
}

/** What the first cycle of a process starts from. */
export const FIRST_CYCLE: Carried = { lastPruneAt: 0 };
