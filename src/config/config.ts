import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { isExecutable, runnable } from '../files/executable.js';
import { proposeTiers } from '../approval/classes.js';
import { envSchema, variables, type Env, type VarName, type VarSpec } from './schema.js';

export type TierNumber = 1 | 2 | 3;

export interface TierSettings {
  tier: TierNumber;
  /** The agent CLI it runs on (see src/provider/registry.ts). */
  provider: string;
  model: string;
  promptFile: string;
  tools: string[];
  deny: string[];
  mcp: string[];
  /** MCP tools (server__tool) allowed when the tier is read-only, besides annotated read-only ones. */
  mcpTools: string[];
  /** Absolute paths the tier may change; always empty for tier 1. */
  writable: string[];
  /** Hosts its commands may reach through the egress proxy. */
  network: string[];
}

/** Notifications are held from each start of `cron` (UTC) for `durationMs`. */
export interface MaintenanceWindow {
  cron: string;
  durationMs: number;
}

export type SandboxMode = 'required' | 'auto' | 'off';

export type Schedule = { kind: 'interval'; seconds: number } | { kind: 'cron'; expression: string };

export interface Config {
  env: Env;
  appDir: string;
  stateDir: string;
  resultsDir: string;
  reposDir: string;
  claudeBin: string;
  codexBin: string;
  schedule: Schedule;
  timeoutMs: number;
  shutdownGraceMs: number;
  failureBackoff: number;
  maxTier: TierNumber;
  dryRun: boolean;
  /** Tier-1 shards: how many sessions at once, and the most checks in one. */
  tier1: { parallel: number; shardSize: number };
  /** A system prompt file that replaces the CLI's default one; undefined keeps the default. */
  systemPromptFile?: string;
  tiers: Record<TierNumber, TierSettings>;
  sandbox: SandboxMode;
  /** The Docker Engine API the agent may use, if any. */
  dockerHost?: string;
  /** Hosts a read-only run may tunnel to (CONNECT). */
  readOnlyTlsHosts: string[];
  /** The .env file the configuration was read from; denied to the agent. */
  dotenvFile: string;
  mcpTrustedRepos: string[];
  mcpAllowOverride: string[];
  mcpInheritEnv: string[];
  checks: { disable: string[]; failureThreshold: number; successThreshold: number };
  cooldown: {
    maxRestarts: number;
    restartWindowMs: number;
    maxRedeploys: number;
    redeployWindowMs: number;
    resetAfterHealthy: number;
  };
  budget: { perRunUsd?: number; dailyUsd?: number };
  notify: { urls: string[]; bin: string; remindMs: number; failures: number; maintenance: MaintenanceWindow[] };
  approval: {
    classes: string[];
    /** Tiers that run in propose mode: read-only, ending with proposals for a human. */
    proposeTiers: TierNumber[];
    ttlMs: number;
    /** Where links in notifications point; undefined when the HTTP port is off or picked at random. */
    publicUrl?: string;
  };
  retentionDays: number;
  http: { port: number | 'off'; host: string };
  log: { level: string; pretty: boolean };
  /** Values that must never reach a log or a record. */
  secrets: string[];
}

/** The variable that names a tier's prompt file, for messages that tell the operator what to fix. */
export const promptVariable = (tier: TierNumber): string =>
  tier === 1 ? 'CLAUDEOPS_PROMPT' : `CLAUDEOPS_TIER${tier}_PROMPT`;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nFix these in .env or the environment, then run `claudeops validate` (`npx claudeops validate` in a checkout).',
    );
    this.name = 'ConfigError';
  }
}

/** The package root: where package.json, prompts/ and checks/ live. */
export const packageRoot = (): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Reads `.env` from `cwd` (the environment wins over it), checks every variable and
 * returns the resolved configuration, or throws a ConfigError listing every problem.
 */
