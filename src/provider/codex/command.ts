import path from 'node:path';
import { SECRET_ENV } from '../../context/env-context.js';
import { toolPrefix } from '../../mcp/merge.js';
import type { ServerEntry } from '../../mcp/catalog.js';
import type { Invocation } from '../provider.js';

/** Every flag buildCodexCommand passes to `codex exec`; a test checks the pinned CLI still knows them. */
export const CODEX_FLAGS = ['--json', '--skip-git-repo-check', '--ephemeral', '--ignore-user-config', '--sandbox', '--add-dir', '--model', '--output-schema', '--cd'] as const;

const OPENAI = 'https://api.openai.com/v1';

/** A TOML value: JSON's strings, booleans and arrays are TOML too. */
const toml = (v: string | boolean | string[]): string => JSON.stringify(v);

/**
 * `codex exec --json -`, the prompt on stdin. Everything that may hold a secret (the
 * MCP servers' env, the API endpoint) goes into a config.toml in a CODEX_HOME of the
 * run's own, never on the command line. Tier policy becomes Codex's terms: a read-only
 * run gets `--sandbox read-only` (no writes, no network); a tier that may act gets
 * `workspace-write` with its writable paths added and network as its list allows. MCP
 * tools follow the same allowance as for Claude: a read-only run gets each allowed
 * server with only its allowed tools (`enabled_tools`).
 */
export function buildCodexCommand(inv: Invocation): { file: string; args: string[]; cwd: string; env: Record<string, string>; stdin: string; files: { path: string; content: string }[] } {
  const home = path.join(inv.cwd, '.codex-home');
  const schemaFile = path.join(inv.cwd, '.claudeops-verdict.schema.json');
  const args = [
    'exec',
    '--json',
    '--skip-git-repo-check',
    '--ephemeral',
    '--sandbox', inv.access.readOnly ? 'read-only' : 'workspace-write',
    ...(inv.access.readOnly ? [] : inv.access.writable.flatMap((p) => ['--add-dir', p])),
    '--model', inv.model,
    '--output-schema', schemaFile,
    '--cd', inv.cwd,
    '-',
  ];
  const config = [
    'model_provider = "claudeops"',
    'approval_policy = "never"',
    '',
    '[model_providers.claudeops]',
    'name = "OpenAI"',
    `base_url = ${toml(inv.env.OPENAI_BASE_URL ?? OPENAI)}`,
    'env_key = "OPENAI_API_KEY"',
    'wire_api = "responses"',
    '',
    '[sandbox_workspace_write]',
    `network_access = ${toml(inv.access.network)}`,
    '',
    // The agent's commands get a minimal environment, never a secret.
    '[shell_environment_policy]',
    'inherit = "core"',
    `exclude = ${toml([...SECRET_ENV])}`,
    ...mcpTables(inv.mcpServers, inv.allowed, inv.deny),
  ].join('\n');
  // The daemon's system-prompt additions (environment, repo rules, handoff) lead the prompt: `codex exec` has no appended system prompt.
  const stdin = `${inv.systemPrompt ? `${inv.systemPrompt}\n\n` : ''}${inv.appendSystemPrompt}\n\n${inv.prompt}`;
  const { OPENAI_BASE_URL: _endpoint, ...env } = inv.env;
  return {
    file: inv.bin,
    args,
    cwd: inv.cwd,
    env: { ...env, CODEX_HOME: home },
    stdin,
    files: [
      { path: path.join(home, 'config.toml'), content: `${config}\n` },
      { path: schemaFile, content: strictSchema(inv.jsonSchema) },
    ],
  };
}

/** Each merged server the allow rules name, with the tools they allow (a bare `mcp__server` allows all). */
function mcpTables(servers: Record<string, ServerEntry>, allowed: string[], deny: string[]): string[] {
  const out: string[] = [];
  for (const [name, entry] of Object.entries(servers)) {
    const prefix = toolPrefix(name);
    const whole = allowed.includes(prefix);
    const tools = allowed.filter((a) => a.startsWith(`${prefix}__`)).map((a) => a.slice(prefix.length + 2));
    if (!whole && tools.length === 0) continue;
    const denied = deny.filter((d) => d.startsWith(`${prefix}__`)).map((d) => d.slice(prefix.length + 2));
    out.push('', `[mcp_servers.${toml(name)}]`);
    if (entry.url !== undefined) out.push(`url = ${toml(entry.url)}`);
    else {
      out.push(`command = ${toml(entry.command ?? '')}`, `args = ${toml(entry.args ?? [])}`);
      if (entry.env && Object.keys(entry.env).length) out.push(`env = { ${Object.entries(entry.env).map(([k, v]) => `${toml(k)} = ${toml(v)}`).join(', ')} }`);
    }
    if (!whole) out.push(`enabled_tools = ${toml(tools)}`);
    if (denied.length) out.push(`disabled_tools = ${toml(denied)}`);
  }
  return out;
}

/**
 * OpenAI's structured outputs take a strict schema: every property required and no
 * others allowed. Optional fields become nullable instead, so the verdict's shape is
 * kept; the daemon drops the nulls before it checks the verdict.
 */
export function strictSchema(json: string): string {
  const strict = (node: any): any => {
    if (Array.isArray(node)) return node.map(strict);
    if (!node || typeof node !== 'object') return node;
    const out: any = {};
    for (const [k, v] of Object.entries(node)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strict(s)])) : strict(v);
    if (out.type === 'object' && out.properties) {
      const required = new Set<string>(out.required ?? []);
      for (const [p, s] of Object.entries<any>(out.properties)) if (!required.has(p)) out.properties[p] = { anyOf: [s, { type: 'null' }] };
      out.required = Object.keys(out.properties);
      out.additionalProperties = false;
    }
    return out;
  };
  return JSON.stringify(strict(JSON.parse(json)));
}
