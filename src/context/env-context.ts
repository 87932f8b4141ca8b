import type { Config, TierNumber } from '../config/config.js';

export interface EnvContext {
  /** KEY=value pairs, exported into the CLI's environment. */
  vars: Record<string, string>;
  /** The same as one line, for --append-system-prompt. */
  line: string;
}

/** The runtime facts the agent needs, both as environment variables and as a system-prompt line. */
export function envContext(config: Config, tier: TierNumber): EnvContext {
  const vars: Record<string, string> = {
    CLAUDEOPS_TIER: String(tier),
    CLAUDEOPS_DRY_RUN: String(config.dryRun),
    CLAUDEOPS_STATE_DIR: config.stateDir,
    CLAUDEOPS_RESULTS_DIR: config.resultsDir,
    CLAUDEOPS_REPOS_DIR: config.reposDir,
    CLAUDEOPS_TIER2_MODEL: config.tiers[2].model,
    CLAUDEOPS_TIER3_MODEL: config.tiers[3].model,
  };
  if (config.env.CLAUDEOPS_APPRISE_URLS) vars.CLAUDEOPS_APPRISE_URLS = config.env.CLAUDEOPS_APPRISE_URLS;
  const line = Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return { vars, line };
}

const PASSTHROUGH = ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_BASE_URL', 'CLAUDE_CODE_MAX_RETRIES', 'API_TIMEOUT_MS'] as const;

/**
 * Not passed on: variables a parent Claude Code session sets (inherited, they would make
 * the CLI think it is nested), and the daemon's own allocator tuning from its entry point.
 */
const NOT_INHERITED = ['CLAUDECODE', 'CLAUDE_CODE_SESSION_ID', 'CLAUDE_CODE_CHILD_SESSION', 'CLAUDE_CODE_ENTRYPOINT', 'MALLOC_MMAP_THRESHOLD_'];

/**
 * The CLI's environment: the daemon's own (the agent's checks may need it), the
 * API settings from the configuration (which may come from .env), and the context.
 */
export function cliEnvironment(config: Config, ctx: EnvContext, base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (typeof v === 'string' && !NOT_INHERITED.includes(k)) env[k] = v;
  for (const k of PASSTHROUGH) {
    const v = config.env[k];
    if (v !== undefined) env[k] = String(v);
  }
  return { ...env, ...ctx.vars };
}