export function loadConfig(
  environment: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  options: { requireAuth?: boolean } = {},
): { config: Config; warnings: string[] } {
  const dotenvFile = path.join(cwd, '.env');
  const raw = { ...readDotenv(dotenvFile), ...environment };
  const warnings = unknownVariables(raw);
  if (!raw.CLAUDEOPS_TIER1_TOOLS && raw.CLAUDEOPS_ALLOWED_TOOLS)
    raw.CLAUDEOPS_TIER1_TOOLS = raw.CLAUDEOPS_ALLOWED_TOOLS;

  const result = envSchema.safeParse(raw);
  const problems: string[] = [];
  const seen = new Set<string>();
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0]) as VarName;
      if (seen.has(name)) continue;
      seen.add(name);
      problems.push(
        describeProblem(
          name,
          raw[name],
          issue.code === 'custom' && issue.message !== 'Invalid input' ? issue.message : undefined,
        ),
      );
    }
  }
  const providers = new Set(([1, 2, 3] as const).map((t) => (raw[`CLAUDEOPS_TIER${t}_PROVIDER`] || 'claude').trim()));
  if (
    options.requireAuth !== false &&
    providers.has('claude') &&
    !nonEmpty(raw.ANTHROPIC_API_KEY) &&
    !nonEmpty(raw.CLAUDE_CODE_OAUTH_TOKEN)
  ) {
    problems.push(
      'ANTHROPIC_API_KEY is unset: set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN) so the Claude Code CLI can reach the API',
    );
  }
  // Codex's sandbox cannot hide a file from the agent's commands, so a link key kept in the
  // state directory would let a Codex tier forge its own approval: the key must come from
  // the environment, which the agent's commands never see.
  if (
    providers.has('codex') &&
    (raw.CLAUDEOPS_APPROVAL ?? 'tier3').trim() !== 'none' &&
    !nonEmpty(raw.CLAUDEOPS_APPROVAL_SECRET)
  ) {
    problems.push(
      'CLAUDEOPS_APPROVAL_SECRET is unset while a tier runs on the codex provider: Codex cannot keep the agent from reading the link key file in the state directory, so set CLAUDEOPS_APPROVAL_SECRET (openssl rand -hex 32), or CLAUDEOPS_APPROVAL=none',
    );
  }
  if (options.requireAuth !== false && providers.has('codex') && !nonEmpty(raw.OPENAI_API_KEY)) {
    problems.push(
      'OPENAI_API_KEY is unset: a tier runs on the codex provider (CLAUDEOPS_TIER<N>_PROVIDER=codex), and the Codex CLI needs it to reach the API',
    );
  }
  // The writable paths are checked beside every other problem, so all are listed at once:
  // a bad variable stands at its default for this, unless the check reads it.
  if (result.success || !WRITABLE_INPUTS.some((n) => seen.has(n))) {
    const config = resolve(result.success ? (result.data as Env) : envWithDefaults(raw), raw, dotenvFile);
    const writable = writableProblems(config);
    problems.push(...writable.problems);
    warnings.push(...writable.warnings);
    if (problems.length === 0 && result.success) return { config, warnings };
  }
  throw new ConfigError(problems);
}

/** The variables writableProblems reads (lists such as the writable paths always parse). */
const WRITABLE_INPUTS: VarName[] = [
  'CLAUDEOPS_APP_DIR',
  'CLAUDEOPS_STATE_DIR',
  'CLAUDEOPS_RESULTS_DIR',
  'CLAUDEOPS_REPOS_DIR',
  'CLAUDEOPS_SYSTEM_PROMPT',
  'CLAUDEOPS_PROMPT',
  'CLAUDEOPS_TIER2_PROMPT',
  'CLAUDEOPS_TIER3_PROMPT',
];

/** Every variable parsed on its own, a bad one at its default (or unset). */
function envWithDefaults(raw: NodeJS.ProcessEnv): Env {
  const shape = envSchema.shape;
  return Object.fromEntries(
    (Object.keys(variables) as VarName[]).map((n) => {
      const r = shape[n].safeParse(raw[n]);
      return [n, r.success ? r.data : shape[n].parse(undefined)];
    }),
  ) as Env;
}

function describeProblem(name: VarName, value: string | undefined, why?: string): string {
  const s: VarSpec = variables[name];
  const shown = s.secret ? '<redacted>' : JSON.stringify(value);
  const fallback = s.default !== undefined && s.default !== '' ? ` (default ${s.default})` : '';
  return `${name}=${shown}: ${why ? `${why}; ` : ''}expected ${s.expect}${fallback}`;
}

