import type { Config, TierNumber } from '../config/config.js';
import type { McpCatalog } from '../mcp/catalog.js';
import { toolPrefix } from '../mcp/merge.js';
import { proposeMode } from '../approval/prompt.js';

// Built-in deny rules. The CLI matches `Bash(prefix:*)` against the start of each
// command, so they are the last line only: what holds is the OS sandbox, the tool
// set, MCP annotations and the egress proxy (see tierPolicy and src/sandbox/).

/** Denied at every tier: nothing the daemon should ever do unattended. */
export const CATASTROPHIC = [
  'Bash(rm -rf /:*)',
  'Bash(rm -rf /*:*)',
  'Bash(mkfs:*)',
  'Bash(dd:*)',
  'Bash(shutdown:*)',
  'Bash(reboot:*)',
  'Bash(halt:*)',
  'Bash(poweroff:*)',
  'Bash(docker system prune:*)',
  'Bash(docker volume rm:*)',
  'Bash(docker volume prune:*)',
  'Bash(kubectl delete namespace:*)',
  'Bash(terraform destroy:*)',
  'Bash(git push --force:*)',
];

/** Denied to tiers 1 and 2: deletions and irreversible changes. */
export const DESTRUCTIVE = [
  'Bash(rm:*)',
  'Bash(docker rm:*)',
  'Bash(docker rmi:*)',
  'Bash(docker compose down:*)',
  'Bash(kubectl delete:*)',
  'Bash(helm uninstall:*)',
  'Bash(systemctl disable:*)',
  'Bash(systemctl mask:*)',
  'Bash(git push:*)',
  'Bash(git reset --hard:*)',
  'Bash(chmod:*)',
  'Bash(chown:*)',
];

/** Denied to tiers 1 and 2: redeployments and configuration rollouts (tier 3's work). */
export const REDEPLOY = [
  'Bash(docker compose up:*)',
  'Bash(docker-compose up:*)',
  'Bash(kubectl apply:*)',
  'Bash(kubectl set:*)',
  'Bash(kubectl rollout undo:*)',
  'Bash(helm upgrade:*)',
  'Bash(helm rollback:*)',
  'Bash(ansible-playbook:*)',
];

/** Denied to tier 1 only: restarts and any other change of state (tier 2's safe remediation). */
export const MUTATING = [
  'Bash(docker restart:*)',
  'Bash(docker start:*)',
  'Bash(docker stop:*)',
  'Bash(docker kill:*)',
  'Bash(docker compose restart:*)',
  'Bash(systemctl restart:*)',
  'Bash(systemctl start:*)',
  'Bash(systemctl stop:*)',
  'Bash(systemctl reload:*)',
  'Bash(kubectl rollout restart:*)',
  'Bash(kubectl scale:*)',
  'Bash(kubectl edit:*)',
  'Bash(kubectl patch:*)',
  'Bash(kill:*)',
  'Bash(pkill:*)',
  'Bash(mv:*)',
  'Bash(cp:*)',
  'Bash(tee:*)',
  'Bash(sed -i:*)',
  'Bash(truncate:*)',
  'Bash(apt-get:*)',
  'Bash(git commit:*)',
];

export const BUILTIN_DENY: Record<TierNumber, string[]> = {
  1: [...CATASTROPHIC, ...DESTRUCTIVE, ...REDEPLOY, ...MUTATING],
  2: [...CATASTROPHIC, ...DESTRUCTIVE, ...REDEPLOY],
  3: [...CATASTROPHIC],
};

/** Built-in tools that change files. */
export const WRITE_TOOLS = ['Edit', 'Write', 'NotebookEdit', 'MultiEdit'];

export interface TierPolicy {
  tier: TierNumber;
  /** Tier 1, every tier in dry run, and a tier in propose mode: the run may change nothing. */
  readOnly: boolean;
  /** The tier's changes wait for a human (CLAUDEOPS_APPROVAL): it is read-only and ends with proposals. */
  propose: boolean;
  /** The hard set of built-in tools (--tools). */
  tools: string[];
  /** Allow rules (--allowedTools): plain tools, path-scoped write tools, MCP servers or tools. */
  allowed: string[];
  /** Deny rules (--disallowedTools): the built-in ones and every MCP tool a read-only run may not call. */
  deny: string[];
  /** Paths the run may change besides its own work dir. */
  writable: string[];
  /** Hosts its commands may reach. */
  network: string[];
  /** MCP tools by name (mcp__server__tool), for the record. */
  mcpAllowed: string[];
  mcpDenied: string[];
  /** Why MCP servers were denied whole, one line each. */
  warnings: string[];
  /** Paths no command or tool of the run may change (repos whose manifest says so). */
  denyWrite: string[];
  /** Paths no command or tool of the run may read (playbooks above its tier). */
  denyRead: string[];
}

