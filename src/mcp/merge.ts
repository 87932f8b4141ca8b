import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readRegular } from '../files/read-regular.js';
import { SOLE_INSTANCE, splitRepos, type Instance } from '../files/instance.js';
import { listRepos } from '../files/repos.js';

import { writeFileAtomic } from '../store/atomic-file.js';
import type { Store } from '../store/store.js';
import { existsSync } from 'node:fs';
import deepmerge from 'deepmerge';
import { RUN_MARKER } from '../runner/sweep.js';
import { expandVars, VAR_REFERENCE, type ServerEntry } from './catalog.js';

/** Server types the pinned CLI accepts; an entry of another type it ignores. */
export const SERVER_TYPES = ['stdio', 'sse', 'http', 'streamable-http', 'ws'] as const;

const strings = z.record(z.string(), z.string());
const stdioSchema = z
  .object({
    type: z.literal('stdio').optional(),
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: strings.optional(),
    cwd: z.string().optional(),
  })
  .loose();
const remoteSchema = z
  .object({
    type: z.enum(['sse', 'http', 'streamable-http', 'ws']),
    url: z.string().min(1),
    headers: strings.optional(),
  })
  .loose();

/** A file's top level: `{"mcpServers": {...}}`; each entry is checked on its own (see checkEntry). */
export const mcpConfigSchema = z.object({ mcpServers: z.record(z.string(), z.unknown()) }).loose();

export type McpConfig = { mcpServers: Record<string, ServerEntry> };

export interface MergedMcp {
  /** The merged file passed to the CLI with --mcp-config. */
  file: string;
  /** Every merged server name, sorted. */
  servers: string[];
  /** Where each server comes from: "baseline" or the repo's name (prototype-free). */
  origin: Record<string, string>;
  /** The merged server entries, by name, as written for the CLI (prototype-free). */
  entries: Record<string, ServerEntry>;
  /** The same before stdio servers were wrapped for a minimal environment: what their files meant. */
  plain: Record<string, ServerEntry>;
  /** Values of the entries' env and headers, expanded: redacted wherever the cycle writes. */
  secrets: string[];
  warnings: string[];
}

/** The prefix of a server's tools as the CLI names them: characters outside [A-Za-z0-9_-] become "_". */
export const toolPrefix = (server: string): string => `mcp__${server.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** Variables every stdio server gets, besides those its entry names; the run marker lets the daemon find a server its CLI left behind. */
export const SERVER_BASE_ENV = [
  'PATH',
  'HOME',
  'LANG',
  'TZ',
  'TMPDIR',
  RUN_MARKER,
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'http_proxy',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
];

/**
 * One entry as the pinned CLI would take it, or why it is left out. The CLI connects a
 * `disabled` entry anyway and silently drops a `url` without a `type`; both are left out
 * here, with a reason.
 */
export function checkEntry(raw: unknown): { entry: ServerEntry } | { drop: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { drop: 'not an object' };
  const r = raw as Record<string, unknown>;
  if (r.disabled === true) return { drop: '"disabled": true' };
  if (r.type === undefined && r.command === undefined && typeof r.url === 'string')
    return { drop: 'a "url" without a "type", which the CLI drops; add "type": "http" (or "sse")' };
  if (r.command === undefined && r.url === undefined)
    return { drop: 'needs a "command" (stdio), or a "type" and a "url" (sse, http, streamable-http, ws)' };
  if (r.type !== undefined && !SERVER_TYPES.includes(r.type as (typeof SERVER_TYPES)[number]))
    return { drop: `type "${String(r.type)}" is not one the CLI knows (${SERVER_TYPES.join(', ')})` };
  const parsed = r.type === undefined || r.type === 'stdio' ? stdioSchema.safeParse(r) : remoteSchema.safeParse(r);
  if (!parsed.success)
    return { drop: parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).join('; ') };
  const { disabled: _d, ...entry } = parsed.data as ServerEntry & { disabled?: unknown };
  return { entry };
}

/** Where a mounted repo keeps its MCP servers and checks. */
export const repoMcpFile = (repoDir: string) => path.join(repoDir, '.claude-ops', 'mcp.json');

/** An MCP file larger than this is refused: real ones are a few KB. */
export const MCP_FILE_MAX_BYTES = 1024 * 1024;
/** Nesting deeper than this is refused before parsing: real files nest four or five levels. */
export const MCP_FILE_MAX_DEPTH = 32;

/**
 * Reads one MCP config file: the whole file must be JSON of the form
 * {"mcpServers": {...}} (else it throws, naming the file and the fix); each entry is
 * then checked on its own, and a bad one is dropped with a warning while the rest
 * stand. Repo files are untrusted: only a regular file within the size cap is read,
 * and its JSON nesting is bounded before it is parsed.
 */
export async function readMcpConfig(file: string): Promise<{ config: McpConfig; warnings: string[] }>;
/** With `optional`, a file that does not exist gives undefined instead of an error. */
export async function readMcpConfig(
  file: string,
  options: { optional: true },
): Promise<{ config: McpConfig; warnings: string[] } | undefined>;
export async function readMcpConfig(
  file: string,
  options: { optional?: boolean } = {},
): Promise<{ config: McpConfig; warnings: string[] } | undefined> {
  const read = await readRegular(file, MCP_FILE_MAX_BYTES);
  if (!read.ok && read.missing && options.optional) return undefined;
  if (!read.ok) throw new Error(`${file}: not read: it ${read.why}`);
  const depth = jsonDepth(read.text);
  if (depth > MCP_FILE_MAX_DEPTH)
    throw new Error(
      `${file}: nested ${depth} levels deep, over the limit of ${MCP_FILE_MAX_DEPTH}; an MCP config needs about five`,
    );
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); fix the syntax`);
  }
  const parsed = mcpConfigSchema.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new Error(`${file}: not an MCP config of the form {"mcpServers": {"name": {"command": …}}} (${why})`);
  }
  const warnings: string[] = [];
  const servers: Record<string, ServerEntry> = Object.create(null);
  const raw = (json as { mcpServers: Record<string, unknown> }).mcpServers;
  for (const name of Object.keys(raw)) {
    if (name === '__proto__' || name.trim() === '') {
      warnings.push(`${file}: the server named "${name}" is ignored; give it another name`);
      continue;
    }
    const checked = checkEntry(raw[name]);
    if ('drop' in checked) warnings.push(`${file}: server "${name}" left out: ${checked.drop}`);
    else servers[name] = checked.entry;
  }
  return { config: { mcpServers: servers }, warnings };
}

