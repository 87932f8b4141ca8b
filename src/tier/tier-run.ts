import type { Config, TierNumber } from '../config/config.js';
import type { Note } from '../store/records.js';
import type { CheckSet } from '../checks/check-set.js';
import type { Waiting } from '../approval/prompt.js';
import { runnable } from '../files/executable.js';
import type { Logger } from '../logger/logger.js';
import type { Redactor } from '../logger/redactor.js';
import type { McpCatalog, ServerEntry } from '../mcp/catalog.js';
import type { AgentEvent, AgentProvider } from '../provider/provider.js';
import { providerFor, type ProviderLookup } from '../provider/registry.js';
import type { SandboxProbe } from '../sandbox/probe.js';
import type { Store } from '../store/store.js';
import { Story } from './story.js';
import { clock } from '../stream/story-line.js';
import { emptyTally, step, toTierRun, type TierRun } from './fold.js';
import { planTier, type Shard, type TierPlan } from './plan.js';
import { readPromptTexts } from './prompt-files.js';
import { openTierLog } from './tier-log.js';
import { eventLines, footer, header } from './run-story.js';
import { openWorkspace } from './workspace.js';

export interface TierRunInput {
  config: Config;
  tier: TierNumber;
  /** `run-<stamp>` shared by every file of the cycle. */
  stampBase: string;
  runId: string;
  mcp: { file: string; servers: string[]; entries: Record<string, ServerEntry>; catalog: McpCatalog };
  /** The checks, playbooks, skills and repo rules the daemon found for this cycle. */
  checks: CheckSet;
  sandbox: SandboxProbe;
  /** Text handed up from the tier below; empty for tier 1. */
  handoff: string;
  /** Proposals already waiting for a human, named in a propose-mode tier's prompt so it does not repeat them. */
  pending?: readonly Waiting[];
  /** The alert that started the cycle, as evidence for the prompt; empty when none did. */
  alert?: string;
  /** The notes earlier cycles left; the prompt gets those about the checks handed out, within the memory budget. */
  memory?: { notes: readonly Note[]; now: Date };
  /** One of several tier-1 sessions: only these checks are handed to it. */
  shard?: Shard;
  logger: Logger;
  redactor: Redactor;
  stdout: (text: string) => void;
  shutdown: AbortSignal;
  /** Spend already counted today, so the API proxy can hold the daily budget within the run. */
  spentTodayUsd?: number;
  /** Where the tier's provider comes from: the registry, unless a test hands in its own. */
  providers?: ProviderLookup;
  /** Where the run's log and events are written. */
  store: Pick<Store, 'openRunFiles' | 'writeRunLog'>;
  /** The cycle's clock: the run's times and its story's. */
  now?: () => Date;
}

/** One tier: its plan, its agent's events folded into its record, its run log, its workspace. */
export async function runTier(input: TierRunInput): Promise<TierRun> {
  const { config, tier, logger } = input;
  const now = input.now ?? (() => new Date());
  const started = now();
  const { provider, bin } = (input.providers ?? providerFor)(config, tier);
  const texts = await readPromptTexts(config, tier);
  const plan = planTier({ ...input, texts, modelWarnings: provider.modelWarnings(config.tiers[tier].model) });
  const log = openTierLog(input);
  log.story(header(plan, config, started));
  for (const w of plan.containment.warnings) logger.warn({ tier }, w);
  const tally = emptyTally();
  const story = new Story();
  let egressRefused = 0;
  const take = async (event: AgentEvent) => {
    step(tally, event);
    log.story(eventLines(story, event, config, input.shutdown, now()));
    if (event.kind === 'warning') logger.warn({ tier }, event.text);
    if (event.kind === 'record') await log.raw(event.data);
  };
  const refusal = plan.refusal ?? missingBin(plan, provider, bin);
  if (refusal) await take({ kind: 'end', exitCode: null, ...refusal });
  else {
    const space = await openWorkspace({
      ...{ config, plan, provider, bin, runId: input.runId, redactor: input.redactor },
      spentTodayUsd: input.spentTodayUsd ?? 0,
      // A skill that cannot be installed is told in the story only.
      onWarning: (text) => {
        step(tally, { kind: 'warning', text });
        log.story([`warning  ${text}`]);
      },
      onEgress: (line, refused) => {
        if (refused) egressRefused++;
        log.story([`${clock(now())} egress   ${line}`]);
      },
    });
    try {
      for await (const event of provider.run(space.run, input.shutdown)) await take(event);
    } finally {
      await space.close();
    }
  }
  const frame = { tier, model: plan.model, startedAt: started.toISOString(), endedAt: now().toISOString() };
  const containment = { ...plan.containment, egressRefused };
  const run = toTierRun(tally, { ...frame, containment, logFile: log.logName, eventsFile: log.jsonlName });
  log.story(footer(run));
  await log.close();
  run.filesComplete = log.complete;
  return run;
}

/** Inside the cage a missing binary would be the cage's own error; say what it is before starting one. */
function missingBin(plan: TierPlan, provider: AgentProvider, bin: string) {
  if (!plan.containment.sandboxed || runnable(bin, process.env.PATH)) return undefined;
  return {
    exitClass: 'cli_missing' as const,
    error: `${bin}: command not found: install ${provider.cli} or set ${provider.binVariable} to its path`,
  };
}
