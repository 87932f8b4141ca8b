import path from 'node:path';
import { SECRET_ENV } from '../../context/env-context.js';
import { toolPrefix } from '../../mcp/merge.js';
import { expandVars, VAR_REFERENCE, type ServerEntry } from '../../mcp/catalog.js';
import type { ProviderCommand } from '../provider-command.js';
import type { Invocation } from '../provider.js';

/** Every flag buildCodexCommand passes to `codex exec`; a test checks the pinned CLI still knows them. */
export const CODEX_FLAGS = [
  '--json',
  '--skip-git-repo-check',
  '--ephemeral',
  '--sandbox',
  '--add-dir',
  '--model',
  '--output-schema',
  '--cd',
] as const;

const OPENAI = 'https://api.openai.com/v1';

/** A TOML value: JSON's strings, booleans and arrays are TOML too. */
const toml = (v: string | boolean | string[]): string => JSON.stringify(v);

/**
 * `codex exec --json -`, the prompt on stdin, its configuration in a config.toml in a
 * CODEX_HOME of the run's own, never on the command line. Tier policy becomes Codex's
 * terms:
 * - a read-only run gets `--sandbox read-only` (no writes, no network); a tier that may
 *   act gets `workspace-write` with its writable paths added, /tmp left out, and
 *   network as its list allows;
 * - denied command prefixes become execpolicy rules (`rules/claudeops.rules`), which
 *   Codex checks against each command of a shell line;
 * - MCP tools follow the same allowance as for Claude (`enabled_tools`, `disabled_tools`).
 */
export function buildCodexCommand(inv: Invocation): ProviderCommand {
  const { policy } = inv;
  // Inside the work dir: Codex's sandbox shows the agent's commands no other part of /tmp,
  // and it starts them through a helper it keeps under CODEX_HOME.
  const home = path.join(inv.cwd, '.codex-home');
  const schemaFile = path.join(inv.cwd, '.claudeops-verdict.schema.json');
  const args = [
    'exec',
    '--json',
    '--skip-git-repo-check',
    '--ephemeral',
    '--sandbox',
    policy.readOnly ? 'read-only' : 'workspace-write',
    ...(policy.readOnly ? [] : policy.writable.flatMap((p) => ['--add-dir', p])),
    '--model',
    inv.model,
    '--output-schema',
    schemaFile,
    '--cd',
    inv.cwd,
    '-',
  ];
  const mcp = mcpTables(inv.mcpServers, policy.mcpAllowed, policy.mcpDenied, inv.env);
  const warnings = [
    ...mcp.warnings,
    ...(policy.denyRules.length
      ? [
          `Codex cannot enforce these deny rules: ${policy.denyRules.join(', ')} (only Bash(<prefix>:*) and mcp__ rules carry over)`,
        ]
      : []),
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
    `network_access = ${toml(policy.network.length > 0)}`,
    'exclude_slash_tmp = true',
    'exclude_tmpdir_env_var = true',
    '',
    // The agent's commands get a minimal environment, never a secret.
    '[shell_environment_policy]',
    'inherit = "core"',
    `exclude = ${toml([...SECRET_ENV, `${HIDDEN_PREFIX}*`])}`,
    ...mcp.lines,
  ].join('\n');
  // The daemon's system-prompt additions (environment, repo rules, handoff) lead the prompt: `codex exec` has no appended system prompt.
  const stdin = `${inv.systemPrompt ? `${inv.systemPrompt}\n\n` : ''}${inv.instructions}\n\n${inv.prompt}`;
  const { OPENAI_BASE_URL: _endpoint, ...env } = inv.env;
  return {
    file: inv.bin,
    args,
    cwd: inv.cwd,
    env: { ...env, ...mcp.env, CODEX_HOME: home },
    warnings,
    stdin,
    files: [
      { path: path.join(home, 'config.toml'), content: `${config}\n` },
      { path: path.join(home, 'rules', 'claudeops.rules'), content: execRules(policy.deniedCommands) },
      { path: schemaFile, content: strictSchema(inv.jsonSchema) },
    ],
  };
}

/** Denied command prefixes as Codex execpolicy rules, which match whole words: `rm -rf /` is ["rm", "-rf", "/"]. */
export function execRules(prefixes: string[]): string {
  return prefixes
    .map(
      (p) =>
        `prefix_rule(pattern=${JSON.stringify(p.split(/\s+/))}, decision="forbidden", justification=${JSON.stringify(`this tier may not run ${p}`)})\n`,
    )
    .join('');
}

