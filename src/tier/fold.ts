// What a tier run amounts to, folded from its events: a pure reducer, so a run's record
// follows from what its provider reported and nothing else.
import type { TierNumber } from '../config/config.js';
import type { ExitClass } from '../provider/exit-class.js';
import type { AgentEvent, FinalResult, ModelUsage } from '../provider/provider.js';
import type { Verdict } from '../verdict/verdict.js';

export const TIER_NAMES: Record<TierNumber, string> = { 1: 'observe', 2: 'investigate', 3: 'remediate' };

export interface TierRun {
  tier: TierNumber;
  model: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  exitClass: ExitClass;
  exitCode: number | null;
  /** What went wrong, in words, when exitClass is not "ok". */
  error?: string;
  verdict?: Verdict;
  /** The verdict's summary, or what went wrong. */
  summary: string;
  turns?: number;
  costUsd: number;
  modelUsage: Record<string, ModelUsage>;
  toolsUsed: Record<string, number>;
  permissionDenials: string[];
  apiRetries: number;
  /** Each MCP server's status as the CLI reported it at start (connected, failed, needs-auth, pending). */
  mcpStatus: Record<string, string>;
  /** What the run could and could not do, and by which mechanism. */
  containment: Containment;
  logFile: string;
  /** The raw events; empty for a sharded tier 1, whose shards each have theirs (see `shards`). */
  eventsFile: string;
  /** Tier 1 split over several sessions: each one's checks, outcome and files. */
  shards?: ShardRecord[];
  /** Whether the run's files were written completely. */
  filesComplete: boolean;
}

/** What a cycle record keeps of each shard of a sharded tier 1. */
export interface ShardRecord {
  index: number;
  checks: string[];
  exitClass: string;
  status?: string;
  summary: string;
  costUsd: number;
  durationMs: number;
  logFile: string;
  eventsFile: string;
}

export interface Containment {
  sandboxed: boolean;
  readOnly: boolean;
  /** The tier ran in propose mode: its changes wait for a human. */
  propose: boolean;
  writable: string[];
  network: string[];
  mcpAllowed: string[];
  mcpDenied: string[];
  /** Requests the egress proxy refused. */
  egressRefused: number;
  /** Why the run was weaker than asked, e.g. an MCP server denied whole. */
  warnings: string[];
}

/** What the events say so far. */
export interface Tally {
  tools: Record<string, number>;
  mcpStatus: Record<string, string>;
  retries: number;
  warnings: string[];
  result?: FinalResult;
  end?: Extract<AgentEvent, { kind: 'end' }>;
}

/** What a run's record holds besides its events: who ran, when, where its files are. */
export type RunFrame = Pick<TierRun, 'tier' | 'model' | 'startedAt' | 'endedAt' | 'logFile' | 'eventsFile'> & {
  containment: Containment;
};

export const emptyTally = (): Tally => ({
  tools: Object.create(null) as Record<string, number>,
  mcpStatus: Object.create(null) as Record<string, string>,
  retries: 0,
  warnings: [],
});

/** One event into the tally. The tally is the caller's own: it is added to, not copied, so a long run costs nothing per event. */
export function step(tally: Tally, event: AgentEvent): Tally {
  switch (event.kind) {
    case 'final':
      tally.result = event.result;
      break;
    case 'session':
      for (const m of event.mcp) tally.mcpStatus[m.name] = m.status;
      break;
    case 'retry':
      tally.retries++;
      break;
    case 'tool_call':
      tally.tools[event.name] = (tally.tools[event.name] ?? 0) + 1;
      break;
    case 'warning':
      tally.warnings.push(event.text);
      break;
    case 'end':
      tally.end = event;
      break;
    default:
      break;
  }
  return tally;
}

/** The run's record from its tally and frame; a run whose events never ended is a CLI error. */
export function toTierRun(tally: Tally, frame: RunFrame): TierRun {
  const { result } = tally;
  const end = tally.end ?? { exitClass: 'cli_error', exitCode: null, error: 'the run ended without a word' };
  const verdict = end.exitClass === 'ok' ? end.verdict : undefined;
  const error = end.exitClass === 'ok' ? undefined : end.error;
  return {
    tier: frame.tier,
    model: frame.model,
    startedAt: frame.startedAt,
    endedAt: frame.endedAt,
    durationMs: Date.parse(frame.endedAt) - Date.parse(frame.startedAt),
    exitClass: end.exitClass,
    exitCode: end.exitCode,
    error,
    verdict,
    summary: verdict?.summary ?? error ?? '',
    turns: result?.turns,
    costUsd: result?.costUsd ?? 0,
    modelUsage: result?.usage ?? {},
    toolsUsed: tally.tools,
    permissionDenials: (result?.denials ?? []).map(
      (d) => `${d.tool}${d.summary !== undefined ? `(${d.summary})` : ''}`,
    ),
    apiRetries: tally.retries,
    mcpStatus: tally.mcpStatus,
    containment: { ...frame.containment, warnings: [...frame.containment.warnings, ...tally.warnings] },
    logFile: frame.logFile,
    eventsFile: frame.eventsFile,
    filesComplete: false,
  };
}

/** A whole run's events folded into its record. */
export function fold(events: Iterable<AgentEvent>, frame: RunFrame): TierRun {
  let tally = emptyTally();
  for (const e of events) tally = step(tally, e);
  return toTierRun(tally, frame);
}