/** The deepest nesting of arrays and objects in JSON text, strings skipped; no parse needed. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

export interface MergeOptions {
  baselineFile: string;
  reposDir: string;
  trustedRepos: string[];
  /** Only this instance's repos' files are merged. */
  instance?: Instance;
  /** Where the merged file is saved. */
  store: Pick<Store, 'saveMergedMcp'>;
  allowOverride?: string[];
  /** Servers that get the daemon's whole environment (without its secrets) instead of a minimal one. */
  inheritEnv?: string[];
  /** Variable names a repo file may not read. */
  secretEnv?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** The merge so far: the servers taken, by name, where each came from, and what was said. */
interface Merging {
  options: MergeOptions;
  env: NodeJS.ProcessEnv;
  entries: Record<string, ServerEntry>;
  origin: Record<string, string>;
  /** The server that owns each tool prefix (names that differ only in characters the CLI replaces share one). */
  byPrefix: Record<string, string>;
  warnings: string[];
}

/**
 * Merges the baseline MCP config with every trusted repo's `.claude-ops/mcp.json`, in
 * repo name order. The first definition of a name stands: a repo may replace a baseline
 * or another repo's server only where CLAUDEOPS_MCP_ALLOW_OVERRIDE says `<repo>:<server>`
 * (or `<repo>:*`). A repo's relative paths and ${CLAUDE_PROJECT_DIR} resolve against
 * its root; its stdio servers get a minimal environment; references to the daemon's
 * secrets are refused. A bad file or entry is skipped with a warning; the baseline is
 * only ever read.
 */
export async function mergeMcp(options: MergeOptions): Promise<MergedMcp> {
  const m: Merging = {
    options,
    env: options.env ?? process.env,
    entries: Object.create(null),
    origin: Object.create(null),
    byPrefix: Object.create(null),
    warnings: [],
  };
  try {
    const { config, warnings } = await readMcpConfig(options.baselineFile);
    m.warnings.push(...warnings);
    takeConfig(m, config, 'baseline');
  } catch (e) {
    m.warnings.push(`baseline MCP config skipped: ${(e as Error).message}`);
  }
  for (const r of await readRepoConfigs(options)) takeRepo(m, r);

  const written: Record<string, ServerEntry> = Object.create(null);
  for (const [name, e] of Object.entries(m.entries))
    written[name] = (options.inheritEnv ?? []).includes(name) ? e : minimalEnvironment(e);
  const file = await saveMerged(options.store, JSON.stringify({ mcpServers: written }, null, 2) + '\n', m.warnings);
  return {
    file,
    servers: Object.keys(written).sort(),
    origin: m.origin,
    entries: written,
    plain: m.entries,
    secrets: entryValues(written, m.env),
    warnings: m.warnings,
  };
}

