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
  const marked = (env: Buffer) => env.includes(needle) || env.subarray(0, first.length).equals(first);
  const pids: number[] = [];
  const blank: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid < floor || pid === process.pid) continue;
    const env = environOf(pid);
    if (env?.length === 0) blank.push(pid);
    else if (env && marked(env)) pids.push(pid);
  }
  // A process in the middle of exec shows an empty environment for a moment (its new
  // memory is in place, its environment not yet): look at those once more.
  if (blank.length) {
    pause(EXEC_WINDOW_MS);
    for (const pid of blank) if (marked(environOf(pid) ?? Buffer.alloc(0))) pids.push(pid);
  }
  return pids;
}

const EXEC_WINDOW_MS = 2;

function environOf(pid: number): Buffer | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`);
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** Blocks this thread for `ms`: the sweep is synchronous, and short. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
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
