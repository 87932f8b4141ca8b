import { PROVIDER_OPTIONS, variables, type VarName, type VarSpec } from '../config/schema.js';
import type { Config, TierNumber } from '../config/config.js';

export interface EnvContext {
  /** KEY=value pairs, exported into the CLI's environment. */
  vars: Record<string, string>;
  /** The same as one line, for --append-system-prompt. */
  line: string;
}

/**
 * The runtime facts the agent needs, both as environment variables and as a
 * system-prompt line. Never a secret: the agent learns that notifications are
 * configured, not where they go.
 */
export function envContext(config: Config, tier: TierNumber, readOnly: boolean): EnvContext {
  const vars: Record<string, string> = {
    CLAUDEOPS_TIER: String(tier),
    CLAUDEOPS_DRY_RUN: String(config.dryRun),
    CLAUDEOPS_READ_ONLY: String(readOnly),
    CLAUDEOPS_APP_DIR: config.appDir,
    CLAUDEOPS_STATE_DIR: config.stateDir,
    CLAUDEOPS_RESULTS_DIR: config.resultsDir,
    CLAUDEOPS_REPOS_DIR: config.reposDir,
    CLAUDEOPS_TIER2_MODEL: config.tiers[2].model,
    CLAUDEOPS_TIER3_MODEL: config.tiers[3].model,
    CLAUDEOPS_NOTIFICATIONS: config.notify.urls.length ? 'configured' : 'off',
    ...(config.instance.count > 1 ? { CLAUDEOPS_INSTANCE: `${config.instance.index}/${config.instance.count}` } : {}),
  };
  const line = Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return { vars, line };
}

/** Credentials the agent's commands never see, whether or not they are set. */
export const SECRET_ENV: readonly string[] = [
  ...(Object.keys(variables) as VarName[]).filter((n) => (variables[n] as VarSpec).secret),
  ...Object.values(PROVIDER_OPTIONS).flatMap((p) => p.otherSecrets ?? []),
];

/**
 * Not passed on: variables a parent Claude Code session sets (inherited, they would make
 * the CLI think it is nested), the daemon's own allocator tuning from its entry point,
 * and DOCKER_HOST, which each tier gets from the daemon.
 */
const NOT_INHERITED = [
  'CLAUDECODE',
  'CLAUDE_CODE_SESSION_ID',
  'CLAUDE_CODE_CHILD_SESSION',
  'CLAUDE_CODE_ENTRYPOINT',
  'MALLOC_MMAP_THRESHOLD_',
  'DOCKER_HOST',
];

/**
 * The CLI's environment: the daemon's own (the agent's checks may need it) without any
 * secret but the API credentials, the API settings from the configuration (which may
 * come from .env), the context, and what the tier's containment sets (DOCKER_HOST, TMPDIR).
 */
export function cliEnvironment(
  config: Config,
  ctx: EnvContext,
  extra: Record<string, string>,
  base: NodeJS.ProcessEnv,
  api: readonly VarName[],
): Record<string, string> {
  const env = inheritedEnv(base);
  for (const k of api) {
    const v = config.env[k];
    if (v !== undefined) env[k] = String(v);
  }
  return { ...env, ...ctx.vars, ...extra };
}

/** The daemon's environment without its secrets and what NOT_INHERITED names: what any process it starts may see. */
export function inheritedEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base))
    if (typeof v === 'string' && !NOT_INHERITED.includes(k) && !SECRET_ENV.includes(k)) env[k] = v;
  return env;
}
