// `npm run bench`: the daemon's own cost next to the Bash loop it replaces, with a
// stand-in CLI so the real CLI's cost is left out. Prints one line per figure and
// writes bench/results.json.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { standaloneConsole } from '../src/console/standalone.js';
import { startHttp } from '../src/http/server.js';
import { mergeMcp } from '../src/mcp/merge.js';
import { Metrics } from '../src/metrics/metrics.js';
import { FileStore } from '../src/store/file-store.js';
import { bulkEvents, resultEvent, typicalRun } from './events.js';
import { notesFigures } from './notes.js';
import { probeFigures } from './probes.js';
import {
  bareFirstRequestBytes,
  cliStartUp,
  cpuMs,
  HAIKU_PRICES,
  listPriceUsd,
  measureCycle,
  type CycleMeasure,
  type StartUp,
} from './requests.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STAND_IN = path.join(ROOT, 'bench', 'stand-in-claude.sh');
const CYCLES = Number(process.env.BENCH_CYCLES ?? 1000);
const TEE_MIB = Number(process.env.BENCH_TEE_MIB ?? 1024);
const MB = 1024 * 1024;

interface Figure {
  name: string;
  value: number;
  unit: string;
  target: string;
  pass: boolean;
}
const figures: Figure[] = [];
function report(name: string, value: number, unit: string, target: string, pass: boolean): void {
  figures.push({ name, value, unit, target, pass });
  console.log(`${name}: ${+value.toFixed(3)} ${unit} (target ${target}) ${pass ? 'PASS' : 'FAIL'}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function layout(name: string, repos: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `claudeops-bench-${name}-`));
  const app = path.join(root, 'app');
  for (const item of ['prompts', 'checks', '.claude', 'CLAUDE.md'])
    fs.cpSync(path.join(ROOT, item), path.join(app, item), { recursive: true });
  // The cycle's machinery against the Bash loop's: the shipped checks without their probes,
  // which would run commands the loop does not (probes are measured apart, in bench/probes.ts).
  for (const f of fs.readdirSync(path.join(app, 'checks')).filter((n) => n.endsWith('.md'))) {
    const file = path.join(app, 'checks', f);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^## Probe\n[\s\S]*?(?=^## )/m, ''));
  }
  fs.writeFileSync(
    path.join(app, '.claude', 'mcp.json'),
    JSON.stringify({ mcpServers: { base: { command: 'base-mcp', args: ['--stdio'] } } }),
  );
  for (let i = 0; i < repos; i++) {
    const dir = path.join(root, 'repos', `repo-${String(i).padStart(3, '0')}`, '.claude-ops');
    fs.mkdirSync(dir, { recursive: true });
    // Commands that are not installed: each cycle's tool listing fails at once, as it does for
    // a missing server, instead of npx asking the registry (which a bench must not wait for).
    fs.writeFileSync(
      path.join(dir, 'mcp.json'),
      JSON.stringify({
        mcpServers: {
          [`server-${i}`]: { command: `mcp-server-${i}`, args: ['--stdio'], env: { TOKEN_FILE: `/run/secrets/${i}` } },
        },
      }),
    );
  }
  for (const d of ['state', 'results']) fs.mkdirSync(path.join(root, d), { recursive: true });
  // The stand-in installed as a CLI is (<prefix>/bin/claude), its scripted runs beside it:
  // the daemon's cage shows the CLI's install to the CLI, and nothing else of this directory.
  const bin = path.join(root, 'cli', 'bin', 'claude');
  const share = path.join(root, 'cli', 'share');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.mkdirSync(share, { recursive: true });
  fs.copyFileSync(STAND_IN, bin);
  fs.chmodSync(bin, 0o755);
  return {
    root,
    bin,
    share,
    app,
    repos: path.join(root, 'repos'),
    state: path.join(root, 'state'),
    results: path.join(root, 'results'),
  };
}

function envFor(l: ReturnType<typeof layout>, events: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: l.root,
    ANTHROPIC_API_KEY: 'sk-bench-not-a-real-key',
    CLAUDEOPS_APP_DIR: l.app,
    CLAUDEOPS_STATE_DIR: l.state,
    CLAUDEOPS_RESULTS_DIR: l.results,
    CLAUDEOPS_REPOS_DIR: l.repos,
    CLAUDEOPS_CLAUDE_BIN: l.bin,
    CLAUDEOPS_HTTP_PORT: 'off',
    CLAUDEOPS_LOG_PRETTY: 'false',
    BENCH_EVENTS: events,
    BENCH_REPEAT: '1',
    BENCH_FINAL: '',
    // the reference loop's names
    APP_DIR: l.app,
    STATE_DIR: l.state,
    RESULTS_DIR: l.results,
    REPOS_DIR: l.repos,
    CLAUDE_BIN: l.bin,
    DRY_RUN: 'false',
  };
}

/**
 * How the daemon runs: the environment assignments and node flags on the first line
 * of its entry point (`#!/usr/bin/env -S VAR=value node --flag`).
 */
const DAEMON_LAUNCH = (() => {
  const words = fs
    .readFileSync(path.join(ROOT, 'src', 'main.ts'), 'utf8')
    .split('\n')[0]!
    .replace(/^#!\S+\s+-S\s+/, '')
    .split(/\s+/);
  const node = words.indexOf('node');
  const env = Object.fromEntries(words.slice(0, node).map((w) => w.split('=') as [string, string]));
  return { env, flags: words.slice(node + 1).filter(Boolean) };
})();
const DAEMON_NODE_FLAGS = DAEMON_LAUNCH.flags;

class Worker {
  readonly child: ChildProcess;
  private waiting: ((m: any) => void) | undefined;
  constructor(env: Record<string, string>, cwd: string) {
    this.child = spawn(
      process.execPath,
      [...DAEMON_NODE_FLAGS, '--expose-gc', path.join(ROOT, 'dist', 'bench', 'daemon-worker.js')],
      { env: { ...env, ...DAEMON_LAUNCH.env }, cwd, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    this.child.on('message', (m) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(m);
    });
  }
  ask(m: object): Promise<any> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.child.send(m);
    });
  }
  ready(): Promise<any> {
    return new Promise((resolve) => (this.waiting = resolve));
  }
  stop(): void {
    this.child.kill('SIGKILL');
  }
}

/** A Bash script that runs one cycle per line on its stdin and answers "done". */
class BashLoop {
  readonly child: ChildProcess;
  private waiting: (() => void) | undefined;
  constructor(env: Record<string, string>, script: string) {
    this.child = spawn('bash', [path.join(ROOT, 'bench', script)], {
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let buf = '';
    this.child.stdout!.on('data', (d) => {
      buf += d;
      while (buf.includes('done\n')) {
        buf = buf.slice(buf.indexOf('done\n') + 5);
        const w = this.waiting;
        this.waiting = undefined;
        w?.();
      }
    });
  }
  cycle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.child.stdin!.write('go\n');
    });
  }
  stop(): void {
    this.child.kill('SIGKILL');
  }
}

