import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import deepmerge from 'deepmerge';
import { z } from 'zod';
import { readRegular } from '../files/read-regular.js';
import { writeFileAtomic } from '../state/atomic-file.js';
import type { ServerEntry } from './catalog.js';

const serverSchema = z
  .object({
    type: z.enum(['stdio', 'sse', 'http']).optional(),
    command: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    url: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .loose()
  .refine((s) => s.command !== undefined || s.url !== undefined, { message: 'needs a "command" (stdio) or a "url" (sse/http)' });

export const mcpConfigSchema = z
  .object({
    mcpServers: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'server names may use only letters, digits, _ and -' }), serverSchema),
  })
  .loose();

export type McpConfig = z.infer<typeof mcpConfigSchema>;

export interface MergedMcp {
  /** The merged file passed to the CLI with --mcp-config. */
  file: string;
  /** Every merged server name, sorted. */
  servers: string[];
  /** Which source defined each server last. */
  origin: Record<string, string>;
  /** The merged server entries, by name. */
  entries: Record<string, ServerEntry>;
  warnings: string[];
}

/** Where a mounted repo keeps its MCP servers and checks. */
export const repoMcpFile = (repoDir: string) => path.join(repoDir, '.claude-ops', 'mcp.json');

/** An MCP file larger than this is refused: real ones are a few KB. */
export const MCP_FILE_MAX_BYTES = 1024 * 1024;
/** Nesting deeper than this is refused before parsing: real files nest four or five levels. */
export const MCP_FILE_MAX_DEPTH = 32;

/**
 * Reads and checks one MCP config file; the error names the file and the fix. Repo
 * files are untrusted: only a regular file within the size cap is read, and its JSON
 * nesting is bounded before it is parsed.
 */
export async function readMcpConfig(file: string): Promise<{ config: McpConfig; warnings: string[] }> {
  const read = await readRegular(file, MCP_FILE_MAX_BYTES);
  if (!read.ok) throw new Error(`${file}: not read: it ${read.why}`);
  const depth = jsonDepth(read.text);
  if (depth > MCP_FILE_MAX_DEPTH) throw new Error(`${file}: nested ${depth} levels deep, over the limit of ${MCP_FILE_MAX_DEPTH}; an MCP config needs about five`);
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
  const servers = (json as { mcpServers?: object }).mcpServers;
  const warnings = servers && Object.hasOwn(servers, '__proto__') ? [`${file}: the server named "__proto__" is ignored; give it another name`] : [];
  return { config: { ...parsed.data, mcpServers: Object.assign(Object.create(null), parsed.data.mcpServers) }, warnings };
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

/** Repo directories under reposDir, in name order; none when it does not exist. */
export async function listRepos(reposDir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(reposDir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => e.name)
      .filter((n) => !n.startsWith('.'))
      .sort();
  } catch {
    return [];
  }
}

/**
 * Merges the baseline MCP config with every trusted repo's `.claude-ops/mcp.json`, in
 * repo name order: a repo's server replaces an earlier one of the same name whole.
 * A bad file is skipped with a warning; the baseline is only ever read.
 */
export async function mergeMcp(options: {
  baselineFile: string;
  reposDir: string;
  trustedRepos: string[];
  outFile: string;
}): Promise<MergedMcp> {
  const warnings: string[] = [];
  const configs: McpConfig[] = [];
  const origin: Record<string, string> = Object.create(null);
  const take = ({ config, warnings: w }: { config: McpConfig; warnings: string[] }, source: string) => {
    configs.push(config);
    warnings.push(...w);
    for (const name of Object.keys(config.mcpServers)) origin[name] = source;
  };

  try {
    take(await readMcpConfig(options.baselineFile), 'baseline');
  } catch (e) {
    warnings.push(`baseline MCP config skipped: ${(e as Error).message}`);
  }

  const trustAll = options.trustedRepos.includes('*');
  for (const repo of await listRepos(options.reposDir)) {
    const file = repoMcpFile(path.join(options.reposDir, repo));
    if (!(await exists(file))) continue;
    if (!trustAll && !options.trustedRepos.includes(repo)) {
      warnings.push(`${file}: ignored, repo "${repo}" is not in CLAUDEOPS_MCP_TRUSTED_REPOS`);
      continue;
    }
    try {
      take(await readMcpConfig(file), repo);
    } catch (e) {
      warnings.push(`repo MCP config skipped: ${(e as Error).message}`);
    }
  }

  const merged = deepmerge.all<McpConfig>([{ mcpServers: {} }, ...configs], {
    arrayMerge: (_target, source) => source,
    customMerge: (key) => (key === 'mcpServers' ? (a: object, b: object) => Object.assign(Object.create(null), a, b) : undefined),
  });
  const text = JSON.stringify(merged, null, 2) + '\n';
  let file = options.outFile;
  try {
    // Most cycles merge the same files again; an unchanged result is not rewritten.
    if ((await fs.readFile(file, 'utf8').catch(() => undefined)) !== text) await writeFileAtomic(file, text, 0o600);
  } catch (e) {
    file = path.join(os.tmpdir(), `claudeops-mcp.merged.${process.pid}.json`);
    warnings.push(`cannot write ${options.outFile} (${(e as NodeJS.ErrnoException).code ?? e}); using ${file} for this cycle. Check that the state directory is writable.`);
    await writeFileAtomic(file, text, 0o600);
  }
  return { file, servers: Object.keys(merged.mcpServers).sort(), origin, warnings, entries: merged.mcpServers as Record<string, ServerEntry> };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
