// The OpenAI Codex CLI's configuration: its variables, what it needs to run, and the
// daemon settings it honours. Declarations only: it imports nothing but
// src/config/spec.ts, so configuration can read it without loading the provider.
// (Its model prices live with the runs they price, in prices.ts.)
import { credential, httpUrl, nonEmpty, spec, text, type ProviderOptions, type VarSpec } from '../../config/spec.js';

export const codexVariables = {
  OPENAI_API_KEY: spec(
    'Authentication and API',
    'API key for tiers on the codex provider (CLAUDEOPS_TIER<N>_PROVIDER=codex)',
    'the key itself: printable ASCII without spaces, as an HTTP header carries it',
    credential,
    { secret: true },
  ),
  OPENAI_BASE_URL: spec(
    'Authentication and API',
    'Responses API endpoint the Codex CLI talks to (a proxy or gateway); unset means OpenAI',
    'an http(s) URL ending in /v1',
    httpUrl(),
  ),
  CLAUDEOPS_CODEX_BIN: spec(
    'Paths',
    'The OpenAI Codex CLI, for tiers on the codex provider: a name found on PATH or a path',
    'a command name or path',
    text,
    { default: 'codex', to: 'codexBin', resolve: (v: string, ctx) => ctx.command(v) },
  ),
} satisfies Record<string, VarSpec>;

export const codexOptions = {
  name: 'codex',
  cli: 'the OpenAI Codex CLI (@openai/codex)',
  binVariable: 'CLAUDEOPS_CODEX_BIN',
  variables: codexVariables,
  apiEnv: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
  // No `tools`: Codex has no switch per tool, so a tier's tool list is not checked against one.
  honours: ['DENY', 'MCP', 'MCP_TOOLS', 'WRITABLE', 'NETWORK', 'CLAUDEOPS_SYSTEM_PROMPT'],
  ignores: {
    TOOLS: 'Codex has no tool switches: it runs every command through its shell, as its sandbox allows',
    CLAUDEOPS_MAX_BUDGET_USD:
      'the Codex CLI has no spend cap per run; CLAUDEOPS_DAILY_BUDGET_USD still counts its runs at list prices',
  },
  problems: (raw, { requireAuth }) => [
    // Codex's sandbox cannot hide a file from the agent's commands, so a link key kept in the
    // state directory would let a Codex tier forge its own approval: the key must come from
    // the environment, which the agent's commands never see.
    ...((raw.CLAUDEOPS_APPROVAL ?? 'tier3').trim() !== 'none' && !nonEmpty(raw.CLAUDEOPS_APPROVAL_SECRET)
      ? [
          'CLAUDEOPS_APPROVAL_SECRET is unset while a tier runs on the codex provider: Codex cannot keep the agent from reading the link key file in the state directory, so set CLAUDEOPS_APPROVAL_SECRET (openssl rand -hex 32), or CLAUDEOPS_APPROVAL=none',
        ]
      : []),
    ...(requireAuth && !nonEmpty(raw.OPENAI_API_KEY)
      ? [
          'OPENAI_API_KEY is unset: a tier runs on the codex provider (CLAUDEOPS_TIER<N>_PROVIDER=codex), and the Codex CLI needs it to reach the API',
        ]
      : []),
  ],
} as const satisfies ProviderOptions;
