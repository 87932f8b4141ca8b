// The seam between the daemon and an agent. A provider runs one tier's agent from an
// invocation in the daemon's terms and reports what happens as provider-neutral events;
// how it does so (a CLI process, its flags, files and output format, why it ended) is
// its own business. Everything past it (the tier run, the story, records, metrics)
// sees only these events.
import type { Skill } from '../checks/check-set.js';
import type { Config } from '../config/config.js';
import type { VarName } from '../config/schema.js';
import type { ServerEntry } from '../mcp/catalog.js';
import type { TierPolicy } from '../policy/policy.js';
import type { ExitClass } from './exit-class.js';
import type { Redactor } from '../logger/redactor.js';
import type { CageSpec } from '../sandbox/cage.js';
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
  /** Tool calls the CLI's permission rules refused, as `Tool(summary)`. */
  denials: { tool: string; input?: unknown; summary?: string }[];
  /** Set when the CLI says the run failed. */
  failure?: { kind: string; status?: number | null; text: string };
}

export type AgentEvent =
  | { kind: 'session'; model: string; tools: string[]; mcp: { name: string; status: string }[] }
  | { kind: 'text'; text: string }
  /**
   * A tool call. `summary` is its input in a few words on one line, as the provider, which
   * knows its tools, words it (`$ df -h /`); without it the story shows an excerpt of the input.
   */
  | { kind: 'tool_call'; id: string; name: string; input: unknown; summary?: string }
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
  /** What the daemon adds to the system prompt: the environment, the repos' manifests, the handoff, propose mode. */
  instructions: string;
  /** The verdict's JSON Schema. */
  jsonSchema: string;
  /** The most one run may spend (CLAUDEOPS_MAX_BUDGET_USD), for a CLI that can hold it. */
  budgetUsd?: number;
  cwd: string;
  prompt: string;
  env: Record<string, string>;
}

/** One run, ready to start: its invocation, and what the daemon asks of the process around it. */
export interface AgentRun extends Invocation {
  /** Marks every process of the run, so that leftovers can be found and ended. */
  runId: string;
  /** The daemon's cage, when the run is caged; the provider shapes it to its CLI. */
  cage?: CageSpec;
  timeoutMs: number;
  /** How long stopping the run may take when the daemon shuts down. */
  shutdownGraceMs: number;
  /** Hides secrets in what the run prints, before anything reads it. */
  redactor: Pick<Redactor, 'redact' | 'redactBytes'>;
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
  /**
   * The model API as a caged run reaches it: the route the daemon's API proxy serves
   * (the real endpoint and credential) and the placeholder variables the CLI gets.
   */
  api?(env: Config['env'], innerOrigin: string): { route: ApiRoute; env: Record<string, string> } | undefined;
  bin(config: Config): string;
  version(bin: string): Promise<{ version?: string; error?: string }>;
  /**
   * Runs the agent: everything about its CLI (command, files, settings, process, parsing,
   * why it ended) is the provider's. Ends with an `end` event; stops when `signal` aborts.
   */
  run(run: AgentRun, signal: AbortSignal): AsyncIterable<AgentEvent>;
  /** What to tell an operator about running a tier on this model (validate and each run's story show it). */
  modelWarnings(model: string): string[];
  /**
   * Installs the repos' skills in the run's working directory, where its CLI loads a
   * project's skills, before the run starts; returns what could not be installed. A
   * provider without it installs none.
   */
  installSkills?(workDir: string, skills: readonly Skill[]): Promise<string[]>;
  /**
   * The file in its working directory from which its CLI reads a project's instructions;
   * the app's runbook (CLAUDE.md) is copied there. Without it, the run gets no runbook.
   */
  readonly runbookFile?: string;
}
