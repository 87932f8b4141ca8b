// The seam between the daemon and an agent CLI. A provider knows how to invoke its
// CLI for a tier, how to read what the CLI prints, and how to tell why a run ended;
// everything past it (the tier run, the story, records, metrics) sees only these
// provider-neutral events.
import type { Config } from '../config/config.js';
import type { VarName } from '../config/schema.js';
import type { ServerEntry } from '../mcp/catalog.js';
import type { TierPolicy } from '../tier/policy.js';
import type { Command } from '../runner/process.js';
import type { ExitClass } from './exit-class.js';
import type { ApiRoute } from '../sandbox/api-proxy.js';
import type { Verdict } from '../verdict/verdict.js';

export interface ModelUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  costUSD?: number;
}

/** How a run ended, as its CLI reported it. */
export interface FinalResult {
  /** The structured verdict, when the run gave one. */
  verdict?: unknown;
  /** The run's last words, as the CLI reports them. */
  text?: string;
  costUsd?: number;
  turns?: number;
  usage: Record<string, ModelUsage>;
  /** Tool calls the CLI's permission rules refused, as `Tool(input)`. */
  denials: { tool: string; input?: unknown }[];
  /** Set when the CLI says the run failed. */
  failure?: { kind: string; status?: number | null; text: string };
}

export type AgentEvent =
  | { kind: 'session'; model: string; tools: string[]; mcp: { name: string; status: string }[] }
  | { kind: 'text'; text: string }
  | { kind: 'tool_call'; id: string; name: string; input: unknown }
  | { kind: 'tool_result'; id: string; name: string; text: string; isError: boolean }
  | { kind: 'verdict'; value: unknown }
  | { kind: 'retry'; attempt?: number; of?: number; delayMs?: number; status?: number | null; error?: string }
  | { kind: 'notice'; text: string }
  | { kind: 'final'; result: FinalResult }
  /** Something the run's process wrote that is no event. */
  | { kind: 'output'; text: string }
  /** A line of the process's error output, redacted. */
  | { kind: 'stderr'; text: string }
  /** Raw output for the run's events file, redacted. */
  | { kind: 'record'; data: Buffer }
  /** The run is weaker than asked, or something about it needs saying. */
  | { kind: 'warning'; text: string }
  /** The run was stopped (timeout or shutdown), and how. */
  | { kind: 'stopped'; by: 'timeout' | 'shutdown'; steps: string[] }
  /** Leftover processes of the run that were killed after it ended. */
  | { kind: 'cleanup'; pids: number[] }
  /** How the run ended: always the last event. */
  | { kind: 'end'; exitClass: ExitClass; exitCode: number | null; error?: string; verdict?: Verdict };

/** What the provider's parser makes of a chunk of output: events, or lines that are not events. */
export interface EventParser {
  parse(lines: Buffer): Generator<{ event?: AgentEvent; text?: string }>;
}

/** One tier run's invocation, in the daemon's terms. */
export interface Invocation {
  bin: string;
  model: string;
  /** What the run may do, in the daemon's terms; the provider turns it into its CLI's. */
  policy: TierPolicy;
  /** The MCP servers the run may start or reach, as the CLI should see them. */
  mcpServers: Record<string, ServerEntry>;
  /** Where the provider's files go (`host` for writing them, `inner` as the CLI sees it; read-only to a caged run). */
  filesDir: { host: string; inner: string };
  /** Replaces the CLI's default system prompt; undefined keeps it. */
  systemPrompt?: string;
  appendSystemPrompt: string;
  /** The verdict's JSON Schema. */
  jsonSchema: string;
  maxBudgetUsd?: number;
  cwd: string;
  prompt: string;
  env: Record<string, string>;
}

/** A provider's process: `files` are written (mode 0600) before it starts; `warnings` go into the run's story. */
export type ProviderCommand = Command & { files?: { path: string; content: string }[]; warnings?: string[] };

export interface RunEnd {
  final?: FinalResult;
  /** The HTTP status of the last retried API error, if any. */
  lastRetryStatus?: number | null;
  stoppedBy?: 'timeout' | 'shutdown';
  exitCode: number | null;
  hasVerdict: boolean;
}

export interface AgentProvider {
  /** As configured in CLAUDEOPS_TIER<N>_PROVIDER. */
  readonly name: string;
  /** For messages: "the Claude Code CLI". */
  readonly cli: string;
  /** The variable that points at its binary. */
  readonly binVariable: string;
  /** The configuration its CLI needs to reach its API, passed into its environment. */
  readonly apiEnv: readonly VarName[];
  /** Whether its CLI also runs the agent's commands in a sandbox of its own, inside the daemon's cage. */
  readonly ownSandbox: boolean;
  /**
   * The model API as a caged run reaches it: the route the daemon's API proxy serves
   * (the real endpoint and credential) and the placeholder variables the CLI gets.
   */
  api?(env: Config['env'], innerOrigin: string): { route: ApiRoute; env: Record<string, string> } | undefined;
  bin(config: Config): string;
  version(bin: string): Promise<{ version?: string; error?: string }>;
  /** The process to run. */
  command(inv: Invocation): ProviderCommand;
  parser(model: string): EventParser;
  classify(end: RunEnd): ExitClass;
  /** What to tell an operator about running a tier on this model (validate and each run's story show it). */
  modelWarnings(model: string): string[];
}
