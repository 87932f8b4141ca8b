import type { Config, TierNumber } from '../config/config.js';
import { PROVIDER_OPTIONS } from '../config/schema.js';
import type { CheckSet } from '../checks/check-set.js';
import type { McpCatalog } from '../mcp/catalog.js';
import { toolPrefix } from '../mcp/merge.js';
import { proposeMode } from '../approval/prompt.js';

// Built-in command prefixes refused at each tier. A CLI matches them against the start
// of each command, so they are the last line only: what holds is the OS sandbox, the
// tool set, MCP annotations and the egress proxy (see tierPolicy and src/sandbox/).
// The policy is in the daemon's terms; each provider turns it into its CLI's own.

/** Denied at every tier: nothing the daemon should ever do unattended. */
export const CATASTROPHIC = [
  'rm -rf /',
  'rm -rf /*',
  'mkfs',
  'dd',
  'shutdown',
  'reboot',
  'halt',
  'poweroff',
  'docker system prune',
  'docker volume rm',
  'docker volume prune',
  'kubectl delete namespace',
  'terraform destroy',
  'git push --force',
];

/** Denied to tiers 1 and 2: deletions and irreversible changes. */
export const DESTRUCTIVE = [
  'rm',
  'docker rm',
  'docker rmi',
  'docker compose down',
  'kubectl delete',
  'helm uninstall',
  'systemctl disable',
  'systemctl mask',
  'git push',
  'git reset --hard',
  'chmod',
  'chown',
];

/** Denied to tiers 1 and 2: redeployments and configuration rollouts (tier 3's work). */
export const REDEPLOY = [
  'docker compose up',
  'docker-compose up',
  'kubectl apply',
  'kubectl set',
  'kubectl rollout undo',
  'helm upgrade',
  'helm rollback',
  'ansible-playbook',
];

/** Denied to tier 1 only: restarts and any other change of state (tier 2's safe remediation). */
export const MUTATING = [
  'docker restart',
  'docker start',
  'docker stop',
  'docker kill',
  'docker compose restart',
  'systemctl restart',
  'systemctl start',
  'systemctl stop',
  'systemctl reload',
  'kubectl rollout restart',
  'kubectl scale',
  'kubectl edit',
  'kubectl patch',
  'kill',
  'pkill',
  'mv',
  'cp',
  'tee',
  'sed -i',
  'truncate',
  'apt-get',
  'git commit',
];

export const BUILTIN_DENY: Record<TierNumber, string[]> = {
  1: [...CATASTROPHIC, ...DESTRUCTIVE, ...REDEPLOY, ...MUTATING],
  2: [...CATASTROPHIC, ...DESTRUCTIVE, ...REDEPLOY],
  3: [...CATASTROPHIC],
};

export interface TierPolicy {
  tier: TierNumber;
  /** Tier 1, every tier in dry run, and a tier in propose mode: the run may change nothing. */
  readOnly: boolean;
  /** The tier's changes wait for a human (CLAUDEOPS_APPROVAL): it is read-only and ends with proposals. */
  propose: boolean;
  /** The built-in tools offered (CLAUDEOPS_TIER<N>_TOOLS, without write tools when read-only). */
  tools: string[];
  /** Command prefixes refused: the built-in lists and the operator's `Bash(<prefix>:*)` rules. */
  deniedCommands: string[];
  /** The operator's other deny rules, in the Claude CLI's syntax (a provider without it reports them unenforced). */
  denyRules: string[];
  /** Paths the run may change besides its own work dir. */
  writable: string[];
  /** Hosts its commands may reach. */
  network: string[];
  /** MCP servers (mcp__server) or tools (mcp__server__tool) the run may call. */
  mcpAllowed: string[];
  /** MCP servers or tools it may not: every tool a read-only run may not call, and the operator's mcp__ deny rules. */
  mcpDenied: string[];
  /** Why MCP servers were denied whole, one line each. */
  warnings: string[];
  /** Servers the run does not start at all (too many tools to name one by one). */
  mcpOmitted?: string[];
  /** Paths no command or tool of the run may change (repos whose manifest says so). */
  denyWrite: string[];
  /** Paths no command or tool of the run may read (playbooks above its tier). */
  denyRead: string[];
}

/** What the mounted repos ask of every run, enforced as rules and sandbox paths. */
export interface RepoRules {
  readOnlyPaths: string[];
  hiddenPaths: string[];
  /** Whether repo skills are installed in the run's work dir (the provider's skill tool is added). */
  skills: boolean;
}

export const NO_REPO_RULES: RepoRules = { readOnlyPaths: [], hiddenPaths: [], skills: false };

/**
 * The effective permissions of one tier run; a pure function of the configuration and
 * the cycle's MCP catalog. A read-only run (tier 1, any tier in dry run, or a tier in
 * propose mode) gets no write tools, nowhere to write, tier 1's denied commands, and
 * of each allowed MCP server only the tools annotated readOnlyHint (plus
 * CLAUDEOPS_TIER<N>_MCP_TOOLS); every other tool of those servers is denied by name.
 */