/**
 * Per-cycle wall and CPU time of three processes, one cycle each in turn: the daemon, the
 * Bash loop, and the stand-in's spawn alone (bench/spawn-loop.sh), which both of the others
 * pay. Wall times are per cycle; CPU (user + system, children included, from /proc in
 * 10 ms ticks) is summed over blocks of BLOCK cycles, each process's from the start of a
 * block to its end, so work a process does after answering counts too.
 */
const BLOCK = 50;
class Timings {
  readonly wall: number[] = [];
  readonly cpu: number[] = [];
  private blockStart = NaN;
  private excluded = 0;
  constructor(private readonly pid: number) {}
  startBlock(): void {
    this.blockStart = cpuMs(this.pid);
    this.excluded = 0;
  }
  endBlock(cycles: number): void {
    this.cpu.push((cpuMs(this.pid) - this.blockStart - this.excluded) / cycles);
  }
  /** Leaves out of the block the CPU of something that is not a cycle (an RSS sample's GC). */
  async exclude<T>(f: () => Promise<T>): Promise<T> {
    const before = cpuMs(this.pid);
    const out = await f();
    this.excluded += cpuMs(this.pid) - before;
    return out;
  }
  async time(f: () => Promise<void>): Promise<void> {
    const t = performance.now();
    await f();
    this.wall.push(performance.now() - t);
  }
}