/** Each server of one file, in its order. */
function takeConfig(m: Merging, config: McpConfig, source: string, repoRoot?: string): void {
  for (const [name, raw] of Object.entries(config.mcpServers)) takeServer(m, name, raw, source, repoRoot);
}

/** One server into the merge, unless it reads a secret or an unset variable, or another owns its name. */
function takeServer(m: Merging, name: string, raw: ServerEntry, source: string, repoRoot?: string): void {
  const where = sourceName(source);
  const refused = refusal(m, raw, repoRoot !== undefined);
  if (refused) {
    m.warnings.push(`MCP server "${name}" from ${where} left out: ${refused}`);
    return;
  }
  const existing = m.byPrefix[toolPrefix(name)];
  if (existing !== undefined && !(source !== 'baseline' && overrideAllowed(m.options, source, existing))) {
    const same = existing === name ? `"${name}"` : `"${name}" (its tools would be named like those of "${existing}")`;
    m.warnings.push(
      `MCP server ${same} from ${where} ignored: ${sourceName(m.origin[existing]!)} defines it first. To let ${where} replace it, set CLAUDEOPS_MCP_ALLOW_OVERRIDE=${source}:${existing}`,
    );
    return;
  }
  const resolved = repoRoot ? resolveInRepo(raw, repoRoot) : raw;
  if (existing !== undefined) {
    m.warnings.push(
      `MCP server "${existing}" from ${sourceName(m.origin[existing]!)} replaced by ${where} (CLAUDEOPS_MCP_ALLOW_OVERRIDE)`,
    );
    // The repo's entry wins field by field; env and headers it does not set are kept.
    m.entries[name] = deepmerge(m.entries[existing]!, resolved, { arrayMerge: (_a, b) => b });
    if (existing !== name) delete m.entries[existing];
  } else m.entries[name] = resolved;
  m.origin[name] = source;
  m.byPrefix[toolPrefix(name)] = name;
}

/** Why an entry is left out: a repo's that reads one of the daemon's secrets, or any that reads an unset variable. */
function refusal(m: Merging, raw: ServerEntry, fromRepo: boolean): string | undefined {
  const secret = fromRepo ? secretReference(raw, m.options.secretEnv ?? []) : undefined;
  if (secret) return `it reads \${${secret}}, one of the daemon's secrets`;
  const unset = unsetReferences(raw, m.env);
  if (!unset.length) return undefined;
  const one = unset.length === 1;
  return `${unset.map((v) => `\${${v}}`).join(', ')} ${one ? 'is' : 'are'} not set and ha${one ? 's' : 've'} no default (the CLI would send the text as written); set ${one ? 'it' : 'them'} or write \${NAME:-default}`;
}

const overrideAllowed = (options: MergeOptions, repo: string, name: string): boolean =>
  (options.allowOverride ?? []).some((a) => a === `${repo}:${name}` || a === `${repo}:*`);

type RepoConfig =
  | { repo: string; root: string; file: string; untrusted: true }
  | { repo: string; root: string; file: string; read: { config: McpConfig; warnings: string[] } | Error };

/** Every repo's MCP file worth a word, in repo name order: read all at once (each read is a round trip to the thread pool). */
async function readRepoConfigs(options: MergeOptions): Promise<RepoConfig[]> {
  const trustAll = options.trustedRepos.includes('*');
  const repos = await Promise.all(
    splitRepos(await listRepos(options.reposDir), options.instance ?? SOLE_INSTANCE).owned.map(
      async (repo): Promise<RepoConfig | undefined> => {
        const root = path.join(options.reposDir, repo);
        const file = repoMcpFile(root);
        if (!trustAll && !options.trustedRepos.includes(repo))
          return (await exists(file)) ? { repo, root, file, untrusted: true } : undefined;
        // Most repos have no MCP file: that is not a problem to report.
        const read = await readMcpConfig(file, { optional: true }).catch((e: Error) => e);
        return read === undefined ? undefined : { repo, root, file, read };
      },
    ),
  );
  return repos.filter((r): r is RepoConfig => r !== undefined);
}

