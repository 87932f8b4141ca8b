import type { Config, TierNumber } from '../config/config.js';

// Built-in deny rules. The CLI matches `Bash(prefix:*)` against the start of each
// command; these stop the obvious mutating commands, and prompts carry the rest.

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
  tools: string[];
  allowed: string[];
  deny: string[];
  addDirs: string[];
}

/**
 * The effective permissions of one tier run. Dry-run is enforced here, not by the
 * prompt: every tier gets its own tools minus the write tools, tier 1's deny rules
 * on top of its own, tier 1's MCP allowance, and nowhere extra to write.
 */
export function tierPolicy(config: Config, tier: TierNumber, mcpServers: string[]): TierPolicy {
  const own = config.tiers[tier];
  const dry = config.dryRun;
  const tools = dry ? own.tools.filter((t) => !WRITE_TOOLS.includes(t)) : own.tools;
  const deny = unique([
    ...BUILTIN_DENY[tier],
    ...own.deny,
    ...(dry && tier !== 1 ? [...BUILTIN_DENY[1], ...config.tiers[1].deny] : []),
  ]);
  const mcp = mcpAllowance(dry ? config.tiers[1].mcp : own.mcp, mcpServers);
  return {
    tier,
    tools,
    allowed: unique([...tools, ...mcp]),
    deny,
    addDirs: dry || tier === 1 ? [] : [config.resultsDir],
  };
}

/** Expands `*` to one `mcp__<server>` per merged server; other entries pass through. */
export function mcpAllowance(entries: string[], servers: string[]): string[] {
  return unique(entries.flatMap((e) => (e === '*' ? servers.map((s) => `mcp__${s}`) : [e.startsWith('mcp__') ? e : `mcp__${e}`])));
}

const unique = (xs: string[]): string[] => [...new Set(xs)];
