// A tier run's plan: everything decided before anything starts, in the daemon's terms.
// Pure: the caller reads the prompt files and probes the sandbox, and hands their
// results in.
import type { Config, TierNumber } from '../config/config.js';
import type { Note } from '../store/records.js';
import { envContext, type EnvContext } from '../context/env-context.js';
import type { CheckDef, CheckSet, Skill } from '../checks/check-set.js';
import { checksPrompt, manifestPrompt } from '../checks/prompt.js';
import { memoryPrompt } from '../memory/recall.js';
import { proposePrompt, type Waiting } from '../approval/prompt.js';
import type { McpCatalog, ServerEntry } from '../mcp/catalog.js';
import type { ExitClass } from '../provider/exit-class.js';
import { sandboxDecision, type SandboxProbe } from '../sandbox/probe.js';
import { verdictJsonSchema } from '../verdict/verdict.js';
import type { Containment } from './fold.js';
import { repoRules, tierPolicy, type TierPolicy } from '../policy/policy.js';

export interface Shard {
  /** From 1. */
  index: number;
  of: number;
  checks: CheckDef[];
}

/** The prompt files' text, as the caller read them, or why one cannot be read. */
export type PromptTexts = { prompt: string; systemPrompt?: string } | { error: string };

export interface PlanInput {
  config: Config;
  tier: TierNumber;
  mcp: { servers: string[]; entries: Record<string, ServerEntry>; catalog: McpCatalog };
  checks: CheckSet;
  sandbox: SandboxProbe;
  handoff: string;
  pending?: readonly Waiting[];
  /** The alert that started the cycle, as evidence for the prompt; empty when none did. */
  alert?: string;
  /** The notes earlier cycles left; the prompt gets those about the checks handed out, within the memory budget. */
  memory?: { notes: readonly Note[]; now: Date };
  shard?: Shard;
  texts: PromptTexts;
  /** What the provider says about running this tier's model. */
  modelWarnings: string[];
}

export interface TierPlan {
  tier: TierNumber;
  model: string;
  shard?: Shard;
  policy: TierPolicy;
  /** Why the run cannot start at all, known before anything starts. */
  refusal?: { exitClass: ExitClass; error: string };
  context: EnvContext;
  prompt: string;
  systemPrompt?: string;
  /** What goes after the system prompt: the environment, the manifests, the handoff, propose mode. */
  instructions: string;
  jsonSchema: string;
  budgetUsd?: number;
  /** The MCP servers the run gets: the catalog's, less those the policy leaves out. */
  mcpEntries: Record<string, ServerEntry>;
  /** The repos' skills this tier may load. */
  skills: Skill[];
  /** What the run could and could not do; the egress count and later warnings come as it runs. */
  containment: Containment;
}

/** The tier's prompt file, then what the daemon found: the checks, the alert, the notes. */
function promptText(file: string, handedOut: CheckSet, input: PlanInput): string {
  const { config, memory } = input;
  const about = { checks: handedOut.checks.map((c) => c.id), services: handedOut.checks.flatMap((c) => c.services) };
  const notes = memory
    ? memoryPrompt(memory.notes, about, config.memory.budgetBytes, memory.now, config.memory.halfLifeDays)
    : '';
  return [file.trimEnd(), checksPrompt(handedOut, input.tier), input.alert, notes].filter(Boolean).join('\n\n') + '\n';
}

export function planTier(input: PlanInput): TierPlan {
  const { config, tier, shard } = input;
  const policy = tierPolicy(config, tier, input.mcp.servers, input.mcp.catalog, repoRules(input.checks, tier));
  const decision = sandboxDecision(config.sandbox, policy.readOnly, input.sandbox);
  const context = envContext(config, tier, policy.readOnly);
  const texts = input.texts;
  const handedOut = shard ? { ...input.checks, checks: shard.checks } : input.checks;
  const omitted = new Set(policy.mcpOmitted ?? []);
  const refusal =
    'error' in texts
      ? { exitClass: 'config' as const, error: texts.error }
      : decision.refuse
        ? { exitClass: 'sandbox' as const, error: decision.refuse }
        : undefined;
  return {
    tier,
    model: config.tiers[tier].model,
    shard,
    policy,
    refusal,
    context,
    prompt: 'prompt' in texts ? promptText(texts.prompt, handedOut, input) : '',
    systemPrompt: 'prompt' in texts ? texts.systemPrompt?.trim() : undefined,
    instructions: [
      `Environment: ${context.line}`,
      manifestPrompt(input.checks),
      input.handoff,
      proposePrompt(config, tier, input.pending),
    ]
      .filter(Boolean)
      .join('\n\n'),
    jsonSchema: verdictJsonSchema,
    budgetUsd: config.budget.perRunUsd,
    mcpEntries: Object.fromEntries(Object.entries(input.mcp.entries).filter(([name]) => !omitted.has(name))),
    skills: input.checks.skills.filter((s) => s.tier <= tier),
    containment: {
      sandboxed: decision.sandboxed,
      readOnly: policy.readOnly,
      propose: policy.propose,
      writable: policy.writable,
      network: policy.network,
      mcpAllowed: policy.mcpAllowed,
      mcpDenied: policy.mcpDenied,
      egressRefused: 0,
      warnings: [...policy.warnings, ...(decision.warning ? [decision.warning] : []), ...input.modelWarnings],
    },
  };
}
