// A provider for tests of the daemon's logic: no process, no CLI, no cage. Each tier
// plays the next of its scripted replies as provider-neutral events, ending with a
// verdict and an `end` event as a real provider would, so a whole cycle runs in memory.
import type { Config, TierNumber } from '../config/config.js';
import type { ProviderLookup } from './registry.js';
import type { AgentEvent, AgentProvider, AgentRun } from './provider.js';
import type { ExitClass } from './exit-class.js';
import { parseVerdict } from '../verdict/verdict.js';

/** One run's reply: a verdict (checked as a real one is), or a failure; a fault throws out of the run. */
export interface Reply {
  verdict?: unknown;
  costUsd?: number;
  /** Ends the run this way instead of with the verdict. */
  fail?: { exitClass: Exclude<ExitClass, 'ok'>; error: string };
  /** Events before the verdict (text, tool calls, a session with MCP statuses...). */
  events?: AgentEvent[];
  /** Thrown by the provider after its events: a fault injected into the tier run. */
  fault?: Error;
}

/** What a tier ran, as the provider was handed it. */
export interface Played {
  tier: TierNumber;
  run: AgentRun;
}

/** Scripted replies per tier, played in order; a tier with none left fails its run as a CLI error. */
export class ScriptedProvider {
  readonly played: Played[] = [];
  private readonly replies: Record<TierNumber, Reply[]> = { 1: [], 2: [], 3: [] };

  constructor(replies: Partial<Record<TierNumber, Reply[]>> = {}) {
    this.script(replies);
  }

  /** Adds replies to the end of each tier's queue. */
  script(replies: Partial<Record<TierNumber, Reply[]>>): this {
    for (const tier of [1, 2, 3] as const) this.replies[tier].push(...(replies[tier] ?? []));
    return this;
  }

  /** The runs of one tier so far. */
  runsOf(tier: TierNumber): AgentRun[] {
    return this.played.filter((p) => p.tier === tier).map((p) => p.run);
  }

  /** Replies not played yet, per tier. */
  left(): Record<TierNumber, number> {
    return { 1: this.replies[1].length, 2: this.replies[2].length, 3: this.replies[3].length };
  }

  /** For the context's `providers`: every tier runs here. */
  readonly lookup: ProviderLookup = (_config: Config, tier: TierNumber) => ({
    provider: this.provider(tier),
    bin: 'scripted-agent',
  });

  private provider(tier: TierNumber): AgentProvider {
    return {
      name: 'scripted',
      cli: 'the scripted agent',
      binVariable: 'CLAUDEOPS_CLAUDE_BIN',
      apiEnv: [],
      bin: () => 'scripted-agent',
      version: () => Promise.resolve({ version: 'scripted' }),
      modelWarnings: () => [],
      run: (run, signal) => this.play(tier, run, signal),
    };
  }

  private async *play(tier: TierNumber, run: AgentRun, signal: AbortSignal): AsyncIterable<AgentEvent> {
    this.played.push({ tier, run });
    const reply = this.replies[tier].shift();
    yield { kind: 'session', model: run.model, tools: [], mcp: [] };
    if (!reply) {
      yield { kind: 'end', exitClass: 'cli_error', exitCode: 1, error: `no scripted reply left for tier ${tier}` };
      return;
    }
    for (const e of reply.events ?? []) yield e;
    if (reply.fault) throw reply.fault;
    if (signal.aborted) {
      yield { kind: 'stopped', by: 'shutdown', steps: [] };
      yield { kind: 'end', exitClass: 'interrupted', exitCode: null, error: 'stopped' };
      return;
    }
    if (reply.verdict !== undefined) yield { kind: 'verdict', value: reply.verdict };
    yield {
      kind: 'final',
      result: { verdict: reply.verdict, costUsd: reply.costUsd ?? 0, turns: 1, usage: {}, denials: [] },
    };
    if (reply.fail) {
      yield { kind: 'end', exitClass: reply.fail.exitClass, exitCode: 1, error: reply.fail.error };
      return;
    }
    const parsed = parseVerdict(reply.verdict);
    yield parsed.verdict
      ? { kind: 'end', exitClass: 'ok', exitCode: 0, verdict: parsed.verdict }
      : { kind: 'end', exitClass: 'no_verdict', exitCode: 0, error: `no verdict (${parsed.error})` };
  }
}
