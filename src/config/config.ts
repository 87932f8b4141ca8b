import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { isExecutable, runnable } from '../files/executable.js';
import { proposeTiers } from './approval-classes.js';
import { PROVIDER_NAMES } from '../provider/names.js';
import {
  envSchema,
  PROVIDER_OPTIONS,
  splitAppriseUrls,
  variables,
  type Env,
  type MaintenanceWindow,
  type Schedule,
  type Settings,
  type TierSettings,
  type VarName,
} from './schema.js';
import { TIERS, type ResolveContext, type TierNumber, type VarSpec } from './spec.js';

export { splitAppriseUrls };
export type { MaintenanceWindow, Schedule, TierNumber, TierSettings };

/**
 * The resolved configuration. Every field the variables fill is declared with its
 * variable in src/config/schema.ts (`to`, or `perTier` for `tiers`); the rest is here.
 */
export type Config = Settings & {
  /** Every variable as parsed; prefer the typed fields. */
  env: Env;
  /** The .env file the configuration was read from; denied to the agent. */
  dotenvFile: string;
  tiers: Record<TierNumber, TierSettings>;
  approval: {
    /** Tiers that run in propose mode: read-only, ending with proposals for a human. */
    proposeTiers: TierNumber[];
  };
  /** Values that must never reach a log or a record. */
  secrets: string[];
};

export type SandboxMode = Config['sandbox'];

const specs = Object.entries(variables) as [VarName, VarSpec][];

/** The variable that fills `field` of a tier's settings (CLAUDEOPS_TIER<N>_<KEY>). */
export const tierVariable = (tier: TierNumber, field: keyof TierSettings): VarName =>
  specs.find(([, s]) => s.tier?.n === tier && s.tier.field === field)![0];

/** The variable that names a tier's prompt file, for messages that tell the operator what to fix. */
export const promptVariable = (tier: TierNumber): string => tierVariable(tier, 'promptFile');

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
  for (const [name, s] of specs) if (s.oldName && !raw[name] && raw[s.oldName]) raw[name] = raw[s.oldName];

  const result = envSchema.safeParse(raw);
  const byVariable = new Map<VarName, string>();
  if (!result.success) {
    for (const issue of result.error.issues) {
      const name = String(issue.path[0]) as VarName;
      if (byVariable.has(name)) continue;
      byVariable.set(
        name,
        describeProblem(
          name,
          raw[name],
          issue.code === 'custom' && issue.message !== 'Invalid input' ? issue.message : undefined,
        ),
      );
    }
  }
  const env = result.success ? (result.data as Env) : envWithDefaults(raw);
  for (const [name, problem] of toolProblems(env, raw, byVariable)) byVariable.set(name, problem);
  const order = Object.keys(variables);
  const problems = [...byVariable].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([, p]) => p);

  // What each provider a tier runs on needs (credentials and the like), as it declares.
  const providers = new Set(
    TIERS.map((t) => {
      const name = tierVariable(t, 'provider');
      return (raw[name] || (variables[name] as VarSpec).default || '').trim();
    }),
  );
  for (const name of PROVIDER_NAMES)
    if (providers.has(name))
      problems.push(...PROVIDER_OPTIONS[name].problems(raw, { requireAuth: options.requireAuth !== false }));
  // The writable paths are checked beside every other problem, so all are listed at once:
  // a bad variable stands at its default for this, unless the check reads it.
  if (result.success || !writableInputs().some((n) => byVariable.has(n))) {
    const config = resolve(env, raw, dotenvFile);
    const writable = writableProblems(config);
    problems.push(...writable.problems);
    warnings.push(...writable.warnings);
    if (problems.length === 0 && result.success) return { config, warnings };
  }
  throw new ConfigError(problems);
}

/**
 * A tier's tool names must be ones its provider knows (its CLI drops others silently);
 * a provider that takes no tool set declares none, and then any list passes.
 */
