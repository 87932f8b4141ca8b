// The Claude Code CLI's configuration: its variables, the tool names a tier on it may
// list, what it needs to run, and the daemon settings it honours. Declarations only:
// it imports nothing but src/config/spec.ts, so configuration can read it without
// loading the provider.
import {
  httpUrl,
  nonEmpty,
  SETTINGS_BY_PROVIDER,
  spec,
  credential,
  text,
  wholeNumber,
  type ProviderOptions,
  type VarSpec,
} from '../../config/spec.js';

/**
 * Built-in tool names the pinned CLI accepts in --tools (2.1.197; Agent, BashOutput and
 * KillShell are its aliases of Task, TaskOutput and TaskStop). Any other name is dropped
 * without a word, so configuration refuses it. A test checks the CLI still knows them.
 */
/** Built-in tools that change files, as the pinned CLI names them (it has no MultiEdit, and warns of a rule naming it). */
export const WRITE_TOOLS: readonly string[] = ['Edit', 'Write', 'NotebookEdit'];

export const CLAUDE_TOOLS: readonly string[] = [
  'Bash',
  'Read',
  'Grep',
  'Glob',
  'Edit',
  'Write',
  'NotebookEdit',
  'WebFetch',
  'WebSearch',
  'Task',
  'Agent',
  'TaskOutput',
  'BashOutput',
  'TaskStop',
  'KillShell',
  'TaskCreate',
  'TaskGet',
  'TaskList',
  'TaskUpdate',
  'Skill',
  'CronCreate',
  'CronDelete',
  'CronList',
  'DesignSync',
  'EnterWorktree',
  'ExitWorktree',
  'ReportFindings',
  'ScheduleWakeup',
  'SendMessage',
  'Workflow',
];

export const claudeVariables = {
  ANTHROPIC_API_KEY: spec(
    'Authentication and API',
    'API key for the Claude Code CLI (or set CLAUDE_CODE_OAUTH_TOKEN)',
    'the key itself: printable ASCII without spaces, as an HTTP header carries it',
    credential,
    { secret: true },
  ),
  CLAUDE_CODE_OAUTH_TOKEN: spec(
    'Authentication and API',
    'OAuth token for the CLI, instead of ANTHROPIC_API_KEY',
    'the token itself: printable ASCII without spaces, as an HTTP header carries it',
    credential,
    { secret: true },
  ),
  ANTHROPIC_BASE_URL: spec(
    'Authentication and API',
    'Messages API endpoint the CLI talks to (a proxy or gateway); unset means Anthropic',
    'an http(s) URL',
    httpUrl(),
  ),
  CLAUDE_CODE_MAX_RETRIES: spec(
    'Authentication and API',
    'How often the CLI retries a failed API request (CLI default 10, at most 15)',
    'a whole number from 0 to 15',
    wholeNumber(0, 15),
  ),
  API_TIMEOUT_MS: spec(
    'Authentication and API',
    'Milliseconds one API request may take before the CLI gives up on it',
    'a whole number of milliseconds, at least 1000',
    wholeNumber(1000),
  ),
  CLAUDEOPS_CLAUDE_BIN: spec(
    'Paths',
    'The Claude Code CLI: a name found on PATH or a path',
    'a command name or path',
    text,
    { default: 'claude', to: 'claudeBin', resolve: (v: string, ctx) => ctx.command(v) },
  ),
} satisfies Record<string, VarSpec>;

/** What the Claude Code CLI needs to reach its API; it keeps them, and the sandbox unsets them for every command it runs. */
export const CLAUDE_API_ENV = [
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'CLAUDE_CODE_MAX_RETRIES',
  'API_TIMEOUT_MS',
] as const satisfies readonly (keyof typeof claudeVariables)[];

export const claudeOptions = {
  name: 'claude',
  cli: 'the Claude Code CLI',
  binVariable: 'CLAUDEOPS_CLAUDE_BIN',
  variables: claudeVariables,
  apiEnv: CLAUDE_API_ENV,
  otherSecrets: ['ANTHROPIC_AUTH_TOKEN'],
  tools: {
    names: CLAUDE_TOOLS,
    expect: `a comma-separated list of Claude Code tool names (${CLAUDE_TOOLS.join(', ')})`,
    writing: WRITE_TOOLS,
    skill: 'Skill',
  },
  honours: SETTINGS_BY_PROVIDER,
  problems: (raw, { requireAuth }) =>
    requireAuth && !nonEmpty(raw.ANTHROPIC_API_KEY) && !nonEmpty(raw.CLAUDE_CODE_OAUTH_TOKEN)
      ? [
          'ANTHROPIC_API_KEY is unset: set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN) so the Claude Code CLI can reach the API',
        ]
      : [],
} as const satisfies ProviderOptions;