/** At a repo's root, what the daemon reads as that repo's configuration or runs from it. */
const REPO_CONFIG = ['.claude-ops', 'CLAUDE-OPS.md', 'checks', 'playbooks', 'skills', '.claude'];
const REPO_CONFIG_TEXT =
  '.claude-ops/ (checks, playbooks, skills, and mcp.json, whose servers the daemon starts), CLAUDE-OPS.md, checks/, playbooks/, skills/ and .claude/';

/** `child` is `parent` or lies inside it, by path alone. */
const inside = (child: string, parent: string): boolean => {
  const r = path.relative(parent, child);
  return r === '' || (r !== '..' && !r.startsWith(`..${path.sep}`) && !path.isAbsolute(r));
};

/** How `p` stands to `target`: "is", "lies inside" or "contains"; undefined when neither holds. */
const relation = (p: string, target: string): string | undefined =>
  p === target ? 'is' : inside(p, target) ? 'lies inside' : inside(target, p) ? 'contains' : undefined;

/**
 * Paths a tier may write must be absolute, stay clear of the daemon's own directories,
 * and cover nothing the daemon reads as configuration or runs later (prompt files, .env,
 * a repo's .claude-ops/ and the like), unless CLAUDEOPS_WRITABLE_CONFIG_OK names them:
 * then each is a warning. By path alone: which repos exist is known only on disk, so a
 * path that is the repos directory, a repo's root or an ancestor of them covers every
 * repo's configuration. One problem per path, saying all it covers.
 */
export function writableProblems(config: Config): { problems: string[]; warnings: string[] } {
  const own: [dir: string, holds: string][] = [
    [config.stateDir, 'its state'],
    [config.resultsDir, 'its run records'],
    [config.appDir, 'its prompts, checks, .claude/mcp.json and CLAUDE.md'],
  ];
  // Files and folders outside those directories that it reads or runs: inside them, the overlap already says so.
  const files: [file: string, what: string, note: string][] = [
    ...(config.systemPromptFile
      ? [[config.systemPromptFile, 'the system prompt file', 'CLAUDEOPS_SYSTEM_PROMPT'] as [string, string, string]]
      : []),
    ...([1, 2, 3] as const).map((t): [string, string, string] => [
      config.tiers[t].promptFile,
      `the tier ${t} prompt file`,
      promptVariable(t),
    ]),
    [config.dotenvFile, 'the .env file', 'the configuration itself'],
  ];
  const outsideOwn = (p: string) => !own.some(([d]) => inside(p, d));
  const ok = new Set(config.env.CLAUDEOPS_WRITABLE_CONFIG_OK.map((p) => (path.isAbsolute(p) ? path.resolve(p) : p)));
  const problems: string[] = [];
  const warnings: string[] = [];

  const covers = (p: string): string[] => {
    const out = files
      .filter(([f], i) => outsideOwn(f) && files.findIndex(([g]) => g === f) === i)
      .flatMap(([f, what, note]) => {
        const how = relation(p, f);
        return how ? [`${how} ${what} ${f} (${note})`] : [];
      });
    const repos = config.reposDir;
    if (!outsideOwn(repos)) return out;
    const how = relation(p, repos);
    if (how === 'is' || how === 'contains')
      out.push(`${how} the repos directory ${repos}, so it covers every repo's ${REPO_CONFIG_TEXT}`);
    else if (how === 'lies inside') {
      const [repo, top] = path.relative(repos, p).split(path.sep) as [string, string | undefined];
      const root = path.join(repos, repo);
      if (top === undefined) out.push(`is the root of repo "${repo}", so it covers its ${REPO_CONFIG_TEXT}`);
      else if (REPO_CONFIG.includes(top))
        out.push(
          `${relation(p, path.join(root, top))} repo "${repo}"'s ${top}${top.endsWith('.md') ? '' : '/'} (${path.join(root, top)})`,
        );
    }
    return out;
  };

  for (const tier of [2, 3] as const) {
    const name = `CLAUDEOPS_TIER${tier}_WRITABLE`;
    for (const p of config.tiers[tier].writable) {
      if (!path.isAbsolute(p)) {
        problems.push(`${name}: "${p}" is not an absolute path; write it as /full/path`);
        continue;
      }
      const hit = own.filter(([d]) => relation(p, d));
      const covered = covers(p);
      if (hit.length > 0) {
        const dirs = hit.map(([d, holds]) => `${d} (${holds})`).join(', ');
        problems.push(
          `${name}: "${p}" overlaps the daemon's own director${hit.length === 1 ? 'y' : 'ies'} ${dirs}, which no tier may change` +
            (covered.length ? `, and ${covered.join('; ')}` : '') +
            `; list a narrower path outside ${hit.length + covered.length === 1 ? 'it' : 'them'}`,
        );
      } else if (covered.length > 0) {
        const what = `${name}: "${p}" ${covered.join('; ')}`;
        if (ok.has(p))
          warnings.push(
            `${what}: tier ${tier} may change what the daemon reads or runs on a later cycle, as CLAUDEOPS_WRITABLE_CONFIG_OK allows`,
          );
        else
          problems.push(
            `${what}: tier ${tier} could change what the daemon reads or runs on a later cycle; list narrower paths that leave these out, or name "${p}" in CLAUDEOPS_WRITABLE_CONFIG_OK to allow it anyway`,
          );
      }
    }
  }
  const listed = new Set([...config.tiers[2].writable, ...config.tiers[3].writable]);
  for (const p of ok)
    if (!listed.has(p))
      warnings.push(
        `CLAUDEOPS_WRITABLE_CONFIG_OK: "${p}" is not in CLAUDEOPS_TIER2_WRITABLE or CLAUDEOPS_TIER3_WRITABLE, so it allows nothing`,
      );
  return { problems, warnings };
}

