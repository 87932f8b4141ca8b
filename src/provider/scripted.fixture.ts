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
  /** Awaited while the run is under way, after its session began: an operator's stop, a barrier. */
  during?: (run: AgentRun) => unknown;
  /** Ends with its verdict even when stopped: a run that finished as the stop came. */
  unstoppable?: boolean;
}

/** A reply, or one made when the run starts from what it was handed (tier-1 shards run in no set order). */
export type Scripted = Reply | ((run: AgentRun) => Reply);

/** The check ids a run was handed, from its prompt (`- id \`…\``, as the daemon lists them). */
export const handed = (run: Pick<AgentRun, 'prompt'>): string[] =>
  [...run.prompt.matchAll(/^- id `([^`]+)`/gm)].map((m) => m[1]!);

/** What a tier ran, as the provider was handed it. */
export interface Played {
  tier: TierNumber;
  run: AgentRun;
}

/** Scripted replies per tier, played in order; a tier with none left fails its run as a CLI error. */
export class ScriptedProvider {
  readonly played: Played[] = [];
  /**
   * Runs under way now, and the most that were at once. A run counts from the moment its
   * tier run asks for the provider (before anything it awaits) to its last event, so runs
   * started together count together however their awaits interleave.
   */
  running = 0;
  mostAtOnce = 0;
  private readonly replies: Record<TierNumber, Scripted[]> = { 1: [], 2: [], 3: [] };
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(replies: Partial<Record<TierNumber, Scripted[]>> = {}) {
    this.script(replies);
  }

  /** Resolves once `n` runs are under way at the same time. */
  whenRunning(n: number): Promise<void> {
    if (this.running >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Adds replies to the end of each tier's queue. */
  script(replies: Partial<Record<TierNumber, Scripted[]>>): this {
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
  readonly lookup: ProviderLookup = (_config: Config, tier: TierNumber) => {
    this.mostAtOnce = Math.max(this.mostAtOnce, ++this.running);
    const ready = this.waiters.filter((w) => this.running >= w.n);
    this.waiters = this.waiters.filter((w) => this.running < w.n);
    for (const w of ready) w.resolve();
    return { provider: this.provider(tier), bin: 'scripted-agent' };
  };

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
    try {
      yield* this.reply(tier, run, signal);
    } finally {
      this.running--;
    }
  }

  private async *reply(tier: TierNumber, run: AgentRun, signal: AbortSignal): AsyncIterable<AgentEvent> {
    const next = this.replies[tier].shift();
    const reply = typeof next === 'function' ? next(run) : next;
    yield { kind: 'session', model: run.model, tools: [], mcp: [] };
    if (!reply) {
      yield { kind: 'end', exitClass: 'cli_error', exitCode: 1, error: `no scripted reply left for tier ${tier}` };
      return;
    }
    await reply.during?.(run);
    for (const e of reply.events ?? []) yield e;
    if (reply.fault) throw reply.fault;
    if (signal.aborted && !reply.unstoppable) {
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
