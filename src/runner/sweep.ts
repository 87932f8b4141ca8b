import fs from 'node:fs';

/** The variable every process of one run inherits, so leftovers can be found by it. */
export const RUN_MARKER = 'CLAUDEOPS_RUN_ID';

/**
 * PIDs of live processes whose environment carries `RUN_MARKER=<id>`. Bash tool
 * children run in their own session and MCP servers may ignore EOF; both inherit the
 * CLI's environment, so this finds them wherever they went. Linux only.
 */
export function findMarked(id: string): number[] {
  const needle = Buffer.from(`\0${RUN_MARKER}=${id}\0`);
  const first = Buffer.from(`${RUN_MARKER}=${id}\0`);
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`);
      if (env.includes(needle) || env.subarray(0, first.length).equals(first)) pids.push(pid);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/** Kills every process of the run still alive; returns the PIDs it signalled. */
export function sweep(id: string): number[] {
  const killed = new Set<number>();
  for (let pass = 0; pass < 3; pass++) {
    const pids = findMarked(id).filter((p) => !isZombie(p));
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {
        /* already gone */
      }
    }
  }
  return [...killed];
}

export function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