function resolve(env: Env, raw: NodeJS.ProcessEnv, dotenvFile: string): Config {
  const appDir = path.resolve(env.CLAUDEOPS_APP_DIR ?? packageRoot());
  const under = (p: string) => path.resolve(appDir, p);
  const tier = (
    n: TierNumber,
    provider: string,
    model: string,
    prompt: string,
    tools: string[],
    deny: string[],
    mcp: string[],
    mcpTools: string[],
    writable: string[],
    network: string[],
  ): TierSettings => ({
    tier: n,
    provider,
    model,
    promptFile: under(prompt),
    tools,
    deny,
    mcp,
    mcpTools,
    writable: writable.map((p) => (path.isAbsolute(p) ? path.resolve(p) : p)),
    network,
  });
  // Every variable the schema marks secret; Apprise URLs also by their credential parts.
  const secrets = (Object.keys(variables) as VarName[])
    .filter((n) => (variables[n] as VarSpec).secret)
    .flatMap((n) => (n === 'CLAUDEOPS_APPRISE_URLS' ? appriseSecrets(env[n]) : [env[n]]))
    .filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const pretty = env.CLAUDEOPS_LOG_PRETTY ?? (raw.CLAUDEOPS_LOG_PRETTY === undefined && process.stdout.isTTY === true);
  return {
    env,
    appDir,
    stateDir: under(env.CLAUDEOPS_STATE_DIR),
    resultsDir: under(env.CLAUDEOPS_RESULTS_DIR),
    reposDir: under(env.CLAUDEOPS_REPOS_DIR),
    claudeBin: env.CLAUDEOPS_CLAUDE_BIN.includes('/')
      ? under(env.CLAUDEOPS_CLAUDE_BIN)
      : onPathOrPackage(env.CLAUDEOPS_CLAUDE_BIN, raw.PATH),
    codexBin: env.CLAUDEOPS_CODEX_BIN.includes('/')
      ? under(env.CLAUDEOPS_CODEX_BIN)
      : onPathOrPackage(env.CLAUDEOPS_CODEX_BIN, raw.PATH),
    schedule: env.CLAUDEOPS_SCHEDULE
      ? { kind: 'cron', expression: env.CLAUDEOPS_SCHEDULE }
      : { kind: 'interval', seconds: env.CLAUDEOPS_INTERVAL },
    timeoutMs: env.CLAUDEOPS_TIMEOUT * 1000,
    shutdownGraceMs: env.CLAUDEOPS_SHUTDOWN_GRACE * 1000,
    failureBackoff: env.CLAUDEOPS_FAILURE_BACKOFF,
    maxTier: env.CLAUDEOPS_MAX_TIER as TierNumber,
    dryRun: env.CLAUDEOPS_DRY_RUN,
    tier1: {
      parallel: env.CLAUDEOPS_TIER1_PARALLEL === 'auto' ? autoParallel() : env.CLAUDEOPS_TIER1_PARALLEL,
      shardSize: env.CLAUDEOPS_TIER1_SHARD_SIZE,
    },
    systemPromptFile: env.CLAUDEOPS_SYSTEM_PROMPT === 'ops' ? under('prompts/system-ops.md') : undefined,
    tiers: {
      1: tier(
        1,
        env.CLAUDEOPS_TIER1_PROVIDER,
        env.CLAUDEOPS_TIER1_MODEL,
        env.CLAUDEOPS_PROMPT,
        env.CLAUDEOPS_TIER1_TOOLS,
        env.CLAUDEOPS_TIER1_DENY,
        env.CLAUDEOPS_TIER1_MCP,
        env.CLAUDEOPS_TIER1_MCP_TOOLS,
        [],
        env.CLAUDEOPS_TIER1_NETWORK,
      ),
      2: tier(
        2,
        env.CLAUDEOPS_TIER2_PROVIDER,
        env.CLAUDEOPS_TIER2_MODEL,
        env.CLAUDEOPS_TIER2_PROMPT,
        env.CLAUDEOPS_TIER2_TOOLS,
        env.CLAUDEOPS_TIER2_DENY,
        env.CLAUDEOPS_TIER2_MCP,
        env.CLAUDEOPS_TIER2_MCP_TOOLS,
        env.CLAUDEOPS_TIER2_WRITABLE,
        env.CLAUDEOPS_TIER2_NETWORK,
      ),
      3: tier(
        3,
        env.CLAUDEOPS_TIER3_PROVIDER,
        env.CLAUDEOPS_TIER3_MODEL,
        env.CLAUDEOPS_TIER3_PROMPT,
        env.CLAUDEOPS_TIER3_TOOLS,
        env.CLAUDEOPS_TIER3_DENY,
        env.CLAUDEOPS_TIER3_MCP,
        env.CLAUDEOPS_TIER3_MCP_TOOLS,
        env.CLAUDEOPS_TIER3_WRITABLE,
        env.CLAUDEOPS_TIER3_NETWORK,
      ),
    },
    sandbox: env.CLAUDEOPS_SANDBOX,
    dockerHost: env.CLAUDEOPS_DOCKER_HOST,
    readOnlyTlsHosts: env.CLAUDEOPS_READONLY_TLS_HOSTS,
    dotenvFile,
    mcpTrustedRepos: env.CLAUDEOPS_MCP_TRUSTED_REPOS,
    mcpAllowOverride: env.CLAUDEOPS_MCP_ALLOW_OVERRIDE,
    mcpInheritEnv: env.CLAUDEOPS_MCP_INHERIT_ENV,
    checks: {
      disable: env.CLAUDEOPS_CHECKS_DISABLE,
      failureThreshold: env.CLAUDEOPS_FAILURE_THRESHOLD,
      successThreshold: env.CLAUDEOPS_SUCCESS_THRESHOLD,
    },
    cooldown: {
      maxRestarts: env.CLAUDEOPS_COOLDOWN_MAX_RESTARTS,
      restartWindowMs: env.CLAUDEOPS_COOLDOWN_RESTART_WINDOW * 1000,
      maxRedeploys: env.CLAUDEOPS_COOLDOWN_MAX_REDEPLOYS,
      redeployWindowMs: env.CLAUDEOPS_COOLDOWN_REDEPLOY_WINDOW * 1000,
      resetAfterHealthy: env.CLAUDEOPS_COOLDOWN_RESET_AFTER,
    },
    budget: { perRunUsd: env.CLAUDEOPS_MAX_BUDGET_USD, dailyUsd: env.CLAUDEOPS_DAILY_BUDGET_USD },
    notify: {
      urls: splitAppriseUrls(env.CLAUDEOPS_APPRISE_URLS),
      bin: env.CLAUDEOPS_APPRISE_BIN,
      remindMs: env.CLAUDEOPS_NOTIFY_REMIND * 1000,
      failures: env.CLAUDEOPS_NOTIFY_FAILURES,
      maintenance: env.CLAUDEOPS_MAINTENANCE,
    },
    approval: {
      classes: env.CLAUDEOPS_APPROVAL,
      proposeTiers: proposeTiers(env.CLAUDEOPS_APPROVAL),
      ttlMs: env.CLAUDEOPS_APPROVAL_TTL * 1000,
      publicUrl: (
        env.CLAUDEOPS_PUBLIC_URL ??
        (typeof env.CLAUDEOPS_HTTP_PORT === 'number' && env.CLAUDEOPS_HTTP_PORT > 0
          ? `http://127.0.0.1:${env.CLAUDEOPS_HTTP_PORT}`
          : undefined)
      )?.replace(/\/+$/, ''),
    },
    retentionDays: env.CLAUDEOPS_RETENTION_DAYS,
    http: { port: env.CLAUDEOPS_HTTP_PORT, host: env.CLAUDEOPS_HTTP_HOST },
    log: { level: env.CLAUDEOPS_LOG_LEVEL, pretty },
    secrets,
  };
}