function takeRepo(m: Merging, r: RepoConfig): void {
  if ('untrusted' in r) {
    m.warnings.push(`${r.file}: ignored, repo "${r.repo}" is not in CLAUDEOPS_MCP_TRUSTED_REPOS`);
    return;
  }
  if (r.read instanceof Error) {
    m.warnings.push(`repo MCP config skipped: ${r.read.message}`);
    return;
  }
  m.warnings.push(...r.read.warnings);
  takeConfig(m, r.read.config, r.repo, r.root);
}

/** The merged file saved by the store; when it cannot be, a temporary file for this cycle, with a warning. */
async function saveMerged(store: Pick<Store, 'saveMergedMcp'>, text: string, warnings: string[]): Promise<string> {
  try {
    return await store.saveMergedMcp(text);
  } catch (e) {
    const file = path.join(os.tmpdir(), `claudeops-mcp.merged.${process.pid}.json`);
    warnings.push(`${(e as Error).message}; using ${file} for this cycle. Check that the state directory is writable.`);
    await writeFileAtomic(file, text, 0o600);
    return file;
  }
}

const sourceName = (source: string): string => (source === 'baseline' ? 'the baseline' : `repo ${source}`);

/** Every string of an entry that the CLI expands variables in. */
const expandable = (e: ServerEntry): string[] => [
  e.command ?? '',
  ...(e.args ?? []),
  ...Object.values(e.env ?? {}),
  e.url ?? '',
  ...Object.values(e.headers ?? {}),
];

function unsetReferences(e: ServerEntry, env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  for (const text of expandable(e))
    for (const m of text.matchAll(VAR_REFERENCE))
      if (m[2] === undefined && env[m[1]!] === undefined && m[1] !== 'CLAUDE_PROJECT_DIR') out.add(m[1]!);
  return [...out];
}

function secretReference(e: ServerEntry, secrets: readonly string[]): string | undefined {
  for (const text of expandable(e))
    for (const m of text.matchAll(VAR_REFERENCE)) if (secrets.includes(m[1]!)) return m[1];
  return undefined;
}

/**
 * A repo entry as its owner meant it: ${CLAUDE_PROJECT_DIR} is the repo's root, and a
 * relative command, and relative args that name files in the repo (or under its `cwd`,
 * which the CLI itself ignores), resolve there.
 */
export function resolveInRepo(e: ServerEntry, root: string): ServerEntry {
  const project = (t: string) => t.replace(/\$\{CLAUDE_PROJECT_DIR\}/g, root);
  if (e.url !== undefined)
    return { ...e, url: project(e.url), ...(e.headers ? { headers: mapValues(e.headers, project) } : {}) };
  const base = e.cwd ? path.resolve(root, project(e.cwd)) : root;
  const relative = (t: string) => t.startsWith('./') || t.startsWith('../');
  const command = project(e.command!);
  const args = (e.args ?? [])
    .map(project)
    .map((a) =>
      relative(a) ||
      (!path.isAbsolute(a) &&
        !a.startsWith('-') &&
        /[/\\]|\.(m?js|cjs|ts|py|sh)$/.test(a) &&
        existsSync(path.join(base, a)))
        ? path.resolve(base, a)
        : a,
    );
  const { cwd: _cwd, ...rest } = e;
  return {
    ...rest,
    command:
      relative(command) || (command.includes('/') && !path.isAbsolute(command)) ? path.resolve(base, command) : command,
    ...(e.args ? { args } : {}),
    ...(e.env ? { env: mapValues(e.env, project) } : {}),
  };
}

/**
 * A stdio entry wrapped so that its server sees only PATH, HOME, LANG, TZ, TMPDIR and the
 * variables its entry sets: not the daemon's API key, which the CLI has. Only names go on
 * the command line; the values stay in the environment.
 */
export function minimalEnvironment(e: ServerEntry): ServerEntry {
  if (e.command === undefined) return e;
  const names = [...new Set([...SERVER_BASE_ENV, ...Object.keys(e.env ?? {})])].filter((n) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(n),
  );
  const keep = names.map((n) => `\${${n}+"${n}=$${n}"}`).join(' ');
  return { ...e, command: '/bin/sh', args: ['-c', `exec env -i ${keep} "$0" "$@"`, e.command, ...(e.args ?? [])] };
}

function entryValues(entries: Record<string, ServerEntry>, env: NodeJS.ProcessEnv): string[] {
  return Object.values(entries).flatMap((e) =>
    [...Object.values(e.env ?? {}), ...Object.values(e.headers ?? {})].map((v) =>
      expandVars(v, env).replace(/^Bearer\s+/i, ''),
    ),
  );
}

const mapValues = (o: Record<string, string>, f: (v: string) => string): Record<string, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
