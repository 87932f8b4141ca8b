import path from 'node:path';
import type { ProviderCommand } from '../provider-command.js';
import type { Invocation } from '../provider.js';
import { PLACEHOLDER_KEY } from '../../sandbox/api-proxy.js';
import { claudeRules } from './rules.js';

const CREDENTIALS = ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN'];
// How `claude` is invoked for a tier run.

/** Built-in tool names the pinned CLI accepts in --tools: declared with its configuration. */

/** Every flag buildClaudeCommand may pass; a test checks the pinned CLI still knows them. */
export const CLAUDE_FLAGS = [
  '--print',
  '--model',
  '--output-format',
  '--verbose',
  '--permission-mode',
  '--tools',
  '--mcp-config',
  '--strict-mcp-config',
  '--json-schema',
  '--system-prompt',
  '--append-system-prompt',
  '--setting-sources',
  '--settings',
  '--max-budget-usd',
] as const;

/**
 * The CLI invocation of one tier run. The prompt goes on stdin: the CLI has no
 * --prompt-file, and its variadic list flags would swallow a positional prompt.
 * Permission rules and MCP servers go in files, however many there are, never in argv.
 * The CLI's own Bash sandbox is off: the daemon's cage holds the whole CLI.
 */
export function buildClaudeCommand(inv: Invocation): ProviderCommand {
  const rules = claudeRules(inv.policy);
  // Without a credential in its environment (a caged run), the CLI sends a placeholder the daemon's API proxy replaces.
  const keyless = !CREDENTIALS.some((k) => inv.env[k] !== undefined);
  // disableBundledSkills: the CLI's own skills (loop, deep-research, update-config, …) would be
  // listed in every request that offers the Skill tool, beside the repo skills the daemon installs.
  const settings = {
    permissions: { allow: rules.allowed, deny: rules.deny },
    sandbox: { enabled: false },
    disableBundledSkills: true,
    ...(keyless ? { apiKeyHelper: `echo ${PLACEHOLDER_KEY}` } : {}),
  };
  const file = (name: string) => ({
    host: path.join(inv.filesDir.host, name),
    inner: path.posix.join(inv.filesDir.inner, name),
  });
  const settingsFile = file('settings.json');
  const mcpFile = file('mcp.json');
  const args = [
    '--print',
    '--model',
    inv.model,
    '--output-format',
    'stream-json',
    '--verbose',
    '--permission-mode',
    'dontAsk',
    '--tools',
    inv.policy.tools.join(','),
    '--mcp-config',
    mcpFile.inner,
    '--strict-mcp-config',
    '--json-schema',
    inv.jsonSchema,
    ...(inv.systemPrompt !== undefined ? ['--system-prompt', inv.systemPrompt] : []),
    '--append-system-prompt',
    inv.instructions,
    // Settings come from the daemon alone (--settings, and the run's own work dir with its
    // CLAUDE.md and skills), never from the user's ~/.claude or a local settings file.
    '--setting-sources',
    'project',
    '--settings',
    settingsFile.inner,
    ...(inv.budgetUsd !== undefined ? ['--max-budget-usd', String(inv.budgetUsd)] : []),
  ];
  return {
    file: inv.bin,
    args,
    cwd: inv.cwd,
    stdin: inv.prompt,
    // MCP_CONNECTION_NONBLOCKING=false: in -p mode the CLI otherwise starts the first turn
    // before slower stdio servers (npx, uvx) finish starting, and their tools never appear
    // in the run; with it, the CLI waits for them (a server that never answers costs ~7 s).
    env: { ...inv.env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', MCP_CONNECTION_NONBLOCKING: 'false' },
    files: [
      { path: settingsFile.host, content: JSON.stringify(settings) },
      { path: mcpFile.host, content: JSON.stringify({ mcpServers: inv.mcpServers }) },
    ],
  };
}
