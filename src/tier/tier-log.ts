import type { Config, TierNumber } from '../config/config.js';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import { RunLog } from '../runlog/run-log.js';
import type { Store } from '../store/store.js';
import type { Shard } from './plan.js';

interface TierLogInput {
  config: Config;
  store: Pick<Store, 'openRunFiles'>;
  tier: TierNumber;
  stampBase: string;
  shard?: Shard;
  redactor: Redactor;
  logger: Logger;
  stdout: (text: string) => void;
}

/** A tier run's log and events files (a shard's own, under the cycle's stamp), opened. */
export function openTierLog({ config, store, tier, stampBase, shard, redactor, logger, stdout }: TierLogInput): RunLog {
  return new RunLog(
    store,
    { id: stampBase, tier, shard: shard?.index },
    config.resultsDir,
    shard ? `[tier${tier}.${shard.index}] ` : `[tier${tier}] `,
    redactor,
    logger,
    stdout,
  ).open();
}