function toolProblems(env: Env, raw: NodeJS.ProcessEnv, bad: Map<VarName, string>): [VarName, string][] {
  const out: [VarName, string][] = [];
  for (const tier of TIERS) {
    const providerVar = tierVariable(tier, 'provider');
    const toolsVar = tierVariable(tier, 'tools');
    if (bad.has(providerVar)) continue;
    const tools = PROVIDER_OPTIONS[env[providerVar] as keyof typeof PROVIDER_OPTIONS].tools;
    if (!tools) continue;
    const oldName = variables[toolsVar].oldName as VarName | undefined;
    for (const name of [toolsVar, ...(oldName ? [oldName] : [])]) {
      if (bad.has(name)) continue;
      const unknown = ((env[name] as string[] | undefined) ?? []).filter((t) => !tools.names.includes(t));
      if (unknown.length)
        out.push([name, describeProblem(name, raw[name], `unknown tool name(s): ${unknown.join(', ')}`, tools.expect)]);
    }
  }
  return out;
}

/** The variables writableProblems reads (lists such as the writable paths always parse). */
const writableInputs = (): VarName[] => [
  'CLAUDEOPS_APP_DIR',
  'CLAUDEOPS_STATE_DIR',
  'CLAUDEOPS_RESULTS_DIR',
  'CLAUDEOPS_REPOS_DIR',
  'CLAUDEOPS_SYSTEM_PROMPT',
  ...TIERS.map((t) => tierVariable(t, 'promptFile')),
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

function describeProblem(name: VarName, value: string | undefined, why?: string, expect?: string): string {
  const s: VarSpec = variables[name];
  const shown = s.secret ? '<redacted>' : JSON.stringify(value);
  const fallback = s.default !== undefined && s.default !== '' ? ` (default ${s.default})` : '';
  return `${name}=${shown}: ${why ? `${why}; ` : ''}expected ${expect ?? s.expect}${fallback}`;
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
  const own = ownDirs(config);
  const files = configFiles(config, own);
  const repos = outsideOwn(config.reposDir, own) ? config.reposDir : undefined;
  const covers = (p: string) => [...fileCover(p, files), ...(repos ? repoCover(p, repos) : [])];
  const ok = new Set(config.writableConfigOk.map((p) => (path.isAbsolute(p) ? path.resolve(p) : p)));
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const tier of [2, 3] as const)
    for (const p of config.tiers[tier].writable) {
      const found = writableFinding(tier, p, own, covers, ok);
      if (found?.problem) problems.push(found.problem);
      if (found?.warning) warnings.push(found.warning);
    }
  const listed = new Set([...config.tiers[2].writable, ...config.tiers[3].writable]);
  for (const p of ok)
    if (!listed.has(p))
      warnings.push(
        `CLAUDEOPS_WRITABLE_CONFIG_OK: "${p}" is not in CLAUDEOPS_TIER2_WRITABLE or CLAUDEOPS_TIER3_WRITABLE, so it allows nothing`,
      );
  return { problems, warnings };
}

type OwnDir = [dir: string, holds: string];
type ConfigFile = [file: string, what: string, note: string];

/** The daemon's own directories, which no tier may change. */
const ownDirs = (config: Config): OwnDir[] => [
  [config.stateDir, 'its state'],
  [config.resultsDir, 'its run records'],
  [config.appDir, 'its prompts, checks, .claude/mcp.json and CLAUDE.md'],
];

const outsideOwn = (p: string, own: OwnDir[]): boolean => !own.some(([d]) => inside(p, d));

/** Files and folders outside the daemon's own directories that it reads or runs, each once: inside them, the overlap already says so. */
function configFiles(config: Config, own: OwnDir[]): ConfigFile[] {
  const files: ConfigFile[] = [
    ...(config.systemPromptFile
      ? [[config.systemPromptFile, 'the system prompt file', 'CLAUDEOPS_SYSTEM_PROMPT'] as ConfigFile]
      : []),
    ...([1, 2, 3] as const).map((t): ConfigFile => [
      config.tiers[t].promptFile,
      `the tier ${t} prompt file`,
      promptVariable(t),
    ]),
    [config.dotenvFile, 'the .env file', 'the configuration itself'],
  ];
  return files.filter(([f], i) => outsideOwn(f, own) && files.findIndex(([g]) => g === f) === i);
}

/** How a writable path covers each of those files. */
const fileCover = (p: string, files: ConfigFile[]): string[] =>
  files.flatMap(([f, what, note]) => {
    const how = relation(p, f);
    return how ? [`${how} ${what} ${f} (${note})`] : [];
  });

