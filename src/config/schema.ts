// The one source of truth for configuration: every variable the daemon reads, with
// its default, its meaning, its zod type and the Config field it fills. `.env.example`,
// the README table, the `Config` type and `claudeops validate` are all derived from
// `variables` below. Adding a setting: one entry here (with `to`, or `perTier` for one
// each tier has), then read it from the Config where it is used.
// Each provider declares its own variables (src/provider/*/options.ts); they are gathered here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cron from 'node-cron';
import { z } from 'zod';
import { APPROVAL_NAMES } from './approval-classes.js';
import { parseInstance } from '../files/instance.js';
import { claudeOptions } from '../provider/claude/options.js';
import { codexOptions } from '../provider/codex/options.js';
import { PROVIDER_NAMES, type ProviderName } from '../provider/names.js';
import {
  GROUPS,
  boolean,
  cronExpression,
  decimal,
  httpUrl,
  list,
  model,
  perTier,
  spec,
  text,
  wholeNumber,
  type Parsed,
  type ProviderOptions,
  type Resolved,
  type TierNumber,
  type VarSpec,
} from './spec.js';

export { APPROVAL_NAMES };
export type { Group, VarSpec } from './spec.js';

/** Every provider's declarations, by its name in CLAUDEOPS_TIER<N>_PROVIDER. */
export const PROVIDER_OPTIONS: Readonly<Record<ProviderName, ProviderOptions>> = {
  claude: claudeOptions,
  codex: codexOptions,
};

/** Node timers hold at most 2^31-1 ms; the scheduler waits up to 8 intervals after failures. */
const MAX_INTERVAL = Math.floor((2 ** 31 - 1) / 1000 / 8);

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

/** Notifications are held from each start of `cron` (UTC) for `durationMs`. */
export type MaintenanceWindow = { cron: string; durationMs: number };
export type Schedule = { kind: 'interval'; seconds: number } | { kind: 'cron'; expression: string };

const PROVIDER = z.enum(PROVIDER_NAMES);
/** A tier's tool names are checked against its provider's (PROVIDER_OPTIONS), once the provider is known. */
const TOOLS = 'a comma-separated list of tool names of the tier’s provider';
const RULES =
  'a comma-separated list of permission rules, e.g. Bash(rm:*),mcp__db__drop_table (other rules reach the Claude CLI only)';
const MCP = 'a comma-separated list of mcp__server or mcp__server__tool entries, or * for every merged server';
const MCP_TOOLS = 'a comma-separated list of server__tool names, e.g. db__run_select';
const PATHS = 'a comma-separated list of absolute paths, e.g. /repos/infra/compose';
const HOSTS = 'a comma-separated list of host names, *.example.com wildcards, or * for any host';
const ROLE = { 1: 'observe', 2: 'investigate, safe remediation', 3: 'full remediation' } as const;
const seconds = (v: number) => v * 1000;
const absolute = (p: string) => (path.isAbsolute(p) ? path.resolve(p) : p);