/** A name a shell and Codex's `env_vars` accept. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HIDDEN_PREFIX = 'CLAUDEOPS_MCP_VALUE_';

/**
 * The merged servers the allow rules name (a bare `mcp__server` allows all its tools),
 * as Codex's tables. Codex expands no `${VAR}` in its config, so the daemon expands
 * them as the Claude CLI would, from the CLI's environment. A value that names a
 * variable (a token, as a rule) is never written down: it goes into Codex's own
 * environment under a name of its own, which Codex hands to the server (`env_vars`,
 * `env_http_headers`) and which the agent's commands never inherit. A stdio server is
 * started through `sh`, which sets its variable from that name; only names reach argv.
 */
export function mcpTables(
  servers: Record<string, ServerEntry>,
  allowed: string[],
  deny: string[],
  env: Record<string, string>,
): { lines: string[]; env: Record<string, string>; warnings: string[] } {
  const lines: string[] = [];
  const hidden: Record<string, string> = {};
  const warnings: string[] = [];
  const hide = (value: string): string => {
    const name = `${HIDDEN_PREFIX}${Object.keys(hidden).length + 1}`;
    hidden[name] = value;
    return name;
  };
  const x = (s: string) => expandVars(s, env);
  const named = (s: string) => s.search(VAR_REFERENCE) !== -1;
  for (const [name, entry] of Object.entries(servers)) {
    const prefix = toolPrefix(name);
    const whole = allowed.includes(prefix);
    const tools = allowed.filter((a) => a.startsWith(`${prefix}__`)).map((a) => a.slice(prefix.length + 2));
    if (!whole && tools.length === 0) continue;
    if (entry.type === 'sse') {
      warnings.push(
        `MCP server ${name} is left out of this Codex run: Codex reaches remote servers over streamable HTTP, not SSE`,
      );
      continue;
    }
    const denied = deny.filter((d) => d.startsWith(`${prefix}__`)).map((d) => d.slice(prefix.length + 2));
    // Inside the cage a server may start slowly on a busy machine; a tool called before it is up is "unsupported".
    lines.push('', `[mcp_servers.${toml(name)}]`, 'startup_timeout_sec = 30');
    if (entry.url !== undefined) {
      lines.push(`url = ${toml(x(entry.url))}`);
      const headers = Object.entries(entry.headers ?? {});
      const plain = headers.filter(([, v]) => !named(v));
      const secret = headers.filter(([, v]) => named(v));
      if (plain.length) lines.push(`http_headers = ${inlineTable(plain)}`);
      if (secret.length) lines.push(`env_http_headers = ${inlineTable(secret.map(([k, v]) => [k, hide(x(v))]))}`);
    } else {
      const vars = Object.entries(entry.env ?? {}).filter(([k]) => ENV_NAME.test(k));
      const plain = vars.filter(([, v]) => !named(v));
      const secret = vars.filter(([, v]) => named(v)).map(([k, v]) => [k, hide(x(v))] as const);
      const command = x(entry.command ?? '');
      const args = (entry.args ?? []).map(x);
      if (secret.length) {
        const set = secret.map(([k, from]) => `${k}="$${from}"; export ${k}; unset ${from}`).join('; ');
        lines.push(
          'command = "/bin/sh"',
          `args = ${toml(['-c', `${set}; exec "$0" "$@"`, command, ...args])}`,
          `env_vars = ${toml(secret.map(([, from]) => from))}`,
        );
      } else lines.push(`command = ${toml(command)}`, `args = ${toml(args)}`);
      if (plain.length) lines.push(`env = ${inlineTable(plain)}`);
    }
    if (!whole) lines.push(`enabled_tools = ${toml(tools)}`);
    if (denied.length) lines.push(`disabled_tools = ${toml(denied)}`);
  }
  return { lines, env: hidden, warnings };
}

const inlineTable = (pairs: (readonly [string, string])[]): string =>
  `{ ${pairs.map(([k, v]) => `${toml(k)} = ${toml(v)}`).join(', ')} }`;

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
    for (const [k, v] of Object.entries(node))
      out[k] =
        k === 'properties'
          ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strict(s)]))
          : strict(v);
    if (out.type === 'object' && out.properties) {
      const required = new Set<string>(out.required ?? []);
      for (const [p, s] of Object.entries<any>(out.properties))
        if (!required.has(p)) out.properties[p] = { anyOf: [s, { type: 'null' }] };
      out.required = Object.keys(out.properties);
      out.additionalProperties = false;
    }
    return out;
  };
  return JSON.stringify(strict(JSON.parse(json)));
}
