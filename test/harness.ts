// Shared set-up for end-to-end tests: a throw-away app, state, results and repos
// directory; the daemon started as operators start it; processes ended by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareStamps } from '../src/store/layout.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');
export const CLAUDE = path.join(ROOT, 'node_modules', '.bin', 'claude');
export const MCP_FIXTURE = path.join(ROOT, 'dist', 'test', 'fixtures', 'mcp-server.js');
/** A secret every test plants, so any test can check it never reaches a file. */
export const API_KEY = 'sk-ant-test-PLANTED-SECRET-9f8e7d6c';

export interface Sandbox {
  root: string;
  appDir: string;
  stateDir: string;
  resultsDir: string;
  reposDir: string;
  env: Record<string, string>;
  /** Adds a mounted repo with optional MCP servers and checks. */
  addRepo(name: string, files: Record<string, string>): string;
  cleanup(): void;
}

/**
 * A throw-away installation. The app's built-in checks are left out unless asked for:
 * a test's scripted verdict then only has to cover the checks the test adds.
 */
export function sandbox(
  fakeApiUrl: string,
  env: Record<string, string> = {},
  options: { builtinChecks?: boolean } = {},
): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-test-'));
  const appDir = path.join(root, 'app');
  for (const item of ['prompts', options.builtinChecks ? 'checks' : 'checks/README.md', '.claude', 'CLAUDE.md'])
    fs.cpSync(path.join(ROOT, item), path.join(appDir, item), { recursive: true });
  const dirs = {
    stateDir: path.join(root, 'state'),
    resultsDir: path.join(root, 'results'),
    reposDir: path.join(root, 'repos'),
  };
  fs.mkdirSync(dirs.reposDir, { recursive: true });
  fs.mkdirSync(path.join(root, 'home'));
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: path.join(root, 'home'),
    ANTHROPIC_BASE_URL: fakeApiUrl,
    ANTHROPIC_API_KEY: API_KEY,
    CLAUDE_CODE_MAX_RETRIES: '0',
    CLAUDEOPS_APP_DIR: appDir,
    CLAUDEOPS_STATE_DIR: dirs.stateDir,
    CLAUDEOPS_RESULTS_DIR: dirs.resultsDir,
    CLAUDEOPS_REPOS_DIR: dirs.reposDir,
    CLAUDEOPS_CLAUDE_BIN: CLAUDE,
    CLAUDEOPS_HTTP_PORT: 'off',
    CLAUDEOPS_TIMEOUT: '90',
    CLAUDEOPS_LOG_PRETTY: 'false',
  };
  return {
    root,
    appDir,
    ...dirs,
    env: { ...base, ...env },
    addRepo(name, files) {
      const dir = path.join(dirs.reposDir, name);
      for (const [rel, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content);
      }
      return dir;
    },
    cleanup() {
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  /** Everything printed so far. */
  output(): string;
  done: Promise<Finished>;
  /** Resolves when the output matches. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
}

/** Starts `claudeops <args>` in its own process group; the group is killed if it outlives `timeoutMs`. */
export function start(args: string[], sb: Sandbox, timeoutMs: number, extraEnv: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [MAIN, ...args], {
    cwd: sb.root,
    env: { ...sb.env, ...extraEnv },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout.on('data', (d) => {
    stdout += d;
    for (const w of watchers) w();
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of watchers) w();
  });
  const killer = setTimeout(() => killGroup(child.pid), timeoutMs);
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    child,
    output: () => stdout + stderr,
    done,
    waitFor(pattern, ms) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout + stderr)) {
            watchers.delete(check);
            clearTimeout(t);
            resolve();
          }
        };
        const t = setTimeout(() => {
          watchers.delete(check);
          reject(
            new Error(
              `timed out after ${ms} ms waiting for ${pattern}; output so far:\n${(stdout + stderr).slice(-3000)}`,
            ),
          );
        }, ms);
        watchers.add(check);
        check();
      });
    },
  };
}

/** The port the daemon's HTTP server bound (CLAUDEOPS_HTTP_PORT=0 picks one), from its log line. */
export async function httpPort(d: Started, timeoutMs: number): Promise<number> {
  const line = /^\{.*"msg":"console, health and metrics on .*$/m;
  await d.waitFor(line, timeoutMs);
  return (JSON.parse(line.exec(d.output())![0]) as { port: number }).port;
}

/**
 * Polls the daemon's /healthz until no cycle runs. A cycle an answer started (run now,
 * an approval) starts before that answer is sent, and a queued one starts as the running
 * one ends, so "idle" after an answer means the answer started none, or it has ended.
 */
export async function idle(base: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < end) {
    last = (
      (await (await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) })).json()) as { reason: string }
    ).reason;
    if (last === 'waiting for the next cycle') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the daemon was not idle within ${timeoutMs} ms: ${last}`);
}

/**
 * A loopback port that refuses every connection and that no other process can take while
 * it is held: bound, never listened on. Node cannot bind a TCP socket without listening,
 * so python3 (which Debian's apprise brings) holds it until `release`.
 */
export async function refusingPort(): Promise<{ port: number; release(): void }> {
  const holder = spawn(
    'python3',
    [
      '-c',
      'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    holder.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    holder.once('error', reject);
    holder.once('exit', (code) => reject(new Error(`python3 holding a port exited ${code}`)));
  });
  return { port, release: () => holder.stdin.end() };
}

/** Runs `claudeops <args>` to its end. */
export const run = (args: string[], sb: Sandbox, timeoutMs: number, extraEnv: Record<string, string> = {}) =>
  start(args, sb, timeoutMs, extraEnv).done;

export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Whether a process is alive (and not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Files under dir, by name. */
export const files = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []);

export const read = (file: string): string => fs.readFileSync(file, 'utf8');

/** The receipt ledger's entries, in order; none before the first receipt. */
export const ledger = (resultsDir: string): any[] => {
  const file = path.join(resultsDir, 'receipts.ndjson');
  return fs.existsSync(file)
    ? read(file)
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
};

/** The names of the cycle summaries under a results directory, oldest first. */
export const summaryNames = (dir: string): string[] =>
  files(dir)
    .filter((n) => /^run-[\d-]+\.json$/.test(n))
    .sort(compareStamps);

/** The cycle summaries under a results directory, parsed, oldest first. */
export const cycleSummaries = (dir: string): any[] => summaryNames(dir).map((n) => JSON.parse(read(path.join(dir, n))));

/** Every file under a directory, recursively, with its text. */
export function allText(dir: string): { file: string; text: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .map((file) => ({ file, text: fs.readFileSync(file, 'latin1') }));
}

/** An MCP config that runs the fixture server under the given name. */
export const mcpConfig = (name: string, env: Record<string, string> = {}) =>
  JSON.stringify({ mcpServers: { [name]: { command: process.execPath, args: [MCP_FIXTURE], env } } }, null, 2);

export const verdictOf = (status: 'healthy' | 'unhealthy', extra: Record<string, unknown> = {}) => ({
  status,
  summary: status === 'healthy' ? 'All checks pass.' : 'The web service is down.',
  escalate: false,
  ...extra,
});

/** Every file and directory under dir with its mode, mtime and content hash. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      const body = e.isFile()
        ? createHash('sha256').update(fs.readFileSync(p)).digest('hex')
        : e.isSymbolicLink()
          ? fs.readlinkSync(p)
          : '';
      out[path.relative(dir, p)] = `${st.mode}:${st.mtimeMs}:${body}`;
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}