async function overheadAndMemory(): Promise<void> {
  // The real CLI's start-up, measured among the cycles (every CLI_EVERY cycles) so that both see the same load.
  const cliHome = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-bench-cli-'));
  const CLI_EVERY = Math.max(1, Math.floor(CYCLES / Number(process.env.BENCH_CLI_RUNS ?? 10)));
  const startUps: StartUp[] = [];
  const daemonDir = layout('daemon', 3);
  const bashDir = layout('bash', 3);
  const spawnDir = layout('spawn', 0);
  const uncagedDir = layout('uncaged', 3);
  const dirs = [daemonDir, bashDir, spawnDir, uncagedDir];
  for (const l of dirs) fs.writeFileSync(path.join(l.share, 'typical.jsonl'), typicalRun());
  const events = (l: ReturnType<typeof layout>) => path.join(l.share, 'typical.jsonl');
  const worker = new Worker(envFor(daemonDir, events(daemonDir)), daemonDir.root);
  await worker.ready();
  // The same daemon with its tier-1 cage off, for what the cage costs (informational).
  const uncaged = new Worker({ ...envFor(uncagedDir, events(uncagedDir)), CLAUDEOPS_SANDBOX: 'off' }, uncagedDir.root);
  await uncaged.ready();
  const bash = new BashLoop(envFor(bashDir, events(bashDir)), 'reference-loop.sh');
  const alone = new BashLoop(envFor(spawnDir, events(spawnDir)), 'spawn-loop.sh');
  const d = new Timings(worker.child.pid!);
  const b = new Timings(bash.child.pid!);
  const s = new Timings(alone.child.pid!);
  const u = new Timings(uncaged.child.pid!);
  const all = [d, b, s, u];
  let rss10 = 0;
  // RSS moves by a few MB with GC timing and the allocator, so each point is the median
  // of 20 samples (after a full GC) over the last fifth of its thousand cycles.
  const window: number[] = [];
  const rss = async () => (await d.exclude(() => worker.ask({ cmd: 'rss' }))).rss as number;
  const sample = async (i: number, span: number) => {
    if (i > span - span / 5 && i % Math.max(1, Math.floor(span / 100)) === 0) window.push(await rss());
  };
  const daemonCycle = async (w: Worker, i: number) => {
    const r = await w.ask({ cmd: 'cycle' });
    if (r.status !== 'healthy') throw new Error(`daemon cycle ${i} ended ${r.status}`);
  };
  try {
    for (let i = 1; i <= CYCLES; i++) {
      if ((i - 1) % BLOCK === 0) for (const t of all) t.startBlock();
      // Each in turn goes first, so what one leaves running (its exit, its GC) falls on each of the others alike.
      const turns = [
        () => d.time(() => daemonCycle(worker, i)),
        () => b.time(() => bash.cycle()),
        () => s.time(() => alone.cycle()),
        () => u.time(() => daemonCycle(uncaged, i)),
      ];
      for (let k = 0; k < turns.length; k++) await turns[(i + k) % turns.length]!();
      if (i % BLOCK === 0 || i === CYCLES) for (const t of all) t.endBlock(i % BLOCK || BLOCK);
      if (i % CLI_EVERY === 0) startUps.push(await cliStartUp(cliHome));
      if (i === 10) rss10 = await rss();
      await sample(i, CYCLES);
    }
    const end = await worker.ask({ cmd: 'rss' });
    const rssEnd = median(window.splice(0));
    console.log(
      `  (after ${CYCLES} cycles: RSS ${(end.rss / MB).toFixed(1)} MB, V8 heap ${(end.heapUsed / MB).toFixed(1)} of ${(end.heapTotal / MB).toFixed(1)} MB, external ${(end.external / MB).toFixed(1)} MB)`,
    );
    const startUp = Object.fromEntries(
      (['versionMs', 'versionCpuMs', 'firstRequestMs', 'firstRequestCpuMs'] as const).map((k) => [
        k,
        median(startUps.map((x) => x[k])),
      ]),
    ) as unknown as StartUp;
    const load = os.loadavg().map((x) => x.toFixed(2));
    const [dW, bW, sW, uW] = all.map((t) => median(t.wall)) as [number, number, number, number];
    const [dC, bC, sC, uC] = all.map((t) => median(t.cpu)) as [number, number, number, number];
    console.log(
      `  (${CYCLES} cycles each, in turn; medians, wall / CPU ms: daemon ${dW.toFixed(2)} / ${dC.toFixed(1)}, bash ${bW.toFixed(2)} / ${bC.toFixed(1)}, the stand-in's spawn alone ${sW.toFixed(2)} / ${sC.toFixed(1)}, the daemon uncaged ${uW.toFixed(2)} / ${uC.toFixed(1)}; CPU per cycle is the median of ${d.cpu.length} blocks' means; load average ${load.join(' ')} on ${os.cpus().length} cores)`,
    );
    console.log(
      `  (the real CLI, median of ${startUps.length}, wall / CPU ms: claude --version ${startUp.versionMs.toFixed(0)} / ${startUp.versionCpuMs.toFixed(0)}, a bare claude -p from spawn to its first request ${startUp.firstRequestMs.toFixed(0)} / ${startUp.firstRequestCpuMs.toFixed(0)})`,
    );
    report('daemon median cycle, wall', dW, 'ms', 'informational', true);
    report('bash reference median cycle, wall', bW, 'ms', 'informational', true);
    report("the stand-in's spawn alone, median, wall", sW, 'ms', 'informational', true);
    report("the stand-in's spawn alone, CPU (user + system, children included)", sC, 'ms', 'informational', true);
    const dNetW = dW - sW;
    const bNetW = bW - sW;
    const dNetC = median(d.cpu.map((c, k) => c - s.cpu[k]!));
    const bNetC = median(b.cpu.map((c, k) => c - s.cpu[k]!));
    const uNetC = median(u.cpu.map((c, k) => c - s.cpu[k]!));
    report('daemon cycle net of the spawn, wall', dNetW, 'ms', 'informational', true);
    report('daemon cycle net of the spawn, CPU', dNetC, 'ms', 'informational', true);
    report('bash cycle net of the spawn, wall', bNetW, 'ms', 'informational', true);
    report('bash cycle net of the spawn, CPU', bNetC, 'ms', 'informational', true);
    report('net overhead daemon/bash, wall', dNetW / bNetW, 'x', '≤ 1.0', dNetW / bNetW <= 1);
    report('net overhead daemon/bash, CPU', dNetC / bNetC, 'x', '≤ 1.0', dNetC / bNetC <= 1);
    report(
      "daemon net overhead vs the real CLI's start-up to its first request, wall",
      (100 * dNetW) / startUp.firstRequestMs,
      '%',
      `≤ 5 (of ${startUp.firstRequestMs.toFixed(0)} ms measured; 0.6 s would allow 30 ms)`,
      dNetW <= 0.05 * startUp.firstRequestMs,
    );
    report(
      "daemon net overhead vs the real CLI's start-up to its first request, CPU",
      (100 * dNetC) / startUp.firstRequestCpuMs,
      '%',
      `informational (of ${startUp.firstRequestCpuMs.toFixed(0)} ms measured)`,
      true,
    );
    report(
      'daemon without its cage (CLAUDEOPS_SANDBOX=off), net of the spawn, wall',
      uW - sW,
      'ms',
      'informational',
      true,
    );
    report(
      'daemon without its cage (CLAUDEOPS_SANDBOX=off), net of the spawn, CPU',
      uNetC,
      'ms',
      'informational',
      true,
    );
    report('net overhead, daemon without its cage / bash, wall', (uW - sW) / bNetW, 'x', 'informational', true);
    report('net overhead, daemon without its cage / bash, CPU', uNetC / bNetC, 'x', 'informational', true);
    report(`RSS growth from cycle 10 to ${CYCLES}`, (rssEnd - rss10) / MB, 'MB', '< 5', (rssEnd - rss10) / MB < 5);
    report(
      `steady RSS after ${CYCLES} cycles (median of the last ${CYCLES / 5})`,
      rssEnd / MB,
      'MB',
      '< 80',
      rssEnd / MB < 80,
    );
    // Growth that stops is warm-up (optimized code, caches); growth that goes on is a leak.
    for (let i = 1; i <= CYCLES; i++) {
      await worker.ask({ cmd: 'cycle' });
      await sample(i, CYCLES);
    }
    const later = await worker.ask({ cmd: 'rss' });
    const rssLater = median(window.splice(0));
    report(
      `RSS growth from cycle ${CYCLES} to ${2 * CYCLES}`,
      (rssLater - rssEnd) / MB,
      'MB',
      '< 1',
      (rssLater - rssEnd) / MB < 1,
    );
    report(
      `V8 heap growth from cycle ${CYCLES} to ${2 * CYCLES}`,
      (later.heapUsed - end.heapUsed) / MB,
      'MB',
      'informational: a leak of JavaScript objects shows here',
      true,
    );
  } finally {
    worker.stop();
    uncaged.stop();
    bash.stop();
    alone.stop();
    for (const l of dirs) fs.rmSync(l.root, { recursive: true, force: true });
    fs.rmSync(cliHome, { recursive: true, force: true });
  }
}

