// The one source of truth for configuration: every variable the daemon reads, with
// its default, its meaning and its zod type. `.env.example`, the README table and
// `claudeops validate` are all derived from `variables` below.
import cron from 'node-cron';
import { z } from 'zod';
import { CLAUDE_TOOLS } from '../provider/claude/command.js';
import { PROVIDER_NAMES } from '../provider/names.js';

export type Group =
  | 'Authentication and API'
  | 'Schedule'
  | 'Tiers and models'
  | 'Checks'
  | 'Permissions'
  | 'Containment'
  | 'Paths'
  | 'Safety limits'
  | 'Notifications'
  | 'Approvals'
  | 'Records'
  | 'HTTP'
  | 'Logging';

export interface VarSpec {
  group: Group;
  /** One line: what the variable means. */
  doc: string;
  /** What a valid value looks like, for error messages. */
  expect: string;
  /** The raw default, as it would be written in `.env`; absent means unset. */
  default?: string;
  /** Values never to be logged. */
  secret?: boolean;
  schema: z.ZodType;
}

const WHOLE = /^\d+$/;

/** Node timers hold at most 2^31-1 ms; the scheduler waits up to 8 intervals after failures. */
const MAX_INTERVAL = Math.floor((2 ** 31 - 1) / 1000 / 8);

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().trim().regex(WHOLE).transform(Number).pipe(z.number().int().min(min).max(max));

const decimal = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number)
    .pipe(z.number().min(min));

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

/** Comma-separated list; empty items dropped. */
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const text = z.string().trim().min(1);

const model = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._\-[\]]+$/);

const cronExpression = z
  .string()
  .trim()
  .refine((v) => [5, 6].includes(v.split(/\s+/).length) && cron.validate(v));

type Extra = { default?: string; secret?: boolean };

const spec = <S extends z.ZodType, E extends Extra = Record<never, never>>(
  group: Group,
  doc: string,
  expect: string,
  schema: S,
  extra?: E,
) => ({ group, doc, expect, schema, ...extra }) as Omit<VarSpec, 'schema'> & { schema: S } & E;

/** What CLAUDEOPS_APPROVAL may name; see APPROVAL_CLASSES in src/approval/classes.ts for what each gates. */
export const APPROVAL_NAMES = ['none', 'restart', 'redeploy', 'config', 'tier2', 'tier3', 'all'] as const;
const approvalList = list.refine(
  (v) =>
    v.length > 0 &&
    v.every((c) => (APPROVAL_NAMES as readonly string[]).includes(c)) &&
    (!v.includes('none') || v.length === 1),
  {
    error: (issue) => {
      const v = issue.input as string[];
      const bad = v.filter((c) => !(APPROVAL_NAMES as readonly string[]).includes(c));
      return bad.length
        ? `unknown class(es): ${bad.join(', ')}`
        : v.length === 0
          ? 'empty'
          : '"none" cannot be combined with other classes';
    },
  },
);