const daemonVariables = {
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
    {
      to: 'schedule',
      resolve: (v: string | undefined, ctx): Schedule =>
        v ? { kind: 'cron', expression: v } : { kind: 'interval', seconds: ctx.env.CLAUDEOPS_INTERVAL as number },
    },
  ),
  CLAUDEOPS_TIMEOUT: spec(
    'Schedule',
    'Seconds one CLI run may take before the daemon stops it and everything it started',
    'a whole number of seconds from 1 to 86400 (a day)',
    wholeNumber(1, 86_400),
    { default: '1800', to: 'timeoutMs', resolve: seconds },
  ),
  CLAUDEOPS_SHUTDOWN_GRACE: spec(
    'Schedule',
    'Seconds a running CLI gets to stop on docker stop before it is killed (keep below the compose stop_grace_period)',
    'a whole number of seconds from 1 to 3600',
    wholeNumber(1, 3_600),
    { default: '25', to: 'shutdownGraceMs', resolve: seconds },
  ),
  CLAUDEOPS_FAILURE_BACKOFF: spec(
    'Schedule',
    'After this many failed cycles in a row the wait between cycles doubles for each further failure, up to 8 times the interval; 0 turns this off',
    'a whole number, 0 or more',
    wholeNumber(0),
    { default: '3', to: 'failureBackoff' },
  ),

  // Tiers and models
  ...perTier('MODEL', {
    group: 'Tiers and models',
    field: 'model',
    doc: (t) => `Model of tier ${t} (${ROLE[t]})`,
    expect: (t) => `a model name or alias such as ${{ 1: 'haiku', 2: 'sonnet', 3: 'opus' }[t]}`,
    schema: model,
    default: { 1: 'haiku', 2: 'sonnet', 3: 'opus' },
  }),
  ...perTier('PROVIDER', {
    group: 'Tiers and models',
    field: 'provider',
    doc: (t) => `The agent CLI tier ${t} runs on`,
    expect: `one of ${PROVIDER_NAMES.join(', ')}`,
    schema: PROVIDER,
    default: { 1: 'claude', 2: 'claude', 3: 'claude' },
  }),
  CLAUDEOPS_MAX_TIER: spec(
    'Tiers and models',
    'Highest tier the daemon may escalate to (1 = observe only)',
    'a whole number from 1 to 3',
    wholeNumber(1, 3),
    { default: '3', to: 'maxTier', resolve: (v: number) => v as TierNumber },
  ),
  CLAUDEOPS_TIER1_PARALLEL: spec(
    'Tiers and models',
    'Tier-1 sessions run at once when the checks are split into shards (each CLI process takes about 300 MB); auto: half the memory limit (cgroup or machine) over 300 MB, from 1 to 8',
    'auto, or a whole number from 1 to 16',
    z.union([z.literal('auto'), wholeNumber(1, 16)]),
    { default: 'auto', to: 'tier1.parallel', resolve: (v: 'auto' | number) => (v === 'auto' ? autoParallel() : v) },
  ),
  CLAUDEOPS_TIER1_SHARD_SIZE: spec(
    'Tiers and models',
    'Most checks one tier-1 session runs; more checks are split into shards of near-equal size, kept together by repo and service',
    'a whole number from 1 to 1000',
    wholeNumber(1, 1000),
    { default: '8', to: 'tier1.shardSize' },
  ),
  CLAUDEOPS_SYSTEM_PROMPT: spec(
    'Tiers and models',
    "The system prompt every tier starts from: default (Claude Code's own, about 28 KB) or ops (prompts/system-ops.md, a short one for operations work)",
    'default or ops',
    z.enum(['default', 'ops']),
    {
      default: 'default',
      to: 'systemPromptFile',
      resolve: (v: 'default' | 'ops', ctx) => (v === 'ops' ? ctx.under('prompts/system-ops.md') : undefined),
    },
  ),
  ...perTier('PROMPT', {
    group: 'Tiers and models',
    field: 'promptFile',
    tier1Name: 'CLAUDEOPS_PROMPT',
    doc: (t) => (t === 1 ? 'Tier 1 prompt file, relative to the app directory or absolute' : `Tier ${t} prompt file`),
    expect: 'a file path',
    schema: text,
    default: { 1: 'prompts/tier1-observe.md', 2: 'prompts/tier2-investigate.md', 3: 'prompts/tier3-remediate.md' },
    resolve: (v: string, ctx) => ctx.under(v),
  }),
  CLAUDEOPS_DRY_RUN: spec(
    'Tiers and models',
    'Observe and escalate, but never start a tier with write tools or without tier 1 deny rules',
    'true or false',
    boolean,
    { default: 'false', to: 'dryRun' },
  ),

  // Checks
  CLAUDEOPS_CHECKS_DISABLE: spec(
    'Checks',
    'Check ids to skip, e.g. builtin/dns.md or infra/* (see claudeops validate for the ids)',
    'a comma-separated list of check ids, * matching any text',
    list,
    { default: '', to: 'checks.disable' },
  ),
  CLAUDEOPS_PROBE_TIMEOUT: spec(
    'Checks',
    "Seconds one probe (a check's ## Probe line) may take before it counts as failed",
    'a whole number of seconds from 1 to 300',
    wholeNumber(1, 300),
    { default: '10', to: 'probes.timeoutMs', resolve: seconds },
  ),
  CLAUDEOPS_MODEL_REVIEW: spec(
    'Checks',
    'How often tier 1 reviews a check whose probes pass and whose status has not changed: every N hours, or always (every cycle, as for a check without probes)',
    'a whole number of hours from 1 to 8760, or always',
    z.union([z.literal('always'), wholeNumber(1, 8_760)]),
    {
      default: '24',
      to: 'probes.reviewMs',
      resolve: (v: 'always' | number): 'always' | number => (v === 'always' ? v : v * 3_600_000),
    },
  ),
  CLAUDEOPS_FAILURE_THRESHOLD: spec(
    'Checks',
    'Unhealthy results in a row before a check counts as unhealthy and is notified (a check file may override it with "- Failure threshold: N")',
    'a whole number from 1 to 100',
    wholeNumber(1, 100),
    { default: '1', to: 'checks.failureThreshold' },
  ),
  CLAUDEOPS_SUCCESS_THRESHOLD: spec(
    'Checks',
    'Good results in a row before an unhealthy check counts as resolved (a check file may override it with "- Success threshold: N")',
    'a whole number from 1 to 100',
    wholeNumber(1, 100),
    { default: '1', to: 'checks.successThreshold' },
  ),

  // Permissions
  ...perTier('TOOLS', {
    group: 'Permissions',
    field: 'tools',
    doc: (t) =>
      t === 1
        ? 'Tier 1 hard tool set (read-only by default; add Task for subagents, at the cost of a larger request)'
        : `Tier ${t} hard tool set`,
    expect: TOOLS,
    schema: list,
    default: {
      1: 'Bash,Read,Grep,Glob,WebFetch',
      2: 'Bash,Read,Grep,Glob,Task,WebFetch,Edit,Write',
      3: 'Bash,Read,Grep,Glob,Task,WebFetch,Edit,Write,NotebookEdit',
    },
    oldNames: { 1: 'CLAUDEOPS_ALLOWED_TOOLS' },
  }),
  ...perTier('DENY', {
    group: 'Permissions',
    field: 'deny',
    doc: (t) => `Extra deny rules for tier ${t}, added to the built-in ones${t === 1 ? ' (see README)' : ''}`,
    expect: RULES,
    schema: list,
    default: { 1: '', 2: '', 3: '' },
  }),
  ...perTier('MCP', {
    group: 'Permissions',
    field: 'mcp',
    doc: (t) => `MCP servers or tools tier ${t} may call`,
    expect: MCP,
    schema: list,
    default: { 1: '*', 2: '*', 3: '*' },
  }),
  ...perTier('MCP_TOOLS', {
    group: 'Permissions',
    field: 'mcpTools',
    doc: (t) =>
      t === 1
        ? 'MCP tools tier 1 may call besides those their server annotates readOnlyHint (the same list applies in dry run)'
        : `MCP tools tier ${t} may call in dry run besides read-only ones`,
    expect: MCP_TOOLS,
    schema: list,
    default: { 1: '', 2: '', 3: '' },
  }),
  CLAUDEOPS_MCP_ALLOW_OVERRIDE: spec(
    'Permissions',
    'Repo servers allowed to replace a server defined before them (the baseline or an earlier repo); otherwise the first definition stands',
    "a comma-separated list of repo:server entries, or repo:* for all of a repo's servers",
    list,
    { default: '', to: 'mcpAllowOverride' },
  ),
  CLAUDEOPS_MCP_INHERIT_ENV: spec(
    'Permissions',
    "Stdio MCP servers that get the daemon's whole environment (never its secrets) instead of PATH, HOME, LANG, TZ, TMPDIR and their own env",
    'a comma-separated list of server names',
    list,
    { default: '', to: 'mcpInheritEnv' },
  ),
  CLAUDEOPS_MCP_TRUSTED_REPOS: spec(
    'Permissions',
    'Mounted repos allowed to add MCP servers (their commands run inside the container); * for all',
    'a comma-separated list of repo directory names, or *',
    list,
    { default: '*', to: 'mcpTrustedRepos' },
  ),

  // Containment
  CLAUDEOPS_SANDBOX: spec(
    'Containment',
    "OS sandbox for the agent's commands: required (a tier whose sandbox cannot start does not run), auto (only tier 1 and dry run require it; tiers 2-3 run without it where it cannot start), off (no sandbox: tier 1 then rests on deny rules alone)",
    'required, auto or off',
    z.enum(['required', 'auto', 'off']),
    { default: 'required', to: 'sandbox' },
  ),
  ...perTier('WRITABLE', {
    group: 'Containment',
    field: 'writable',
    tiers: [2, 3],
    absent: [],
    doc: (t) =>
      t === 2
        ? 'Paths tier 2 may change (its commands and its Write/Edit tools); never the state, results or app directory'
        : `Paths tier ${t} may change`,
    expect: PATHS,
    schema: list,
    default: { 2: '', 3: '' },
    resolve: (v: string[]) => v.map(absolute),
  }),
  CLAUDEOPS_WRITABLE_CONFIG_OK: spec(
    'Containment',
    'Writable paths allowed to cover what the daemon reads as configuration or runs later (a repo root with its .claude-ops/ and CLAUDE-OPS.md, a prompt file, .env): a warning then, not an error. The state, results and app directories stay refused',
    'a comma-separated list of paths, each as written in CLAUDEOPS_TIER2_WRITABLE or CLAUDEOPS_TIER3_WRITABLE',
    list,
    { default: '', to: 'writableConfigOk' },
  ),
  ...perTier('NETWORK', {
    group: 'Containment',
    field: 'network',
    doc: (t) =>
      t === 1
        ? "Hosts tier 1's commands may reach, through the daemon's egress proxy (plain HTTP: GET and HEAD only)"
        : `Hosts tier ${t}'s commands may reach (read-only methods in dry run)`,
    expect: HOSTS,
    schema: list,
    default: { 1: '*', 2: '*', 3: '*' },
  }),
  CLAUDEOPS_READONLY_TLS_HOSTS: spec(
    'Containment',
    'Hosts to which a read-only run (tier 1, dry run, propose mode) may open an HTTPS tunnel through the egress proxy; the proxy cannot see inside a tunnel, so any method passes there. Unset: read-only runs get no tunnel, only plain HTTP GET and HEAD',
    HOSTS,
    list,
    { default: '', to: 'readOnlyTlsHosts' },
  ),
  CLAUDEOPS_DOCKER_HOST: spec(
    'Containment',
    'The Docker Engine API the agent may use (unix:///var/run/docker.sock, or a filtering proxy as tcp://host:port); every run reaches it only through the daemon, as DOCKER_HOST=tcp://docker.claudeops:2375: container reads, and restarts from tiers 2-3',
    'a unix:// or tcp:// address',
    z
      .string()
      .trim()
      .regex(/^(unix:\/\/\/.+|tcp:\/\/[^/\s]+:\d+)$/),
    { to: 'dockerHost' },
  ),

  // Instances and Kubernetes
  CLAUDEOPS_INSTANCE: spec(
    'Instances and Kubernetes',
    "Which of several instances this is: each owns the repos whose name hashes to it (rendezvous hashing, so adding an instance moves about 1/n of them) and judges only their checks; the app's built-in checks run on every instance. 1/1: one instance owns every repo",
    '<i>/<n> with 1 ≤ i ≤ n, or a StatefulSet pod name and n (claudeops-0/3 is 1/3)',
    z
      .string()
      .trim()
      .refine((v) => parseInstance(v) !== undefined)
      .transform((v) => parseInstance(v)!),
    { default: '1/1', to: 'instance' },
  ),
  ...perTier('KUBERNETES_ACCOUNT', {
    group: 'Instances and Kubernetes',
    field: 'kubernetesAccount',
    doc: (t) =>
      t === 1
        ? "The ServiceAccount (name in the daemon's namespace, or namespace/name) whose identity tier 1's runs get in Kubernetes: the daemon requests a short-lived token for it before each run and holds it; the run's kubectl reaches the API server only through the daemon, which adds that token, so the API server enforces the account's RBAC. Unset: the tier gets no Kubernetes access"
        : `The ServiceAccount whose identity tier ${t}'s runs get in Kubernetes (as for tier 1)`,
    expect: 'a ServiceAccount name, or namespace/name',
    schema: z
      .string()
      .trim()
      .regex(/^(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$|^$/),
    default: { 1: '', 2: '', 3: '' },
    resolve: (v: string) => v || undefined,
  }),
  CLAUDEOPS_KUBERNETES_API: spec(
    'Instances and Kubernetes',
    "The Kubernetes API server the tiers' ServiceAccounts act on (only used when a tier has CLAUDEOPS_TIER<N>_KUBERNETES_ACCOUNT)",
    'an http(s) URL',
    httpUrl(),
    { default: 'https://kubernetes.default.svc', to: 'kubernetes.api', resolve: (v: string) => v.replace(/\/+$/, '') },
  ),
  CLAUDEOPS_KUBERNETES_CREDENTIALS: spec(
    'Instances and Kubernetes',
    "The daemon's own ServiceAccount credentials: a directory with token, ca.crt and namespace, as Kubernetes mounts them in a pod. The daemon's account needs only create on serviceaccounts/token for the tiers' accounts; no run ever sees this directory",
    'a directory path',
    text,
    {
      default: '/var/run/secrets/kubernetes.io/serviceaccount',
      to: 'kubernetes.credentialsDir',
      resolve: (v: string, ctx) => ctx.under(v),
    },
  ),

  // Paths
  CLAUDEOPS_APP_DIR: spec(
    'Paths',
    'Where prompts/, checks/, .claude/ and CLAUDE.md live; the CLI runs here (default: the package root)',
    'a directory path',
    text,
    { to: 'appDir', resolve: (_: string | undefined, ctx) => ctx.appDir },
  ),
  CLAUDEOPS_STATE_DIR: spec(
    'Paths',
    'Writable state: merged MCP config, cooldowns, notification memory',
    'a directory path',
    text,
    { default: 'state', to: 'stateDir', resolve: (v: string, ctx) => ctx.under(v) },
  ),
  CLAUDEOPS_RESULTS_DIR: spec(
    'Paths',
    'Writable run logs, cycle summaries and the receipt ledger',
    'a directory path',
    text,
    { default: 'results', to: 'resultsDir', resolve: (v: string, ctx) => ctx.under(v) },
  ),
  CLAUDEOPS_REPOS_DIR: spec(
    'Paths',
    'Mounted repos, each with optional .claude-ops/checks/*.md and .claude-ops/mcp.json',
    'a directory path',
    text,
    { default: 'repos', to: 'reposDir', resolve: (v: string, ctx) => ctx.under(v) },
  ),

  // Safety limits
  CLAUDEOPS_COOLDOWN_MAX_RESTARTS: spec(
    'Safety limits',
    'Restarts allowed per service within the restart window',
    'a whole number, 0 or more',
    wholeNumber(0),
    { default: '2', to: 'cooldown.maxRestarts' },
  ),
  CLAUDEOPS_COOLDOWN_RESTART_WINDOW: spec(
    'Safety limits',
    'Seconds of the restart window',
    'a whole number of seconds, at least 1',
    wholeNumber(1),
    { default: '14400', to: 'cooldown.restartWindowMs', resolve: seconds },
  ),
  CLAUDEOPS_COOLDOWN_MAX_REDEPLOYS: spec(
    'Safety limits',
    'Redeployments allowed per service within the redeploy window',
    'a whole number, 0 or more',
    wholeNumber(0),
    { default: '1', to: 'cooldown.maxRedeploys' },
  ),
  CLAUDEOPS_COOLDOWN_REDEPLOY_WINDOW: spec(
    'Safety limits',
    'Seconds of the redeploy window',
    'a whole number of seconds, at least 1',
    wholeNumber(1),
    { default: '86400', to: 'cooldown.redeployWindowMs', resolve: seconds },
  ),
  CLAUDEOPS_COOLDOWN_RESET_AFTER: spec(
    'Safety limits',
    'Consecutive healthy cycles after which a service’s remediation counters reset',
    'a whole number, at least 1',
    wholeNumber(1),
    { default: '2', to: 'cooldown.resetAfterHealthy' },
  ),
  CLAUDEOPS_MAX_BUDGET_USD: spec(
    'Safety limits',
    'Spend cap in USD for one tier run (passed to the CLI as --max-budget-usd); unset means none',
    'a positive amount such as 0.50',
    decimal(0.0001),
    { to: 'budget.perRunUsd' },
  ),
  CLAUDEOPS_DAILY_BUDGET_USD: spec(
    'Safety limits',
    'Spend cap in USD per UTC day across all runs; when reached, cycles are skipped until the next day',
    'a positive amount such as 5',
    decimal(0.0001),
    { to: 'budget.dailyUsd' },
  ),

  // Notifications
  CLAUDEOPS_APPRISE_URLS: spec(
    'Notifications',
    'Apprise URLs the daemon notifies, separated by commas or spaces; unset means no notifications',
    'one or more Apprise URLs such as ntfy://topic',
    text,
    { secret: true, to: 'notify.urls', resolve: (v: string | undefined) => splitAppriseUrls(v) },
  ),
  CLAUDEOPS_APPRISE_BIN: spec(
    'Notifications',
    'The Apprise CLI: a name found on PATH or a path',
    'a command name or path',
    text,
    { default: 'apprise', to: 'notify.bin' },
  ),
  CLAUDEOPS_NOTIFY_REMIND: spec(
    'Notifications',
    'Seconds before a still-broken check is notified again',
    'a whole number of seconds, at least 60',
    wholeNumber(60),
    { default: '21600', to: 'notify.remindMs', resolve: seconds },
  ),
  CLAUDEOPS_NOTIFY_FAILURES: spec(
    'Notifications',
    'Failed cycles in a row that make the daemon report its own trouble',
    'a whole number, at least 1',
    wholeNumber(1),
    { default: '3', to: 'notify.failures' },
  ),

  // Approvals
  CLAUDEOPS_APPROVAL: spec(
    'Approvals',
    'Actions that wait for a human: a tier that could take one runs in propose mode (read-only, as in dry run) and its proposals are sent with approve/deny links. Classes: restart and config (tiers 2 and 3), redeploy and tier3 (tier 3), tier2, all (tiers 2 and 3), none',
    `a comma-separated list of ${APPROVAL_NAMES.join(', ')}`,
    approvalList,
    { default: 'tier3', to: 'approval.classes' },
  ),
  CLAUDEOPS_APPROVAL_TTL: spec(
    'Approvals',
    'Seconds a proposal waits for a decision before it expires',
    'a whole number of seconds from 1 to 604800 (a week)',
    wholeNumber(1, 604_800),
    { default: '3600', to: 'approval.ttlMs', resolve: seconds },
  ),
  CLAUDEOPS_APPROVAL_SECRET: spec(
    'Approvals',
    'Key that signs approve, deny, acknowledge and silence links; unset, the daemon keeps a random one in the state directory',
    'a random string of at least 32 characters, e.g. from openssl rand -hex 32',
    z.string().trim().min(32),
    { secret: true, to: 'approval.secret' },
  ),
  CLAUDEOPS_PUBLIC_URL: spec(
    'Approvals',
    'Where operators reach the console, for links in notifications (e.g. https://ops.example.com); unset means http://127.0.0.1:<CLAUDEOPS_HTTP_PORT>',
    'an http(s) URL',
    httpUrl(),
    {
      to: 'approval.publicUrl',
      // Unset: the local console, unless the port is off or picked at random.
      resolve: (v: string | undefined, ctx) => {
        const port = ctx.env.CLAUDEOPS_HTTP_PORT;
        return (v ?? (typeof port === 'number' && port > 0 ? `http://127.0.0.1:${port}` : undefined))?.replace(
          /\/+$/,
          '',
        );
      },
    },
  ),
  CLAUDEOPS_MAINTENANCE: spec(
    'Approvals',
    'Maintenance windows that hold notifications (checks still run and are recorded): a 5-field cron expression (UTC) for each start, "for" a duration',
    'entries like "0 2 * * SUN for 2h", separated by ";" (m, h or d; at most 7d)',
    maintenanceList,
    { default: '', to: 'notify.maintenance' },
  ),

  // Alerts and memory
  CLAUDEOPS_ALERTS_TOKEN: spec(
    'Alerts and memory',
    'Token an alert source (Alertmanager, Grafana, a script) sends as Authorization: Bearer to POST /api/v1/alerts; it opens nothing else. Unset: the endpoint refuses every alert',
    'a random string of at least 16 characters, its own (not a console token)',
    z.string().trim().min(16),
    { secret: true, to: 'alerts.token' },
  ),
  CLAUDEOPS_ALERTS_DEDUPE: spec(
    'Alerts and memory',
    'Seconds an alert (by its fingerprint) starts nothing again after it started a cycle; it never does while that cycle runs',
    'a whole number of seconds, 0 or more',
    wholeNumber(0, 604_800),
    { default: '1800', to: 'alerts.dedupeMs', resolve: seconds },
  ),
  CLAUDEOPS_ALERTS_PER_HOUR: spec(
    'Alerts and memory',
    'Most alerts one source (an Alertmanager receiver, a Grafana org, a generic sender) may start cycles for in an hour; the rest are recorded and start nothing',
    'a whole number from 1 to 1000',
    wholeNumber(1, 1000),
    { default: '12', to: 'alerts.perHour' },
  ),
  CLAUDEOPS_MEMORY_BUDGET: spec(
    'Alerts and memory',
    "Bytes of each tier's prompt given to the notes earlier cycles left about its checks and services; 0 gives none (notes are still kept)",
    'a whole number of bytes from 0 to 65536',
    wholeNumber(0, 65_536),
    { default: '2048', to: 'memory.budgetBytes' },
  ),
  CLAUDEOPS_MEMORY_HALF_LIFE: spec(
    'Alerts and memory',
    "Days after which an unpinned note's confidence has halved, unless a later cycle confirms it",
    'a whole number of days from 1 to 365',
    wholeNumber(1, 365),
    { default: '14', to: 'memory.halfLifeDays' },
  ),

  // Records
  CLAUDEOPS_RETENTION_DAYS: spec(
    'Records',
    'Days run logs and cycle summaries are kept (the receipt ledger is never pruned); 0 keeps everything',
    'a whole number of days, 0 or more',
    wholeNumber(0),
    { default: '30', to: 'retentionDays' },
  ),

  // HTTP
  CLAUDEOPS_HTTP_PORT: spec(
    'HTTP',
    'Port of /healthz and /metrics; 0 picks a free port, off disables the endpoint',
    'a port from 0 to 65535, or off',
    z.union([z.literal('off'), wholeNumber(0, 65535)]),
    { default: '9090', to: 'http.port' },
  ),
  CLAUDEOPS_CONSOLE_TOKEN: spec(
    'HTTP',
    "Token for the console's actions (run now, stop) and for `claudeops trigger`; on a non-loopback bind every console page needs it too. Unset: the console is read-only on loopback",
    'a random string of at least 16 characters, e.g. from openssl rand -hex 24',
    z.string().trim().min(16),
    { secret: true, to: 'http.consoleToken' },
  ),
  CLAUDEOPS_CONSOLE_READ_TOKEN: spec(
    'HTTP',
    "A second token that only reads: the console's pages and /api/v1/* by Authorization: Bearer, for dashboards and scripts that must not act (on a loopback bind reading needs no token)",
    'a random string of at least 16 characters, not the console token',
    z.string().trim().min(16),
    { secret: true, to: 'http.readToken' },
  ),
  CLAUDEOPS_HTTP_HOST: spec(
    'HTTP',
    'Address the HTTP endpoint binds to (the image sets 0.0.0.0; compose publishes it on 127.0.0.1)',
    'an IP address or host name',
    text,
    { default: '127.0.0.1', to: 'http.host' },
  ),

  // Logging
  CLAUDEOPS_LOG_LEVEL: spec(
    'Logging',
    'Daemon log level',
    'one of trace, debug, info, warn, error, fatal',
    z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']),
    { default: 'info', to: 'log.level' },
  ),
  CLAUDEOPS_LOG_PRETTY: spec(
    'Logging',
    'Human-readable daemon logs instead of JSON (default: only when stdout is a terminal)',
    'true or false',
    boolean,
    {
      to: 'log.pretty',
      resolve: (v: boolean | undefined, ctx) =>
        v ?? (ctx.raw.CLAUDEOPS_LOG_PRETTY === undefined && process.stdout.isTTY === true),
    },
  ),
} satisfies Record<string, VarSpec>;