const CLI_MB = 300;

/** Tier-1 sessions at once by memory: half the cgroup's limit (or the machine's memory) over a CLI's ~300 MB, from 1 to 8. */
function autoParallel(): number {
  let limit = os.totalmem();
  try {
    const v = fs.readFileSync('/sys/fs/cgroup/memory.max', 'utf8').trim();
    if (/^\d+$/.test(v)) limit = Math.min(limit, Number(v));
  } catch {
    /* no cgroup v2 limit */
  }
  return Math.max(1, Math.min(8, Math.floor(limit / 2 / (CLI_MB * 1024 * 1024))));
}

export const splitAppriseUrls = (value: string | undefined): string[] => (value ?? '').split(/[\s,]+/).filter(Boolean);

/**
 * The credential parts of Apprise URLs: the whole URL, its userinfo, and every path
 * segment or query value long enough to be a token (ntfy topics, Slack and Discord
 * webhook tokens, Telegram bot tokens all live there).
 */
export function appriseSecrets(value: string | undefined): string[] {
  const out: string[] = [];
  for (const url of splitAppriseUrls(value)) {
    out.push(url);
    const m = /^[a-z0-9+.-]+:\/\/(?:([^@/]*)@)?([^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(url);
    if (!m) continue;
    const [, userinfo, host, pathPart, query] = m;
    // A password is a secret; a user name only when it is long enough to be a key
    // (Pushover's user key): redacting a name like "user" would mangle every log.
    if (userinfo) {
      const colon = userinfo.indexOf(':');
      const name = colon < 0 ? userinfo : userinfo.slice(0, colon);
      if (colon >= 0) out.push(userinfo, userinfo.slice(colon + 1));
      if (name.length >= 8) out.push(name);
    }
    for (const seg of [
      host ?? '',
      ...(pathPart ?? '').split('/'),
      ...(query ?? '').split('&').map((kv) => kv.split('=')[1] ?? ''),
    ]) {
      if (seg.length >= 8 && !/^[\d.]+(:\d+)?$/.test(seg) && !seg.includes('.')) out.push(decodeURIComponentSafe(seg));
    }
  }
  return out;
}

const decodeURIComponentSafe = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const nonEmpty = (v: string | undefined): boolean => typeof v === 'string' && v.trim() !== '';

function readDotenv(file: string): Record<string, string> {
  try {
    return dotenv.parse(fs.readFileSync(file));
  } catch {
    return {};
  }
}

function unknownVariables(raw: NodeJS.ProcessEnv): string[] {
  const known = new Set(Object.keys(variables));
  return Object.keys(raw)
    .filter((k) => k.startsWith('CLAUDEOPS_') && !known.has(k))
    .map((k) => {
      const near = closest(k, [...known]);
      return `${k} is not a variable claudeops knows${near ? ` (did you mean ${near}?)` : ''}; it is ignored`;
    });
}

function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * A command name as found on PATH; failing that, the package's own copy under
 * node_modules/.bin (where `npm ci` puts the pinned CLI), so `node dist/src/main.js`
 * works without npm putting that folder on PATH. The name as given when neither has it.
 */
function onPathOrPackage(name: string, searchPath: string | undefined): string {
  if (runnable(name, searchPath)) return name;
  const local = path.join(packageRoot(), 'node_modules', '.bin', name);
  return isExecutable(local) ? local : name;
}
