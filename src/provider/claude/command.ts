import type { Command } from '../../runner/process.js';
import type { Invocation } from '../provider.js';
import { claudeRules } from './rules.js';
// How `claude` is invoked for a tier run.

/**
 * Built-in tool names the pinned CLI accepts in --tools (2.1.197; Agent, BashOutput and
 * KillShell are its aliases of Task, TaskOutput and TaskStop). Any other name is dropped
 * without a word, so configuration refuses it. A test checks the CLI still knows them.
 */
export const CLAUDE_TOOLS: readonly string[] = [
  'Bash', 'Read', 'Grep', 'Glob', 'Edit', 'Write', 'NotebookEdit', 'WebFetch', 'WebSearch',
  'Task', 'Agent', 'TaskOutput', 'BashOutput', 'TaskStop', 'KillShell', 'TaskCreate', 'TaskGet', 'TaskList', 'TaskUpdate',
  'Skill', 'CronCreate', 'CronDelete', 'CronList', 'DesignSync', 'EnterWorktree', 'ExitWorktree', 'ReportFindings',
  'ScheduleWakeup', 'SendMessage', 'Workflow',
];

/** Every flag buildClaudeCommand may pass; a test checks the pinned CLI still knows them. */
export const CLAUDE_FLAGS = [
  '--print',
  '--model',
  '--output-format',
  '--verbose',
  '--permission-mode',
  '--tools',
  '--allowedTools',
  '--disallowedTools',
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
 */
export function buildClaudeCommand(inv: Invocation): Command {
  const rules = claudeRules(inv.policy);
  const args = [
    '--print',
    '--model', inv.model,
    '--output-format', 'stream-json',
    '--verbose',
    '--permission-mode', 'dontAsk',
    '--tools', inv.policy.tools.join(','),
    ...(rules.allowed.length ? ['--allowedTools', ...rules.allowed] : []),
    ...(rules.deny.length ? ['--disallowedTools', ...rules.deny] : []),
    '--mcp-config', inv.mcpConfigFile,
    '--strict-mcp-config',
    '--json-schema', inv.jsonSchema,
    ...(inv.systemPrompt !== undefined ? ['--system-prompt', inv.systemPrompt] : []),
    '--append-system-prompt', inv.appendSystemPrompt,
    // Settings come from the daemon alone (--settings, and the run's own work dir with its
    // CLAUDE.md and skills), never from the user's ~/.claude or a local settings file.
    '--setting-sources', 'project',
    ...(inv.settings ? ['--settings', JSON.stringify(inv.settings)] : []),
    ...(inv.maxBudgetUsd !== undefined ? ['--max-budget-usd', String(inv.maxBudgetUsd)] : []),
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
  };
}
