import type { AlertReply } from '../alerts/intake.js';
import type { Parsed } from '../alerts/payload.js';
import type { ApprovalDesk } from '../desk/desk.js';
import type { Config } from '../config/config.js';
import type { CycleStore } from '../record/cycle-record.js';
import type { LiveHub } from './live.js';
import type { Throttle } from './throttle.js';

/** What the console may ask of the running daemon. */
export interface DaemonControl {
  runNow(): 'started' | 'queued' | 'already queued' | 'stopping';
  /** Stops the running cycle as SIGTERM would, but keeps the daemon; false when none runs. */
  stop(): boolean;
  nextCycleAt(): Date | undefined;
  /** A proposal was approved: run it before the next cycle, which starts now or after the running one. */
  approved(): void;
  /** An alert payload the alerts token brought (refused or not): recorded, and a cycle started or queued for what it asks. */
  alerts(payload: Parsed): AlertReply;
}

export interface ConsoleDeps {
  config: Config;
  store: CycleStore;
  live: LiveHub;
  control: DaemonControl;
  approvals: ApprovalDesk;
  /** How often a forged approval link is recorded per client; one a minute unless a test drives the clock. */
  forgedLinks?: Throttle;
}