/** What the mounted repos ask of every run, enforced as rules and sandbox paths. */
export interface RepoRules {
  readOnlyPaths: string[];
  hiddenPaths: string[];
  /** Whether repo skills are installed in the run's work dir (the Skill tool is added). */
  skills: boolean;
}

export const NO_REPO_RULES: RepoRules = { readOnlyPaths: [], hiddenPaths: [], skills: false };

/**
 * The effective permissions of one tier run; a pure function of the configuration and
 * the cycle's MCP catalog. A read-only run (tier 1, any tier in dry run, or a tier in
 * propose mode) gets no
 * write tools, nowhere to write, tier 1's deny rules, and of each allowed MCP server
 * only the tools annotated readOnlyHint (plus CLAUDEOPS_TIER<N>_MCP_TOOLS); every other
 * tool of those servers is denied by name. Write tools are allowed only by
 * path-scoped rules: an unscoped `Write` rule would let them write anywhere.
 */
export function tierPolicy(config: Config, tier: TierNumber, servers: string[], catalog: McpCatalog, repos: RepoRules = NO_REPO_RULES): TierPolicy {
  const own = config.tiers[tier];
  const propose = proposeMode(config, tier);
  const readOnly = tier === 1 || config.dryRun || propose;
  const tools = unique([...(readOnly ? own.tools.filter((t) => !WRITE_TOOLS.includes(t)) : own.tools), ...(repos.skills ? ['Skill'] : [])]);
  const writable = readOnly ? [] : own.writable;
  const writeRules = tools.filter((t) => WRITE_TOOLS.includes(t)).flatMap((t) => writable.map((p) => `${t}(/${p}/**)`));
  const repoDeny = [
    ...repos.readOnlyPaths.flatMap((p) => WRITE_TOOLS.map((t) => `${t}(/${p}/**)`)),
    ...repos.hiddenPaths.flatMap((p) => [`Read(/${p})`, `Grep(/${p})`]),
  ];
  const deny = unique([...BUILTIN_DENY[tier], ...own.deny, ...(readOnly && tier !== 1 ? [...BUILTIN_DENY[1], ...config.tiers[1].deny] : []), ...repoDeny]);
  const mcp = readOnly ? readOnlyMcp(own.mcp, own.mcpTools, servers, catalog) : { allowed: mcpAllowance(own.mcp, servers), denied: [], warnings: [] };
  return {
    tier,
    readOnly,
    propose,
    tools,
    allowed: unique([...tools.filter((t) => !WRITE_TOOLS.includes(t)), ...writeRules, ...mcp.allowed]),
    deny: unique([...deny, ...mcp.denied]),
    writable,
    network: own.network,
    mcpAllowed: mcp.allowed,
    mcpDenied: mcp.denied,
    warnings: mcp.warnings,
    denyWrite: repos.readOnlyPaths,
    denyRead: repos.hiddenPaths,
  };
}

/** Of the servers the entries allow, each read-only tool by name; every other tool, and every server that could not be listed, denied. */
function readOnlyMcp(entries: string[], extra: string[], servers: string[], catalog: McpCatalog): { allowed: string[]; denied: string[]; warnings: string[] } {
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
        warnings.push(`MCP server ${server} is denied to this read-only run: its tools could not be listed (${listed?.error ?? 'not listed'})`);
      }
      continue;
    }
    for (const tool of listed.tools) {
      const name = `${prefix}__${tool.name}`;
      const asked = wanted.includes(prefix) || wanted.includes(name);
      if (asked && (tool.readOnly || extraNames.has(name))) allowed.push(name);
      else denied.push(name);
    }
  }
  return { allowed, denied, warnings };
}

/** Expands `*` to one `mcp__<server>` per merged server (named as the CLI names its tools); other entries pass through. */
export function mcpAllowance(entries: string[], servers: string[]): string[] {
  return unique(entries.flatMap((e) => (e === '*' ? servers.map(toolPrefix) : [e.startsWith('mcp__') ? e : toolPrefix(e)])));
}

const unique = (xs: string[]): string[] => [...new Set(xs)];