async function teeThroughput(shape: 'cli' | 'small', mib: number): Promise<void> {
  const l = layout('tee', 0);
  const chunk = path.join(l.share, 'bulk.jsonl');
  const final = path.join(l.share, 'final.jsonl');
  fs.writeFileSync(chunk, bulkEvents(MB, shape));
  fs.writeFileSync(final, resultEvent + '\n');
  const bytes = fs.statSync(chunk).size * mib + fs.statSync(final).size;
  const env = { ...envFor(l, chunk), BENCH_REPEAT: String(mib), BENCH_FINAL: final };
  const worker = new Worker(env, l.root);
  try {
    await worker.ready();
    const base = (await worker.ask({ cmd: 'rss' })).rss;
    let t = performance.now();
    const r = await worker.ask({ cmd: 'cycle' });
    const daemonS = (performance.now() - t) / 1000;
    if (r.status !== 'healthy') throw new Error(`tee cycle ended ${r.status}`);
    for (const f of fs.readdirSync(l.results)) fs.rmSync(path.join(l.results, f));

    t = performance.now();
    const tee = spawnSync(
      'sh',
      ['-c', `"${l.bin}" </dev/null | tee -a "${path.join(l.results, 'tee.log')}" >/dev/null`],
      { env, stdio: 'inherit' },
    );
    const teeS = (performance.now() - t) / 1000;
    if (tee.status !== 0) throw new Error('tee reference failed');
    const daemonRate = bytes / MB / daemonS;
    const teeRate = bytes / MB / teeS;
    const label = shape === 'cli' ? 'tee' : 'tee, small events';
    console.log(
      `  (${(bytes / MB).toFixed(0)} MiB of ${shape === 'cli' ? 'CLI-shaped' : 'small'} events: daemon ${daemonS.toFixed(2)} s, tee ${teeS.toFixed(2)} s)`,
    );
    report(`${label}: daemon throughput`, daemonRate, 'MiB/s', 'informational', true);
    report(`${label}: tee(1) throughput`, teeRate, 'MiB/s', 'informational', true);
    if (shape === 'cli') {
      report('tee throughput ratio daemon/tee', daemonRate / teeRate, 'x', '≥ 0.5', daemonRate / teeRate >= 0.5);
      report('tee RSS growth', (r.peak - base) / MB, 'MB', '< 20', (r.peak - base) / MB < 20);
    } else {
      report(
        'tee throughput ratio daemon/tee, small events',
        daemonRate / teeRate,
        'x',
        'informational (worst case)',
        true,
      );
    }
  } finally {
    worker.stop();
    fs.rmSync(l.root, { recursive: true, force: true });
  }
}

