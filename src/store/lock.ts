import fs from 'node:fs';
import path from 'node:path';
import { RESULTS_LOCK, STATE } from './layout.js';

interface Holder {
  pid: number;
  mode: string;
  startedAt: string;
  /** The process's start time in clock ticks (/proc/<pid>/stat), so a reused PID is not taken for the holder. */
  procStart?: string;
}

/** `held`: another live daemon has it. `warning`: taken in part (see acquireLocks). */
export type Lock = { ok: true; release: () => void; warning?: string } | { ok: false; why: string; held?: true };

/** A directory one daemon holds: where its lock file is, and how to tell the operator about it. */
interface Locked {
  dir: string;
  file: string;
  name: string;
  /** What to do when another process holds it. */
  advice: string;
}

const stateLock = (dir: string): Locked => ({
  dir,
  file: STATE.lock,
  name: 'state directory',
  advice: 'stop it first, or give this one its own CLAUDEOPS_STATE_DIR (and results directory)',
});

const resultsLock = (dir: string): Locked => ({
  dir,
  file: RESULTS_LOCK,
  name: 'results directory',
  advice:
    'two daemons writing one results directory break its receipt ledger for good (each signs with its own key); stop it first, or give this one its own CLAUDEOPS_RESULTS_DIR',
});

/**
 * Takes the state directory's lock and the results directory's, or says who holds one
 * (then neither is kept). A lock left by a process that is gone (killed, or a container
 * restarted with the same PID) is taken over.
 */
export function acquireLocks(dirs: { stateDir: string; resultsDir: string }, mode: string): Lock {
  const state = acquireLock(stateLock(dirs.stateDir), mode);
  if (!state.ok || path.resolve(dirs.resultsDir) === path.resolve(dirs.stateDir)) return state;
  const results = acquireLock(resultsLock(dirs.resultsDir), mode);
  // An unusable results directory is a fault the daemon rides out (it logs to stdout until
  // the directory is back), not a reason to refuse to start; only another daemon is.
  if (!results.ok && !results.held)
    return {
      ...state,
      warning: `${results.why}; the results directory is not locked against a second daemon until this one restarts`,
    };
  if (!results.ok) {
    state.release();
    return results;
  }
  return {
    ok: true,
    release: () => {
      results.release();
      state.release();
    },
  };
}

function acquireLock(locked: Locked, mode: string): Lock {
  const file = path.join(locked.dir, locked.file);
  try {
    fs.mkdirSync(locked.dir, { recursive: true });
  } catch (e) {
    return {
      ok: false,
      why: `the ${locked.name} ${locked.dir} cannot be made (${(e as NodeJS.ErrnoException).code ?? e}); check its path and permissions`,
    };
  }
  const me: Holder = { pid: process.pid, mode, startedAt: new Date().toISOString(), procStart: procStart(process.pid) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx', mode: 0o644 });
      return { ok: true, release: () => releaseIfOurs(file) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        return {
          ok: false,
          why: `the lock ${file} cannot be made (${(e as NodeJS.ErrnoException).code ?? e}); check that the ${locked.name} is writable`,
        };
    }
    const holder = readHolder(file);
    if (holder && holder.pid !== process.pid && alive(holder)) {
      return {
        ok: false,
        held: true,
        why: `another claudeops (${holder.mode}, pid ${holder.pid}, since ${holder.startedAt}) uses the ${locked.name} ${locked.dir}; ${locked.advice}`,
      };
    }
    fs.rmSync(file, { force: true });
  }
  return { ok: false, why: `the lock ${file} was taken by another process at the same moment; try again` };
}

function releaseIfOurs(file: string): void {
  if (readHolder(file)?.pid === process.pid) fs.rmSync(file, { force: true });
}

function readHolder(file: string): Holder | undefined {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Holder;
    return Number.isSafeInteger(h.pid) ? h : undefined;
  } catch {
    return undefined;
  }
}

function alive(h: Holder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = procStart(h.pid);
  return h.procStart === undefined || now === undefined || now === h.procStart;
}

function procStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