/** Every variable, the providers' among the daemon's, in the order of their groups. */
const byGroup = <T extends Record<string, VarSpec>>(vars: T): T =>
  Object.fromEntries(
    Object.entries(vars).sort(([, a], [, b]) => GROUPS.indexOf(a.group) - GROUPS.indexOf(b.group)),
  ) as T;

export const variables = byGroup({
  ...daemonVariables,
  ...claudeOptions.variables,
  ...codexOptions.variables,
});

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

export type Env = { [N in VarName]: Parsed<(typeof variables)[N]> };

export const envSchema = z.object(
  Object.fromEntries(Object.entries(variables).map(([name, s]) => [name, withDefault(s)])) as unknown as Record<
    VarName,
    z.ZodType
  >,
);

// The typed Config, from the `to` and `perTier` of each variable.
type Nest<P extends string, V> = P extends `${infer H}.${infer R}` ? { [K in H]: Nest<R, V> } : { [K in P]: V };
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Vars = typeof variables;

/** The Config fields the variables fill (`to`), nested as their dotted paths say. */
export type Settings = Intersect<
  { [N in VarName]: Vars[N] extends { to: infer P extends string } ? Nest<P, Resolved<Vars[N]>> : never }[VarName]
>;

/** One tier's settings, from the variables declared `perTier`. */
export type TierSettings = { tier: TierNumber } & Intersect<
  {
    [N in VarName]: Vars[N] extends { tier: { field: infer F extends string } }
      ? { [K in F]: Resolved<Vars[N]> }
      : never;
  }[VarName]
>;

/** Tier-1 sessions at once by memory: half the cgroup's limit (or the machine's memory) over a CLI's ~300 MB, from 1 to 8. */
function autoParallel(): number {
  const CLI_MB = 300;
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