/** How a writable path covers the repos' configuration: all of it, one repo's, or one part of a repo's. */
function repoCover(p: string, repos: string): string[] {
  const how = relation(p, repos);
  if (how === 'is' || how === 'contains')
    return [`${how} the repos directory ${repos}, so it covers every repo's ${REPO_CONFIG_TEXT}`];
  if (how !== 'lies inside') return [];
  const [repo, top] = path.relative(repos, p).split(path.sep) as [string, string | undefined];
  const root = path.join(repos, repo);
  if (top === undefined) return [`is the root of repo "${repo}", so it covers its ${REPO_CONFIG_TEXT}`];
  if (!REPO_CONFIG.includes(top)) return [];
  return [
    `${relation(p, path.join(root, top))} repo "${repo}"'s ${top}${top.endsWith('.md') ? '' : '/'} (${path.join(root, top)})`,
  ];
}

/** What one of a tier's writable paths is: a problem, a warning (what it covers is allowed), or fine. */
function writableFinding(
  tier: 2 | 3,
  p: string,
  own: OwnDir[],
  covers: (p: string) => string[],
  ok: Set<string>,
): { problem?: string; warning?: string } | undefined {
  const name = `CLAUDEOPS_TIER${tier}_WRITABLE`;
  if (!path.isAbsolute(p)) return { problem: `${name}: "${p}" is not an absolute path; write it as /full/path` };
  const hit = own.filter(([d]) => relation(p, d));
  const covered = covers(p);
  if (hit.length > 0) {
    const dirs = hit.map(([d, holds]) => `${d} (${holds})`).join(', ');
    return {
      problem:
        `${name}: "${p}" overlaps the daemon's own director${hit.length === 1 ? 'y' : 'ies'} ${dirs}, which no tier may change` +
        (covered.length ? `, and ${covered.join('; ')}` : '') +
        `; list a narrower path outside ${hit.length + covered.length === 1 ? 'it' : 'them'}`,
    };
  }
  if (covered.length === 0) return undefined;
  const what = `${name}: "${p}" ${covered.join('; ')}`;
  return ok.has(p)
    ? {
        warning: `${what}: tier ${tier} may change what the daemon reads or runs on a later cycle, as CLAUDEOPS_WRITABLE_CONFIG_OK allows`,
      }
    : {
        problem: `${what}: tier ${tier} could change what the daemon reads or runs on a later cycle; list narrower paths that leave these out, or name "${p}" in CLAUDEOPS_WRITABLE_CONFIG_OK to allow it anyway`,
      };
}

function resolve(env: Env, raw: NodeJS.ProcessEnv, dotenvFile: string): Config {
  const appDir = path.resolve(env.CLAUDEOPS_APP_DIR ?? packageRoot());
  const under = (p: string) => path.resolve(appDir, p);
  const ctx: ResolveContext = {
    env,
    raw,
    appDir,
    under,
    command: (c) => (c.includes('/') ? under(c) : onPathOrPackage(c, raw.PATH)),
  };
  const out: Record<string, unknown> = { env, dotenvFile };
  const tiers = Object.fromEntries(TIERS.map((t) => [t, { tier: t }])) as unknown as Record<
    TierNumber,
    Record<string, unknown>
  >;
  const absent = new Map<string, unknown>();
  for (const [name, s] of specs) {
    if (!s.tier && !s.to) continue;
    const value = s.resolve ? (s.resolve as (v: unknown, c: ResolveContext) => unknown)(env[name], ctx) : env[name];
    if (s.tier) {
      tiers[s.tier.n][s.tier.field] = value;
      if ('absent' in s.tier) absent.set(s.tier.field, s.tier.absent);
    } else setPath(out, s.to!, value);
  }
  for (const t of TIERS)
    for (const [field, value] of absent)
      if (!(field in tiers[t])) tiers[t][field] = Array.isArray(value) ? [...(value as unknown[])] : value;
  const config = { ...out, tiers } as unknown as Config;
  config.approval.proposeTiers = proposeTiers(config.approval.classes);
  // Every variable the schema marks secret; Apprise URLs also by their credential parts.
  config.secrets = specs
    .filter(([, s]) => s.secret)
    .flatMap(([n]) => (n === 'CLAUDEOPS_APPRISE_URLS' ? appriseSecrets(env[n]) : [env[n]]))
    .filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return config;
}

/** Sets `obj.a.b.c` for the path "a.b.c", making the objects on the way. */
function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  const last = keys.pop()!;
  let at = obj;
  for (const k of keys) at = (at[k] ??= {}) as Record<string, unknown>;
  at[last] = value;
}

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
