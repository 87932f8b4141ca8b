import type { LiveHub } from '../console/live.js';
import type { CycleContext } from '../cycle/context.js';

/** The cycle's context as the daemon builds it: with the console's live hub. */
export type DaemonContext = CycleContext<LiveHub>;
