import fs from 'node:fs';

/** The variable every process of one run inherits, so leftovers can be found by it. */
export const RUN_MARKER = 'CLAUDEOPS_RUN_ID';

/**
 * PIDs of live processes whose environment carries `RUN_MARKER=<id>`. Bash tool
 * children run in their own session and MCP servers may ignore EOF; both inherit the
 * CLI's environment, so this finds them wherever they went. Linux only.
 *
 * PIDs are handed out in rising order until they wrap, so everything the CLI started
 * has a PID above its own: with `since` (the CLI's PID) only those are read, unless
 * the counter has wrapped since, when every process is.
 */
export function findMarked(id: string, since = 0): number[] {
  const needle = Buffer.from(`\0${RUN_MARKER}=${id}\0`);
  const first = Buffer.from(`${RUN_MARKER}=${id}\0`);
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const floor = since > 0 && lastPid() >= since ? since : 0;
  const pids: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid < floor || pid === process.pid) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`);
      if (env.includes(needle) || env.subarray(0, first.length).equals(first)) pids.push(pid);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/** The last PID handed out in this PID namespace; 0 (read everything) when unknown. */
function lastPid(): number {
  try {
    return Number(fs.readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8')) || 0;
  } catch {
    return 0;
  }
}

/** Kills every process of the run still alive; returns the PIDs it signalled. `since` is the CLI's PID. */
export function sweep(id: string, since = 0): number[] {
  const killed = new Set<number>();
  for (let pass = 0; pass < 3; pass++) {
    const pids = findMarked(id, since).filter((p) => !isZombie(p));
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