async function mcpAtScale(): Promise<void> {
  const l = layout('mcp', 200);
  const times: number[] = [];
  try {
    let servers = 0;
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      const r = await mergeMcp({
        baselineFile: path.join(l.app, '.claude', 'mcp.json'),
        reposDir: l.repos,
        trustedRepos: ['*'],
        store: new FileStore(l.state, l.state),
      });
      times.push(performance.now() - t);
      servers = r.servers.length;
    }
    if (servers !== 201) throw new Error(`merged ${servers} servers, expected 201`);
    report('MCP merge of 200 repos (median of 21)', median(times.slice(1)), 'ms', '< 50', median(times.slice(1)) < 50);
  } finally {
    fs.rmSync(l.root, { recursive: true, force: true });
  }
}

/** The console over 30 days of 5-minute cycles (8,640) and 20 checks: the overview and a check page. */
async function consoleAtScale(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-bench-console-'));
  const results = path.join(root, 'results');
  const state = path.join(root, 'state');
  fs.mkdirSync(results);
  fs.mkdirSync(state);
  const now = Date.now();
  const checkIds = Array.from({ length: 20 }, (_, i) => `infra/check-${String(i).padStart(2, '0')}.md`);
  for (let i = 0; i < 8640; i++) {
    const at = new Date(now - i * 300_000);
    const id = `run-${at.toISOString().slice(0, 19).replace(/-/g, '').replace('T', '-').replace(/:/g, '')}`;
    const checks = checkIds.map((c, n) => ({
      id: c,
      title: `Check ${n}`,
      status: (i + n) % 97 === 0 ? 'unhealthy' : 'healthy',
      services: [`svc-${n}`],
      detail: 'fine',
      tier: 1,
    }));
    fs.writeFileSync(
      path.join(results, `${id}.json`),
      JSON.stringify({
        id,
        startedAt: at.toISOString(),
        endedAt: at.toISOString(),
        durationMs: 4000,
        trigger: 'schedule',
        dryRun: false,
        status: 'healthy',
        summary: 'All checks pass.',
        costUsd: 0.002,
        tiers: [
          {
            tier: 1,
            model: 'haiku',
            exitClass: 'ok',
            costUsd: 0.002,
            durationMs: 3900,
            modelUsage: { 'claude-haiku-4-5': { costUSD: 0.002 } },
          },
        ],
        checks,
        warnings: [],
      }),
    );
  }
  const HOUR = 3_600_000;
  const hours = Array.from({ length: 720 }, (_, h) => [Math.floor((now - (719 - h) * HOUR) / HOUR) * HOUR, 12, 12]);
  const last = Array.from({ length: 50 }, (_, k) => ({
    at: new Date(now - k * 300_000).toISOString(),
    cycle: 'run-x',
    status: 'healthy',
    tier: 1,
    detail: 'fine',
  }));
  fs.writeFileSync(
    path.join(state, 'checks.json'),
    JSON.stringify({
      version: 1,
      checks: Object.fromEntries(
        checkIds.map((c, n) => [
          c,
          {
            title: `Check ${n}`,
            services: [`svc-${n}`],
            status: 'healthy',
            since: new Date(now - 86_400_000).toISOString(),
            failures: 0,
            successes: 100,
            last,
            hours,
          },
        ]),
      ),
    }),
  );
  const { config } = loadConfig(
    { ANTHROPIC_API_KEY: 'bench', CLAUDEOPS_RESULTS_DIR: results, CLAUDEOPS_STATE_DIR: state },
    root,
  );
  const logger = pino({ level: 'silent' });
  const server = await startHttp({
    host: '127.0.0.1',
    port: 0,
    health: { health: () => ({ ok: true, reason: 'bench' }) },
    metrics: new Metrics(),
    logger,
    console: standaloneConsole(config, logger),
  });
  const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
  const time = async (url: string) => {
    const t = performance.now();
    const res = await fetch(base + url);
    await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    return performance.now() - t;
  };
  try {
    for (const [name, url] of [
      ['overview', '/'],
      ['check page', `/checks/${checkIds[7]}`],
    ] as const) {
      const cold = await time(url);
      const warm = median(
        await Promise.all(Array.from({ length: 1 }, () => time(url))).then(async (first) => [
          ...first,
          ...(await sequential(10, () => time(url))),
        ]),
      );
      report(`console ${name} over 8,640 cycles × 20 checks, first render`, cold, 'ms', '< 200', cold < 200);
      report(`console ${name}, median of 10 more`, warm, 'ms', '< 200', warm < 200);
    }
  } finally {
    server.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/**
 * Tokens and time per cycle, with the real CLI: the first request, the bytes a cycle
 * sends over 5, 20 and 50 checks (each one tool call with a few KB of output), the wall
 * time of 50 checks when every answer takes 1 s, and what hourly cycles cost a month.
 */
async function costAndScale(): Promise<void> {
  const kb = (b: number) => b / 1024;
  const line = (m: CycleMeasure, label: string) =>
    console.log(
      `  (${label}: ${m.checks} checks, ${m.sessions} session(s), ${m.requests} requests, ${kb(m.totalBytes).toFixed(0)} KB sent, first ${kb(m.firstBytes).toFixed(1)} KB, ${(m.wallMs / 1000).toFixed(1)} s, $${m.costUsd.toFixed(4)}, ${m.status})`,
    );
  const five = await measureCycle(5);
  line(five, 'default');
  const bare = await bareFirstRequestBytes(five.firstPrompt);
  report('first tier-1 request (5 checks)', kb(five.firstBytes), 'KB', 'informational', true);
  report(
    'first tier-1 request vs a bare claude -p with the same prompt',
    five.firstBytes / bare,
    'x',
    'informational (bare: ' + kb(bare).toFixed(1) + ' KB)',
    true,
  );
  const withTask = await measureCycle(5, { CLAUDEOPS_TIER1_TOOLS: 'Bash,Read,Grep,Glob,Task,WebFetch' });
  report(
    'first tier-1 request with the Task tool (the old default)',
    kb(withTask.firstBytes),
    'KB',
    'informational',
    true,
  );
  const ops = await measureCycle(5, { CLAUDEOPS_SYSTEM_PROMPT: 'ops' });
  report('first tier-1 request with CLAUDEOPS_SYSTEM_PROMPT=ops', kb(ops.firstBytes), 'KB', 'informational', true);
  report(
    '5-check cycle with CLAUDEOPS_SYSTEM_PROMPT=ops vs default, request bytes',
    ops.totalBytes / five.totalBytes,
    'x',
    'informational',
    true,
  );

  const twenty = await measureCycle(20);
  line(twenty, 'default');
  const fifty = await measureCycle(50, {}, 1000);
  line(fifty, 'default, 1 s per answer');
  const single = await measureCycle(50, { CLAUDEOPS_TIER1_SHARD_SIZE: '1000' }, 1000);
  line(single, 'one session, 1 s per answer');
  for (const m of [five, twenty, fifty])
    report(
      `request bytes of a healthy ${m.checks}-check cycle`,
      kb(m.totalBytes),
      'KB',
      'informational',
      m.status === 'healthy',
    );
  report(
    'request bytes, 50 checks vs 5',
    fifty.totalBytes / five.totalBytes,
    'x',
    '≤ 12',
    fifty.totalBytes / five.totalBytes <= 12,
  );
  report(
    'request bytes, 50 checks in one session vs 5 (for comparison)',
    single.totalBytes / five.totalBytes,
    'x',
    'informational',
    true,
  );
  report('wall time of the 50-check cycle, 1 s per answer', fifty.wallMs / 1000, 's', 'informational', true);
  report(
    'wall time of 50 checks vs one sequential session',
    fifty.wallMs / single.wallMs,
    'x',
    '≤ 0.3',
    fifty.wallMs / single.wallMs <= 0.3,
  );
  const month = twenty.costUsd * 24 * 30;
  report(
    "estimated cost of hourly cycles over 20 checks, per month (the CLI's price for the reported usage)",
    month,
    'USD',
    'informational',
    true,
  );
  report(
    'the same at Haiku 4.5 list prices, computed here from the usage',
    listPriceUsd(twenty.usage) * 24 * 30,
    'USD',
    `informational ($${HAIKU_PRICES.input}/$${HAIKU_PRICES.output} per MTok in/out, cache $${HAIKU_PRICES.cacheWrite} write, $${HAIKU_PRICES.cacheRead} read)`,
    true,
  );
  console.log(
    `  (20-check cycle usage: ${twenty.usage.cacheWrite} cache-write, ${twenty.usage.cacheRead} cache-read, ${twenty.usage.input} input, ${twenty.usage.output} output tokens; tokens estimated at 4 bytes each)`,
  );
}

async function sequential(n: number, f: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await f());
  return out;
}

const started = performance.now();
console.log(
  `claudeops bench · ${new Date().toISOString()} · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? 'cpu'} · node ${process.version} · daemon launch ${Object.entries(
    DAEMON_LAUNCH.env,
  )
    .map(([k, v]) => `${k}=${v} `)
    .join('')}node ${DAEMON_NODE_FLAGS.join(' ')}`,
);
// BENCH_ONLY=cost,probes,memory,tee,mcp,console,notes runs some of them.
const only = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const part = (name: string) => only.length === 0 || only.includes(name);
if (part('cost')) await costAndScale();
if (part('probes')) await probeFigures(report);
if (part('memory')) await overheadAndMemory();
if (part('tee')) await teeThroughput('cli', TEE_MIB);
if (part('tee')) await teeThroughput('small', Math.max(16, TEE_MIB / 8));
if (part('mcp')) await mcpAtScale();
if (part('console')) await consoleAtScale();
if (part('notes')) notesFigures(report);
const out = path.join(ROOT, 'bench', 'results.json');
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      node: process.version,
      cycles: CYCLES,
      teeMiB: TEE_MIB,
      figures,
    },
    null,
    2,
  ) + '\n',
);
console.log(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(figures.every((f) => f.pass) ? 0 : 1);