/** `<cron> for <N>m|h|d`, several separated by ";" (cron fields may hold commas). */
const DURATION = /^(\d+)\s*(m|h|d)$/;
const maintenanceList = z
  .string()
  .transform((v) =>
    v
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((items) => items.every((item) => maintenanceItem(item) !== undefined), {
    error: (issue) =>
      `not understood: ${(issue.input as string[])
        .filter((i) => maintenanceItem(i) === undefined)
        .map((i) => `"${i}"`)
        .join(', ')}`,
  })
  .transform((items) => items.map((i) => maintenanceItem(i)!));

function maintenanceItem(item: string): { cron: string; durationMs: number } | undefined {
  const at = item.lastIndexOf(' for ');
  if (at < 0) return undefined;
  const expr = item.slice(0, at).trim();
  const m = DURATION.exec(item.slice(at + 5).trim());
  if (!m || expr.split(/\s+/).length !== 5 || !cron.validate(expr)) return undefined;
  const ms = Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'];
  return ms > 0 && ms <= 7 * 86_400_000 ? { cron: expr, durationMs: ms } : undefined;
}

const PROVIDER = z.enum(PROVIDER_NAMES);
const TOOLS = `a comma-separated list of Claude Code tool names (${CLAUDE_TOOLS.join(', ')})`;

/** Tool names the pinned CLI knows; it drops others silently, so they are refused here. */
const toolList = list.refine((tools) => tools.every((t) => CLAUDE_TOOLS.includes(t)), {
  error: (issue) =>
    `unknown tool name(s): ${(issue.input as string[]).filter((t) => !CLAUDE_TOOLS.includes(t)).join(', ')}`,
});
const RULES =
  'a comma-separated list of permission rules, e.g. Bash(rm:*),mcp__db__drop_table (other rules reach the Claude CLI only)';
const MCP = 'a comma-separated list of mcp__server or mcp__server__tool entries, or * for every merged server';
const MCP_TOOLS = 'a comma-separated list of server__tool names, e.g. db__run_select';
const PATHS = 'a comma-separated list of absolute paths, e.g. /repos/infra/compose';
const HOSTS = 'a comma-separated list of host names, *.example.com wildcards, or * for any host';

export const variables = {
  // Authentication and API
  ANTHROPIC_API_KEY: spec(
    'Authentication and API',
    'API key for the Claude Code CLI (or set CLAUDE_CODE_OAUTH_TOKEN)',
    'a non-empty key',
    text,
    {
      secret: true,
    },
  ),
  CLAUDE_CODE_OAUTH_TOKEN: spec(
    'Authentication and API',
    'OAuth token for the CLI, instead of ANTHROPIC_API_KEY',
    'a non-empty token',
    text,
    {
      secret: true,
    },
  ),
  ANTHROPIC_BASE_URL: spec(
    'Authentication and API',
    'Messages API endpoint the CLI talks to (a proxy or gateway); unset means Anthropic',
    'an http(s) URL',
    z.url({ protocol: /^https?$/ }),
  ),
  OPENAI_API_KEY: spec(
    'Authentication and API',
    'API key for tiers on the codex provider (CLAUDEOPS_TIER<N>_PROVIDER=codex)',
    'a non-empty key',
    text,
    { secret: true },
  ),
  OPENAI_BASE_URL: spec(
    'Authentication and API',
    'Responses API endpoint the Codex CLI talks to (a proxy or gateway); unset means OpenAI',
    'an http(s) URL ending in /v1',
    z.url({ protocol: /^https?$/ }),
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

  // Schedule
  CLAUDEOPS_INTERVAL: spec(
    'Schedule',
    'Seconds between cycle starts',
    `a whole number of seconds from 1 to ${MAX_INTERVAL} (eight times it, the longest backoff, must fit a timer)`,
    wholeNumber(1, MAX_INTERVAL),
    { default: '3600' },
  ),
  CLAUDEOPS_SCHEDULE: spec(
    'Schedule',
    'Cron expression (5 or 6 fields, UTC) that replaces the interval when set',
    'a cron expression such as "*/15 * * * *"',
    cronExpression,
  ),
  CLAUDEOPS_TIMEOUT: spec(
    'Schedule',
    'Seconds one CLI run may take before the daemon stops it and everything it started',
    'a whole number of seconds from 1 to 86400 (a day)',
    wholeNumber(1, 86_400),
    {
      default: '1800',
    },
  ),
  CLAUDEOPS_SHUTDOWN_GRACE: spec(
    'Schedule',
    'Seconds a running CLI gets to stop on docker stop before it is killed (keep below the compose stop_grace_period)',
    'a whole number of seconds from 1 to 3600',
    wholeNumber(1, 3_600),
    {
      default: '25',
    },
  ),
  CLAUDEOPS_FAILURE_BACKOFF: spec(
    'Schedule',
    'After this many failed cycles in a row the wait between cycles doubles for each further failure, up to 8 times the interval; 0 turns this off',
    'a whole number, 0 or more',
    wholeNumber(0),
    {
      default: '3',
    },
  ),

  // Tiers and models
  CLAUDEOPS_TIER1_MODEL: spec(
    'Tiers and models',
    'Model of tier 1 (observe)',
    'a model name or alias such as haiku',
    model,
    { default: 'haiku' },
  ),
  CLAUDEOPS_TIER2_MODEL: spec(
    'Tiers and models',
    'Model of tier 2 (investigate, safe remediation)',
    'a model name or alias such as sonnet',
    model,
    { default: 'sonnet' },
  ),
  CLAUDEOPS_TIER3_MODEL: spec(
    'Tiers and models',
    'Model of tier 3 (full remediation)',
    'a model name or alias such as opus',
    model,
    { default: 'opus' },
  ),
  CLAUDEOPS_TIER1_PROVIDER: spec(
    'Tiers and models',
    'The agent CLI tier 1 runs on',
    `one of ${PROVIDER_NAMES.join(', ')}`,
    PROVIDER,
    { default: 'claude' },
  ),
  CLAUDEOPS_TIER2_PROVIDER: spec(
    'Tiers and models',
    'The agent CLI tier 2 runs on',
    `one of ${PROVIDER_NAMES.join(', ')}`,
    PROVIDER,
    { default: 'claude' },
  ),
  CLAUDEOPS_TIER3_PROVIDER: spec(
    'Tiers and models',
    'The agent CLI tier 3 runs on',
    `one of ${PROVIDER_NAMES.join(', ')}`,
    PROVIDER,
    { default: 'claude' },
  ),
  CLAUDEOPS_MAX_TIER: spec(
    'Tiers and models',
    'Highest tier the daemon may escalate to (1 = observe only)',
    'a whole number from 1 to 3',
    wholeNumber(1, 3),
    { default: '3' },
  ),
  CLAUDEOPS_TIER1_PARALLEL: spec(
    'Tiers and models',
    'Tier-1 sessions run at once when the checks are split into shards (each CLI process takes about 300 MB); auto: half the memory limit (cgroup or machine) over 300 MB, from 1 to 8',
    'auto, or a whole number from 1 to 16',
    z.union([z.literal('auto'), wholeNumber(1, 16)]),
    { default: 'auto' },
  ),
  CLAUDEOPS_TIER1_SHARD_SIZE: spec(
    'Tiers and models',
    'Most checks one tier-1 session runs; more checks are split into shards of near-equal size, kept together by repo and service',
    'a whole number from 1 to 1000',
    wholeNumber(1, 1000),
    { default: '8' },
  ),
  CLAUDEOPS_SYSTEM_PROMPT: spec(
    'Tiers and models',
    "The system prompt every tier starts from: default (Claude Code's own, about 28 KB) or ops (prompts/system-ops.md, a short one for operations work)",
    'default or ops',
    z.enum(['default', 'ops']),
    { default: 'default' },
  ),
  CLAUDEOPS_PROMPT: spec(
    'Tiers and models',
    'Tier 1 prompt file, relative to the app directory or absolute',
    'a file path',
    text,
    { default: 'prompts/tier1-observe.md' },
  ),
  CLAUDEOPS_TIER2_PROMPT: spec('Tiers and models', 'Tier 2 prompt file', 'a file path', text, {
    default: 'prompts/tier2-investigate.md',
  }),
  CLAUDEOPS_TIER3_PROMPT: spec('Tiers and models', 'Tier 3 prompt file', 'a file path', text, {
    default: 'prompts/tier3-remediate.md',
  }),
  CLAUDEOPS_DRY_RUN: spec(
    'Tiers and models',
    'Observe and escalate, but never start a tier with write tools or without tier 1 deny rules',
    'true or false',
    boolean,
    {
      default: 'false',
    },
  ),

  // Checks
  CLAUDEOPS_CHECKS_DISABLE: spec(
    'Checks',
    'Check ids to skip, e.g. builtin/dns.md or infra/* (see claudeops validate for the ids)',
    'a comma-separated list of check ids, * matching any text',
    list,
    { default: '' },
  ),
  CLAUDEOPS_FAILURE_THRESHOLD: spec(
    'Checks',
    'Unhealthy results in a row before a check counts as unhealthy and is notified (a check file may override it with "- Failure threshold: N")',
    'a whole number from 1 to 100',
    wholeNumber(1, 100),
    { default: '1' },
  ),
  CLAUDEOPS_SUCCESS_THRESHOLD: spec(
    'Checks',
    'Good results in a row before an unhealthy check counts as resolved (a check file may override it with "- Success threshold: N")',
    'a whole number from 1 to 100',
    wholeNumber(1, 100),
    { default: '1' },
  ),

  // Permissions
  CLAUDEOPS_TIER1_TOOLS: spec(
    'Permissions',
    'Tier 1 hard tool set (read-only by default; add Task for subagents, at the cost of a larger request)',
    TOOLS,
    toolList,
    { default: 'Bash,Read,Grep,Glob,WebFetch' },
  ),
  CLAUDEOPS_ALLOWED_TOOLS: spec(
    'Permissions',
    'Older name of CLAUDEOPS_TIER1_TOOLS, used when that is unset',
    TOOLS,
    toolList,
  ),
  CLAUDEOPS_TIER2_TOOLS: spec('Permissions', 'Tier 2 hard tool set', TOOLS, toolList, {
    default: 'Bash,Read,Grep,Glob,Task,WebFetch,Edit,Write',
  }),
  CLAUDEOPS_TIER3_TOOLS: spec('Permissions', 'Tier 3 hard tool set', TOOLS, toolList, {
    default: 'Bash,Read,Grep,Glob,Task,WebFetch,Edit,Write,NotebookEdit',
  }),
  CLAUDEOPS_TIER1_DENY: spec(
    'Permissions',
    'Extra deny rules for tier 1, added to the built-in ones (see README)',
    RULES,
    list,
    { default: '' },
  ),
  CLAUDEOPS_TIER2_DENY: spec('Permissions', 'Extra deny rules for tier 2, added to the built-in ones', RULES, list, {
    default: '',
  }),
  CLAUDEOPS_TIER3_DENY: spec('Permissions', 'Extra deny rules for tier 3, added to the built-in ones', RULES, list, {
    default: '',
  }),
  CLAUDEOPS_TIER1_MCP: spec('Permissions', 'MCP servers or tools tier 1 may call', MCP, list, { default: '*' }),
  CLAUDEOPS_TIER2_MCP: spec('Permissions', 'MCP servers or tools tier 2 may call', MCP, list, { default: '*' }),
  CLAUDEOPS_TIER3_MCP: spec('Permissions', 'MCP servers or tools tier 3 may call', MCP, list, { default: '*' }),
  CLAUDEOPS_TIER1_MCP_TOOLS: spec(
    'Permissions',
    'MCP tools tier 1 may call besides those their server annotates readOnlyHint (the same list applies in dry run)',
    MCP_TOOLS,
    list,
    { default: '' },
  ),
  CLAUDEOPS_TIER2_MCP_TOOLS: spec(
    'Permissions',
    'MCP tools tier 2 may call in dry run besides read-only ones',
    MCP_TOOLS,
    list,
    { default: '' },
  ),
  CLAUDEOPS_TIER3_MCP_TOOLS: spec(
    'Permissions',
    'MCP tools tier 3 may call in dry run besides read-only ones',
    MCP_TOOLS,
    list,
    { default: '' },
  ),
  CLAUDEOPS_MCP_ALLOW_OVERRIDE: spec(
    'Permissions',
    'Repo servers allowed to replace a server defined before them (the baseline or an earlier repo); otherwise the first definition stands',
    "a comma-separated list of repo:server entries, or repo:* for all of a repo's servers",
    list,
    { default: '' },
  ),
  CLAUDEOPS_MCP_INHERIT_ENV: spec(
    'Permissions',
    "Stdio MCP servers that get the daemon's whole environment (never its secrets) instead of PATH, HOME, LANG, TZ, TMPDIR and their own env",
    'a comma-separated list of server names',
    list,
    { default: '' },
  ),
  CLAUDEOPS_MCP_TRUSTED_REPOS: spec(
    'Permissions',
    'Mounted repos allowed to add MCP servers (their commands run inside the container); * for all',
    'a comma-separated list of repo directory names, or *',
    list,
    {
      default: '*',
    },
  ),

  // Containment
  CLAUDEOPS_SANDBOX: spec(
    'Containment',
    "OS sandbox for the agent's commands: required (a tier whose sandbox cannot start does not run), auto (only tier 1 and dry run require it; tiers 2-3 run without it where it cannot start), off (no sandbox: tier 1 then rests on deny rules alone)",
    'required, auto or off',
    z.enum(['required', 'auto', 'off']),
    {
      default: 'required',
    },
  ),
  CLAUDEOPS_TIER2_WRITABLE: spec(
    'Containment',
    'Paths tier 2 may change (its commands and its Write/Edit tools); never the state, results or app directory',
    PATHS,
    list,
    { default: '' },
  ),
  CLAUDEOPS_TIER3_WRITABLE: spec('Containment', 'Paths tier 3 may change', PATHS, list, { default: '' }),
  CLAUDEOPS_WRITABLE_CONFIG_OK: spec(
    'Containment',
    'Writable paths allowed to cover what the daemon reads as configuration or runs later (a repo root with its .claude-ops/ and CLAUDE-OPS.md, a prompt file, .env): a warning then, not an error. The state, results and app directories stay refused',
    'a comma-separated list of paths, each as written in CLAUDEOPS_TIER2_WRITABLE or CLAUDEOPS_TIER3_WRITABLE',
    list,
    { default: '' },
  ),
  CLAUDEOPS_TIER1_NETWORK: spec(
    'Containment',
    "Hosts tier 1's commands may reach, through the daemon's egress proxy (plain HTTP: GET and HEAD only)",
    HOSTS,
    list,
    { default: '*' },
  ),
  CLAUDEOPS_TIER2_NETWORK: spec(
    'Containment',
    "Hosts tier 2's commands may reach (read-only methods in dry run)",
    HOSTS,
    list,
    { default: '*' },
  ),
  CLAUDEOPS_TIER3_NETWORK: spec(
    'Containment',
    "Hosts tier 3's commands may reach (read-only methods in dry run)",
    HOSTS,
    list,
    { default: '*' },
  ),
  CLAUDEOPS_READONLY_TLS_HOSTS: spec(
    'Containment',
    'Hosts to which a read-only run (tier 1, dry run, propose mode) may open an HTTPS tunnel through the egress proxy; the proxy cannot see inside a tunnel, so any method passes there. Unset: read-only runs get no tunnel, only plain HTTP GET and HEAD',
    HOSTS,
    list,
    { default: '' },
  ),
  CLAUDEOPS_DOCKER_HOST: spec(
    'Containment',
    'The Docker Engine API the agent may use (unix:///var/run/docker.sock, or a filtering proxy as tcp://host:port); every run reaches it only through the daemon, as DOCKER_HOST=tcp://docker.claudeops:2375: container reads, and restarts from tiers 2-3',
    'a unix:// or tcp:// address',
    z
      .string()
      .trim()
      .regex(/^(unix:\/\/\/.+|tcp:\/\/[^/\s]+:\d+)$/),
  ),

  // Paths
  CLAUDEOPS_APP_DIR: spec(
    'Paths',
    'Where prompts/, checks/, .claude/ and CLAUDE.md live; the CLI runs here (default: the package root)',
    'a directory path',
    text,
  ),
  CLAUDEOPS_STATE_DIR: spec(
    'Paths',
    'Writable state: merged MCP config, cooldowns, notification memory',
    'a directory path',
    text,
    { default: 'state' },
  ),
  CLAUDEOPS_RESULTS_DIR: spec(
    'Paths',
    'Writable run logs, cycle summaries and the receipt ledger',
    'a directory path',
    text,
    { default: 'results' },
  ),
  CLAUDEOPS_REPOS_DIR: spec(
    'Paths',
    'Mounted repos, each with optional .claude-ops/checks/*.md and .claude-ops/mcp.json',
    'a directory path',
    text,
    { default: 'repos' },
  ),
  CLAUDEOPS_CLAUDE_BIN: spec(
    'Paths',
    'The Claude Code CLI: a name found on PATH or a path',
    'a command name or path',
    text,
    { default: 'claude' },
  ),
  CLAUDEOPS_CODEX_BIN: spec(
    'Paths',
    'The OpenAI Codex CLI, for tiers on the codex provider: a name found on PATH or a path',
    'a command name or path',
    text,
    { default: 'codex' },
  ),

  // Safety limits
  CLAUDEOPS_COOLDOWN_MAX_RESTARTS: spec(
    'Safety limits',
    'Restarts allowed per service within the restart window',
    'a whole number, 0 or more',
    wholeNumber(0),
    { default: '2' },
  ),
  CLAUDEOPS_COOLDOWN_RESTART_WINDOW: spec(
    'Safety limits',
    'Seconds of the restart window',
    'a whole number of seconds, at least 1',
    wholeNumber(1),
    { default: '14400' },
  ),
  CLAUDEOPS_COOLDOWN_MAX_REDEPLOYS: spec(
    'Safety limits',
    'Redeployments allowed per service within the redeploy window',
    'a whole number, 0 or more',
    wholeNumber(0),
    { default: '1' },
  ),
  CLAUDEOPS_COOLDOWN_REDEPLOY_WINDOW: spec(
    'Safety limits',
    'Seconds of the redeploy window',
    'a whole number of seconds, at least 1',
    wholeNumber(1),
    { default: '86400' },
  ),
  CLAUDEOPS_COOLDOWN_RESET_AFTER: spec(
    'Safety limits',
    'Consecutive healthy cycles after which a service’s remediation counters reset',
    'a whole number, at least 1',
    wholeNumber(1),
    {
      default: '2',
    },
  ),
  CLAUDEOPS_MAX_BUDGET_USD: spec(
    'Safety limits',
    'Spend cap in USD for one tier run (passed to the CLI as --max-budget-usd); unset means none',
    'a positive amount such as 0.50',
    decimal(0.0001),
  ),
  CLAUDEOPS_DAILY_BUDGET_USD: spec(
    'Safety limits',
    'Spend cap in USD per UTC day across all runs; when reached, cycles are skipped until the next day',
    'a positive amount such as 5',
    decimal(0.0001),
  ),

  // Notifications
  CLAUDEOPS_APPRISE_URLS: spec(
    'Notifications',
    'Apprise URLs the daemon notifies, separated by commas or spaces; unset means no notifications',
    'one or more Apprise URLs such as ntfy://topic',
    text,
    {
      secret: true,
    },
  ),
  CLAUDEOPS_APPRISE_BIN: spec(
    'Notifications',
    'The Apprise CLI: a name found on PATH or a path',
    'a command name or path',
    text,
    { default: 'apprise' },
  ),
  CLAUDEOPS_NOTIFY_REMIND: spec(
    'Notifications',
    'Seconds before a still-broken check is notified again',
    'a whole number of seconds, at least 60',
    wholeNumber(60),
    { default: '21600' },
  ),
  CLAUDEOPS_NOTIFY_FAILURES: spec(
    'Notifications',
    'Failed cycles in a row that make the daemon report its own trouble',
    'a whole number, at least 1',
    wholeNumber(1),
    { default: '3' },
  ),

  // Approvals
  CLAUDEOPS_APPROVAL: spec(
    'Approvals',
    'Actions that wait for a human: a tier that could take one runs in propose mode (read-only, as in dry run) and its proposals are sent with approve/deny links. Classes: restart and config (tiers 2 and 3), redeploy and tier3 (tier 3), tier2, all (tiers 2 and 3), none',
    `a comma-separated list of ${APPROVAL_NAMES.join(', ')}`,
    approvalList,
    { default: 'tier3' },
  ),
  CLAUDEOPS_APPROVAL_TTL: spec(
    'Approvals',
    'Seconds a proposal waits for a decision before it expires',
    'a whole number of seconds from 1 to 604800 (a week)',
    wholeNumber(1, 604_800),
    { default: '3600' },
  ),
  CLAUDEOPS_APPROVAL_SECRET: spec(
    'Approvals',
    'Key that signs approve, deny, acknowledge and silence links; unset, the daemon keeps a random one in the state directory',
    'a random string of at least 32 characters, e.g. from openssl rand -hex 32',
    z.string().trim().min(32),
    { secret: true },
  ),
  CLAUDEOPS_PUBLIC_URL: spec(
    'Approvals',
    'Where operators reach the console, for links in notifications (e.g. https://ops.example.com); unset means http://127.0.0.1:<CLAUDEOPS_HTTP_PORT>',
    'an http(s) URL',
    z.url({ protocol: /^https?$/ }),
  ),
  CLAUDEOPS_MAINTENANCE: spec(
    'Approvals',
    'Maintenance windows that hold notifications (checks still run and are recorded): a 5-field cron expression (UTC) for each start, "for" a duration',
    'entries like "0 2 * * SUN for 2h", separated by ";" (m, h or d; at most 7d)',
    maintenanceList,
    { default: '' },
  ),

  // Records
  CLAUDEOPS_RETENTION_DAYS: spec(
    'Records',
    'Days run logs and cycle summaries are kept (the receipt ledger is never pruned); 0 keeps everything',
    'a whole number of days, 0 or more',
    wholeNumber(0),
    {
      default: '30',
    },
  ),

  // HTTP
  CLAUDEOPS_HTTP_PORT: spec(
    'HTTP',
    'Port of /healthz and /metrics; 0 picks a free port, off disables the endpoint',
    'a port from 0 to 65535, or off',
    z.union([z.literal('off'), wholeNumber(0, 65535)]),
    {
      default: '9090',
    },
  ),
  CLAUDEOPS_CONSOLE_TOKEN: spec(
    'HTTP',
    "Token for the console's actions (run now, stop) and for `claudeops trigger`; on a non-loopback bind every console page needs it too. Unset: the console is read-only on loopback",
    'a random string of at least 16 characters, e.g. from openssl rand -hex 24',
    z.string().trim().min(16),
    {
      secret: true,
    },
  ),
  CLAUDEOPS_HTTP_HOST: spec(
    'HTTP',
    'Address the HTTP endpoint binds to (the image sets 0.0.0.0; compose publishes it on 127.0.0.1)',
    'an IP address or host name',
    text,
    {
      default: '127.0.0.1',
    },
  ),

  // Logging
  CLAUDEOPS_LOG_LEVEL: spec(
    'Logging',
    'Daemon log level',
    'one of trace, debug, info, warn, error, fatal',
    z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']),
    {
      default: 'info',
    },
  ),
  CLAUDEOPS_LOG_PRETTY: spec(
    'Logging',
    'Human-readable daemon logs instead of JSON (default: only when stdout is a terminal)',
    'true or false',
    boolean,
  ),
} satisfies Record<string, VarSpec>;

export type VarName = keyof typeof variables;

export const EMPTY_WITH_DEFAULT = 'set but empty (remove it from .env and the environment to use the default)';

/**
 * Unset means "use the default". Empty means unset only where the default is unset or
 * empty; where it is a value, an empty setting is refused rather than silently standing for it.
 */
const withDefault = (s: VarSpec): z.ZodType => {
  if (s.default)
    return z.preprocess(
      (v) => v ?? s.default,
      z
        .string()
        .refine((v) => v.trim() !== '', { error: EMPTY_WITH_DEFAULT })
        .pipe(s.schema as z.ZodType<unknown, string>),
    );
  return z.preprocess(
    (v) => (v === undefined || v === '' ? s.default : v),
    s.default === undefined ? s.schema.optional() : s.schema,
  );
};

type Parsed<N extends VarName> = (typeof variables)[N] extends { default: string }
  ? z.output<(typeof variables)[N]['schema']>
  : z.output<(typeof variables)[N]['schema']> | undefined;

export type Env = { [N in VarName]: Parsed<N> };

export const envSchema = z.object(
  Object.fromEntries(Object.entries(variables).map(([name, s]) => [name, withDefault(s)])) as unknown as Record<
    VarName,
    z.ZodType
  >,
);