export function tierPolicy(
  config: Config,
  tier: TierNumber,
  servers: string[],
  catalog: McpCatalog,
  repos: RepoRules = NO_REPO_RULES,
): TierPolicy {
  const own = config.tiers[tier];
  const propose = proposeMode(config, tier);
  const readOnly = tier === 1 || config.dryRun || propose;
  const declared = PROVIDER_OPTIONS[own.provider].tools;
  const writing = declared?.writing ?? [];
  const tools = unique([
    ...(readOnly ? own.tools.filter((t) => !writing.includes(t)) : own.tools),
    ...(repos.skills && declared?.skill ? [declared.skill] : []),
  ]);
  const rules = denyRules([...own.deny, ...(readOnly && tier !== 1 ? config.tiers[1].deny : [])]);
  const mcp = readOnly
    ? readOnlyMcp(own.mcp, own.mcpTools, servers, catalog)
    : { allowed: mcpAllowance(own.mcp, servers), denied: [], warnings: [], omitted: [] };
  return {
    tier,
    readOnly,
    propose,
    tools,
    deniedCommands: unique([...BUILTIN_DENY[tier], ...(readOnly ? BUILTIN_DENY[1] : []), ...rules.commands]),
    denyRules: rules.other,
    writable: readOnly ? [] : own.writable,
    network: own.network,
    mcpAllowed: mcp.allowed,
    mcpDenied: unique([...mcp.denied, ...rules.mcp]),
    warnings: mcp.warnings,
    mcpOmitted: mcp.omitted,
    denyWrite: repos.readOnlyPaths,
    denyRead: repos.hiddenPaths,
  };
}

/** The operator's deny rules, sorted into command prefixes, MCP tools, and the rest. */
function denyRules(rules: string[]): { commands: string[]; mcp: string[]; other: string[] } {
  const out = { commands: [] as string[], mcp: [] as string[], other: [] as string[] };
  for (const r of rules) {
    const prefix = /^Bash\((.+):\*\)$/.exec(r);
    if (prefix) out.commands.push(prefix[1]!);
    else if (r.startsWith('mcp__')) out.mcp.push(r);
    else out.other.push(r);
  }
  return out;
}

/** Of the servers the entries allow, each read-only tool by name; every other tool, and every server that could not be listed, denied. */
/** The most tools of one server a read-only run allows and denies by name. */
export const MAX_LISTED_TOOLS = 2000;

function readOnlyMcp(
  entries: string[],
  extra: string[],
  servers: string[],
  catalog: McpCatalog,
): { allowed: string[]; denied: string[]; warnings: string[]; omitted: string[] } {
  const omitted: string[] = [];
  const allowed: string[] = [];
  const denied: string[] = [];
  const warnings: string[] = [];
  const wanted = mcpAllowance(entries, servers);
  const extraNames = new Set(extra.map((e) => (e.startsWith('mcp__') ? e : `mcp__${e}`)));
  for (const server of servers) {
    const prefix = toolPrefix(server);
    const listed = catalog[server];
    if (!listed?.ok) {
      denied.push(prefix);
      if (wanted.some((w) => w === prefix || w.startsWith(`${prefix}__`))) {
        warnings.push(
          `MCP server ${server} is denied to this read-only run: its tools could not be listed (${listed?.error ?? 'not listed'})`,
        );
      }
      continue;
    }
    if (listed.tools.length > MAX_LISTED_TOOLS) {
      // Each tool would be a rule of its own; the CLI ignores a settings file of a few MB whole.
      denied.push(prefix);
      omitted.push(server);
      warnings.push(
        `MCP server ${server} is left out of this read-only run: it lists ${listed.tools.length} tools, more than the ${MAX_LISTED_TOOLS} a read-only run names one by one`,
      );
      continue;
    }
    for (const tool of listed.tools) {
      const name = `${prefix}__${tool.name}`;
      const asked = wanted.includes(prefix) || wanted.includes(name);
      if (asked && (tool.readOnly || extraNames.has(name))) allowed.push(name);
      else denied.push(name);
    }
  }
  return { allowed, denied, warnings, omitted };
}

/** Expands `*` to one `mcp__<server>` per merged server (named as the CLI names its tools); other entries pass through. */
export function mcpAllowance(entries: string[], servers: string[]): string[] {
  return unique(
    entries.flatMap((e) => (e === '*' ? servers.map(toolPrefix) : [e.startsWith('mcp__') ? e : toolPrefix(e)])),
  );
}

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** What the repos' manifests and playbook tiers ask of this tier's run. */
export function repoRules(set: CheckSet, tier: TierNumber): RepoRules {
  return {
    readOnlyPaths: set.manifests.filter((m) => m.readOnly).map((m) => set.repoDirs[m.repo]!),
    hiddenPaths: [
      ...set.playbooks.filter((p) => p.tier > tier).map((p) => p.file),
      ...set.skills.filter((s) => s.tier > tier).map((s) => s.source),
    ],
    skills: set.skills.some((s) => s.tier <= tier),
  };
}
