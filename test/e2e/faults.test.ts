// The fault suite: every case ends with the loop alive (a following cycle runs) and
// the run's files complete, and leaves no process of the run behind.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compareStamps } from '../../src/store/layout.js';
import { describe, it } from 'node:test';
import { FakeApi, byModel, lastToolResult, status, systemText, toolUse, verdict, type Reply } from '../fake-api.js';
import {
  API_KEY,
  ROOT,
  alive,
  allText,
  cycleSummaries,
  files,
  mcpConfig,
  read,
  sandbox,
  start,
  verdictOf,
  type Sandbox,
  type Started,
} from '../harness.js';

const healthy = verdict(verdictOf('healthy'));
const escapeWeb = verdict(verdictOf('unhealthy', { escalate: true }));
const escalateWeb = verdict(
  verdictOf('unhealthy', { escalate: true, checks: [{ id: 'web', status: 'unhealthy', service: 'web' }] }),
);
const APPRISE_SECRET = 'hunter2-apprise-password';

/** Whether a live descendant of `pid` runs exactly `argv`. */
function runsUnder(pid: number, argv: string[]): boolean {
  const parent = new Map<number, number>();
  const command = new Map<number, string>();
  for (const n of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${n}/stat`, 'utf8');
      parent.set(Number(n), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      command.set(Number(n), fs.readFileSync(`/proc/${n}/cmdline`, 'utf8'));
    } catch {
      /* gone */
    }
  }
  const wanted = argv.join('\0') + '\0';
  return [...command].some(([p, c]) => {
    if (c !== wanted || !alive(p)) return false;
    for (let q = parent.get(p); q; q = parent.get(q)) if (q === pid) return true;
    return false;
  });
}

/** Polls until `ok`, or throws after `ms`. */
async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** PIDs of live processes started for this sandbox (they carry its results directory in their environment). */
/** Live processes of the fixture MCP server that ignores EOF, started for this sandbox (not another run's of this test). */
function stubborn(sb: Sandbox): number[] {
  const pidFile = Buffer.from(`MCP_PID_FILE=${path.join(sb.root, 'mcp.pid')}\0`);
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        return (
          fs.readFileSync(`/proc/${n}/cmdline`).includes('fixtures/mcp-server.js') &&
          fs.readFileSync(`/proc/${n}/environ`).includes('MCP_IGNORE_EOF=1') &&
          fs.readFileSync(`/proc/${n}/environ`).includes(pidFile) &&
          alive(Number(n))
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

function processesOf(sb: Sandbox, exceptPid?: number): number[] {
  const needle = Buffer.from(`CLAUDEOPS_RESULTS_DIR=${sb.resultsDir}\0`);
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n) && Number(n) !== exceptPid && Number(n) !== process.pid)
    .filter((n) => {
      try {
        return fs.readFileSync(`/proc/${n}/environ`).includes(needle) && alive(Number(n));
      } catch {
        return false;
      }
    })
    .map(Number);
}

interface FaultRun {
  sb: Sandbox;
  api: FakeApi;
  output: string;
  code: number | null;
  summaries: any[];
  logs: string[];
}

/**
 * Starts the daemon with a 1 s interval, waits until `cycles` cycles have ended, then
 * stops it with SIGTERM. `during` runs while the first cycle is under way.
 */
async function fault(
  replies: Record<string, Reply[]>,
  options: {
    env?: Record<string, string>;
    setup?: (sb: Sandbox) => void;
    cycles?: number;
    during?: (sb: Sandbox, api: FakeApi, daemon: Started) => Promise<void>;
  } = {},
): Promise<FaultRun> {
  const api = new FakeApi(byModel(replies));
  const sb = sandbox(await api.start(), {
    CLAUDEOPS_INTERVAL: '1',
    CLAUDEOPS_FAILURE_BACKOFF: '0',
    CLAUDEOPS_TIMEOUT: '20',
    ...options.env,
  });
  options.setup?.(sb);
  const daemon = start(['run'], sb, 120_000);
  try {
    if (options.during) await options.during(sb, api, daemon);
    const n = options.cycles ?? 2;
    await daemon.waitFor(new RegExp(Array(n).fill('"msg":"cycle ended').join('[\\s\\S]*')), 90_000);
    daemon.child.kill('SIGTERM');
    const end = await daemon.done;
    const names = files(sb.resultsDir);
    const summaries = cycleSummaries(sb.resultsDir);
    const logs = names
      .filter((f) => f.endsWith('.log'))
      .sort(compareStamps)
      .map((f) => read(path.join(sb.resultsDir, f)));
    assert.deepEqual(processesOf(sb), [], 'no process of the run is left');
    return { sb, api, output: end.stdout + end.stderr, code: end.code, summaries, logs };
  } finally {
    daemon.child.kill('SIGKILL');
    await api.stop();
  }
}

/** The first cycle failed as expected, its files are complete, and the next cycle ran. */
function assertFailedThenAlive(r: FaultRun, exitClass: string, logPattern?: RegExp): void {
  assert.equal(r.code, 0, r.output.slice(-2000));
  assert.ok(r.summaries.length >= 2, `a following cycle ran: ${r.summaries.length}`);
  const first = r.summaries[0];
  assert.equal(first.status, 'failed');
  assert.equal(first.tiers[0].exitClass, exitClass, JSON.stringify(first.tiers[0]));
  assert.equal(first.tiers[0].filesComplete, true);
  assert.match(r.logs[0]!, new RegExp(`--- end · ${exitClass} ·`), 'the log is complete to its last line');
  if (logPattern) assert.match(r.logs[0]!, logPattern);
  assert.equal(r.summaries[1].status, 'healthy');
}

describe('fault suite', { concurrency: 2 }, () => {
  it('CLI binary missing: every cycle fails as cli_missing, says what to do, and the loop goes on', async () => {
    const r = await fault({ haiku: [healthy] }, { env: { CLAUDEOPS_CLAUDE_BIN: '/nonexistent/claude' } });
    try {
      assert.equal(r.code, 0);
      assert.ok(r.summaries.length >= 2);
      for (const s of r.summaries) assert.equal(s.tiers[0].exitClass, 'cli_missing');
      assert.match(
        r.logs[0]!,
        /\/nonexistent\/claude: command not found: install the Claude Code CLI or set CLAUDEOPS_CLAUDE_BIN/,
      );
      assert.match(r.output, /the Claude Code CLI cannot be run/);
    } finally {
      r.sb.cleanup();
    }
  });

  it('CLI exits 1 on a request the API rejects (400): bad_request', async () => {
    const r = await fault({ haiku: [status(400, 'model: unknown model'), healthy] });
    try {
      assertFailedThenAlive(r, 'bad_request', /exit 1/);
    } finally {
      r.sb.cleanup();
    }
  });

  it('CLI exits 1 over its spend cap: budget', async () => {
    const r = await fault(
      { haiku: [toolUse('Bash', { command: 'true' }), toolUse('Bash', { command: 'true' }), healthy, healthy] },
      { env: { CLAUDEOPS_MAX_BUDGET_USD: '0.0001' } },
    );
    try {
      assert.equal(r.summaries[0].tiers[0].exitClass, 'budget');
      assert.equal(r.summaries[0].tiers[0].exitCode, 1);
      assert.ok(r.summaries.length >= 2);
    } finally {
      r.sb.cleanup();
    }
  });

  for (const [code, cls] of [
    [401, 'auth'],
    [429, 'rate_limit'],
    [500, 'server'],
    [529, 'overloaded'],
  ] as const) {
    it(`API answers ${code}: classified ${cls}`, async () => {
      const r = await fault({ haiku: [status(code, `fake ${code}`), healthy] });
      try {
        assertFailedThenAlive(r, cls);
        assert.match(r.output, new RegExp(`"exitClass":"${cls}"`));
      } finally {
        r.sb.cleanup();
      }
    });
  }

  it('API hangs past the timeout: the CLI is stopped and its whole tree is gone', async () => {
    const r = await fault({ haiku: [{ kind: 'hang' }, healthy] }, { env: { CLAUDEOPS_TIMEOUT: '3' } });
    try {
      assertFailedThenAlive(r, 'timeout', /stop +timed out after 3 s \(CLAUDEOPS_TIMEOUT\); sent SIGINT after 3\.\d s/);
    } finally {
      r.sb.cleanup();
    }
  });

  it('a Bash tool running `sleep 1000` when the timeout hits is killed too', async () => {
    const r = await fault(
      { haiku: [toolUse('Bash', { command: 'sleep 1000', description: 'wait' }), healthy, healthy] },
      { env: { CLAUDEOPS_TIMEOUT: '4' } },
    );
    try {
      assertFailedThenAlive(r, 'timeout', /tool +Bash \$ sleep 1000/);
    } finally {
      r.sb.cleanup();
    }
  });

  it('an MCP server that ignores EOF and signals ends with a SIGKILLed CLI: the cage takes every process of the run with it', async () => {
    let mcpPid = 0;
    const r = await fault(
      { haiku: [{ kind: 'hang' }, healthy] },
      {
        env: { CLAUDEOPS_TIMEOUT: '60' },
        setup: (sb) =>
          sb.addRepo('ops', {
            '.claude-ops/mcp.json': mcpConfig('stubborn', {
              MCP_IGNORE_EOF: '1',
              MCP_PID_FILE: path.join(sb.root, 'mcp.pid'),
            }),
          }),
        during: async (sb, api, daemon) => {
          const daemonPid = daemon.child.pid!;
          const deadline = Date.now() + 30_000;
          // Servers run sandboxed and cannot write the PID file: they are found from outside, by their command line.
          while ((stubborn(sb).length === 0 || api.messages.length === 0) && Date.now() < deadline)
            await new Promise((res) => setTimeout(res, 50));
          assert.equal(stubborn(sb).length, 1, "the server started to list its tools is gone; only the run's is left");
          mcpPid = stubborn(sb)[0]!;
          const cli = processesOf(sb, daemonPid).find(
            (p) => p !== mcpPid && /claude(\.exe)?$/.test(read(`/proc/${p}/cmdline`).split('\0')[0]!),
          );
          assert.ok(cli, 'found the CLI process');
          process.kill(cli, 'SIGKILL');
        },
      },
    );
    try {
      assert.ok(mcpPid > 0);
      assert.equal(alive(mcpPid), false, 'the MCP server is gone');
      assert.deepEqual(stubborn(r.sb), [], 'no process of the run is left');
      assert.equal(r.summaries[0].tiers[0].exitClass, 'cli_error');
      assert.equal(r.summaries[1].status, 'healthy');
    } finally {
      r.sb.cleanup();
    }
  });

  /** A daemon whose first run is inside a Bash tool call of `sleep 1000`. */
  async function sleepingDaemon(graceSeconds: number) {
    const api = new FakeApi(byModel({ haiku: [toolUse('Bash', { command: 'sleep 1000' })] }));
    const sb = sandbox(await api.start(), { CLAUDEOPS_SHUTDOWN_GRACE: String(graceSeconds) });
    const daemon = start(['run'], sb, 60_000);
    await daemon.waitFor(/tool +Bash \$ sleep 1000/, 30_000);
    return { api, sb, daemon };
  }

  it('SIGTERM mid-run: exit 0 within the grace period, no child left, the log ends "interrupted"', async () => {
    const { api, sb, daemon } = await sleepingDaemon(10);
    try {
      // The tool's `sleep 1000` runs: the stop has a child of the run to take with it.
      await until(() => runsUnder(daemon.child.pid!, ['sleep', '1000']), 30_000, 'the sleep 1000 of the run');
      const t0 = Date.now();
      daemon.child.kill('SIGTERM');
      const end = await daemon.done;
      assert.equal(end.code, 0, end.stdout.slice(-1500));
      assert.ok(Date.now() - t0 < 10_000, `stopped in ${Date.now() - t0} ms`);
      assert.deepEqual(processesOf(sb), []);
      const log = read(
        path.join(
          sb.resultsDir,
          files(sb.resultsDir).find((f) => f.endsWith('tier1.log'))!,
        ),
      );
      assert.match(log.trim().split('\n').at(-1)!, /interrupted/);
      const [summary] = cycleSummaries(sb.resultsDir);
      assert.equal(summary.status, 'interrupted');
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });

  for (const signal of ['SIGHUP', 'SIGQUIT'] as const) {
    it(`${signal} mid-run stops like SIGTERM: exit 0, the cycle recorded as interrupted, no process left`, async () => {
      const { api, sb, daemon } = await sleepingDaemon(10);
      try {
        daemon.child.kill(signal);
        const end = await daemon.done;
        assert.equal(end.code, 0, end.stdout.slice(-1500));
        assert.match(end.stdout, new RegExp(`${signal} received: stopping`));
        assert.deepEqual(processesOf(sb), []);
        assert.equal(cycleSummaries(sb.resultsDir)[0].status, 'interrupted');
      } finally {
        daemon.child.kill('SIGKILL');
        await api.stop();
        sb.cleanup();
      }
    });
  }

  it('SIGUSR1 and SIGUSR2 are ignored and logged: no inspector opens, the run goes on', async () => {
    const { api, sb, daemon } = await sleepingDaemon(10);
    try {
      daemon.child.kill('SIGUSR1');
      daemon.child.kill('SIGUSR2');
      await daemon.waitFor(/SIGUSR2 received and ignored/, 30_000);
      await daemon.waitFor(/SIGUSR1 received and ignored/, 30_000);
      assert.ok(!/Debugger listening/.test(daemon.output()), 'the inspector opened');
      // None of the daemon's own sockets listens on the inspector's port 9229 (0x2405); its egress proxy listens elsewhere.
      const fds = fs.readdirSync(`/proc/${daemon.child.pid}/fd`).map((fd) => {
        try {
          return fs.readlinkSync(`/proc/${daemon.child.pid}/fd/${fd}`);
        } catch {
          return '';
        }
      });
      const inodes = new Set(fds.map((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1]).filter(Boolean));
      const listening = ['/proc/net/tcp', '/proc/net/tcp6']
        .flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').slice(1))
        .map((l) => l.trim().split(/\s+/))
        .filter((c) => c[3] === '0A' && inodes.has(c[9]) && c[1]!.endsWith(':2405'));
      assert.deepEqual(listening, [], 'the daemon listens on the inspector port');
      assert.ok(alive(daemon.child.pid!), 'the daemon is still running');
      daemon.child.kill('SIGTERM');
      assert.equal((await daemon.done).code, 0);
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });

  it("SIGTERM to `npm start` (the README's run command) reaches the daemon: it stops, and its CLI with it", async () => {
    // The package's own start script, with the build step made a no-op so the test does not rebuild dist/ under other tests.
    const script = JSON.parse(read(path.join(ROOT, 'package.json'))).scripts.start as string;
    const { api, sb } = await (async () => {
      const api = new FakeApi(byModel({ haiku: [toolUse('Bash', { command: 'sleep 1000' })] }));
      return { api, sb: sandbox(await api.start()) };
    })();
    const pkg = path.join(sb.root, 'pkg');
    fs.mkdirSync(pkg);
    fs.writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({
        name: 'claudeops-start',
        version: '0.0.0',
        type: 'module',
        scripts: { build: 'true', start: script },
      }),
    );
    fs.symlinkSync(path.join(ROOT, 'dist'), path.join(pkg, 'dist'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
    const npm = spawn('npm', ['start'], { cwd: pkg, env: sb.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout.on('data', (d) => (out += d));
    npm.stderr.on('data', (d) => (out += d));
    try {
      const deadline = Date.now() + 60_000;
      while (!/tool +Bash \$ sleep 1000/.test(out) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      assert.match(out, /tool +Bash \$ sleep 1000/, out.slice(-2000));
      assert.ok(processesOf(sb).length > 0, 'the daemon and its CLI run');
      npm.kill('SIGTERM');
      const stopped = Date.now() + 20_000;
      while (processesOf(sb).length > 0 && Date.now() < stopped) await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(processesOf(sb), [], 'the daemon or its CLI outlived SIGTERM to npm');
      assert.match(out, /SIGTERM received: stopping/);
      assert.equal(cycleSummaries(sb.resultsDir)[0].status, 'interrupted');
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      for (const pid of processesOf(sb)) process.kill(pid, 'SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });

  it("a child that drops the run marker and leaves its session (env -u, setsid, nohup) does not outlive its run: the sandbox's PID namespace ends it", async () => {
    const tag = 7000 + (process.pid % 900);
    const escape = (n: number) =>
      toolUse('Bash', {
        command: `env -u CLAUDEOPS_RUN_ID setsid sleep ${tag}.${n} >/dev/null 2>&1 & env -u CLAUDEOPS_RUN_ID nohup sh -c 'sleep ${tag}.${n}1' >/dev/null 2>&1 & echo started`,
        description: 'escape the sweep',
      });
    const r = await fault({ haiku: [escape(1), escapeWeb, healthy], sonnet: [escape(2), healthy] }, { cycles: 2 });
    try {
      assert.deepEqual(
        r.summaries[0].tiers.map((t: { tier: number; containment: { sandboxed: boolean } }) => [
          t.tier,
          t.containment.sandboxed,
        ]),
        [
          [1, true],
          [2, true],
        ],
      );
      assert.match(lastToolResult(r.api.messages[1]!) ?? '', /started/);
      const left = fs
        .readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .filter((n) => {
          try {
            return (
              fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(`sleep\0${tag}.`) ||
              fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').includes(`sleep ${tag}.`)
            );
          } catch {
            return false;
          }
        });
      assert.deepEqual(left, [], 'an escaped process outlived its run');
    } finally {
      r.sb.cleanup();
    }
  });

  it('a second SIGTERM exits at once, and still leaves no process behind', async () => {
    const { api, sb, daemon } = await sleepingDaemon(20);
    try {
      const t0 = Date.now();
      daemon.child.kill('SIGTERM');
      await daemon.waitFor(/SIGTERM received: stopping/, 5_000);
      daemon.child.kill('SIGTERM');
      const end = await daemon.done;
      assert.equal(end.code, 130);
      assert.ok(Date.now() - t0 < 5_000, `exited in ${Date.now() - t0} ms`);
      assert.match(end.stdout, /second SIGTERM: killing the running CLI and exiting now/);
      // Killed processes are gone once the kernel has reaped them; a survivor outlasts the wait.
      await until(() => processesOf(sb).length === 0, 5_000, 'the processes of the run to be gone').catch(() => {});
      assert.deepEqual(processesOf(sb), []);
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });

  it('results directory unwritable, then writable again: logs go to stdout and the daemon recovers', async () => {
    // Tests may run as root, for whom permissions do not stop writes: a file where
    // the directory should be makes every write fail the same way.
    const r = await fault(
      { haiku: [healthy, healthy, healthy] },
      {
        cycles: 2,
        setup: (sb) => fs.writeFileSync(sb.resultsDir, 'not a directory'),
        during: async (sb, _api, daemon) => {
          await daemon.waitFor(/"msg":"cycle ended/, 30_000);
          fs.rmSync(sb.resultsDir);
          const deadline = Date.now() + 30_000;
          while (!files(sb.resultsDir).some((f) => f.endsWith('.json')) && Date.now() < deadline)
            await new Promise((res) => setTimeout(res, 100));
        },
      },
    );
    try {
      assert.match(r.output, /cannot write the run log under .*; this run is logged to stdout only/);
      assert.match(r.output, /"tier":1,"kind":"VERDICT","msg":"[^"]*VERDICT +HEALTHY/);
      assert.ok(r.summaries.length >= 1, 'once writable, cycles are recorded again');
      assert.ok(r.logs.some((l) => /VERDICT +HEALTHY/.test(l)));
    } finally {
      r.sb.cleanup();
    }
  });

  it('malformed baseline and repo MCP JSON: warned about by name, and the cycle goes on', async () => {
    const r = await fault(
      { haiku: [healthy, healthy] },
      {
        setup: (sb) => {
          fs.writeFileSync(path.join(sb.appDir, '.claude', 'mcp.json'), '{"mcpServers": ');
          sb.addRepo('broken', { '.claude-ops/mcp.json': '{"servers": {}}' });
        },
      },
    );
    try {
      assert.equal(r.summaries[0].status, 'healthy');
      const warnings = r.summaries[0].warnings.join('\n');
      assert.match(warnings, /baseline MCP config skipped: .*\.claude\/mcp\.json: not valid JSON/);
      assert.match(warnings, /broken\/\.claude-ops\/mcp\.json: not an MCP config/);
      assert.match(r.output, /baseline MCP config skipped/);
    } finally {
      r.sb.cleanup();
    }
  });

  it('hostile repo MCP files (50 MB, a symlink to /dev/zero, a FIFO, 100,000 levels of nesting, a __proto__ server) are refused by name; a good repo beside them still works', async () => {
    const r = await fault(
      { haiku: [toolUse('mcp__probe__probe_status', { target: 'web' }), healthy, healthy] },
      {
        setup: (sb) => {
          const dot = (repo: string) => {
            const d = path.join(sb.reposDir, repo, '.claude-ops');
            fs.mkdirSync(d, { recursive: true });
            return path.join(d, 'mcp.json');
          };
          fs.writeFileSync(dot('a-huge'), Buffer.alloc(50 * 1024 * 1024, 0x20));
          fs.symlinkSync('/dev/zero', dot('b-zero'));
          assert.equal(spawnSync('mkfifo', [dot('c-fifo')]).status, 0);
          sb.addRepo('d-deep', {
            '.claude-ops/mcp.json': `{"mcpServers":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
          });
          sb.addRepo('e-proto', { '.claude-ops/mcp.json': '{"mcpServers": {"__proto__": {"command": "evil"}}}' });
          sb.addRepo('f-good', { '.claude-ops/mcp.json': mcpConfig('probe') });
        },
      },
    );
    try {
      assert.equal(r.summaries[0].status, 'healthy');
      const warnings = r.summaries[0].warnings.join('\n');
      assert.match(
        warnings,
        /a-huge\/\.claude-ops\/mcp\.json: not read: it is 52428800 bytes, over the 1048576-byte limit/,
      );
      assert.match(warnings, /b-zero\/\.claude-ops\/mcp\.json: not read: it is not a regular file/);
      assert.match(warnings, /c-fifo\/\.claude-ops\/mcp\.json: not read: it is not a regular file/);
      assert.match(warnings, /d-deep\/\.claude-ops\/mcp\.json: nested 100001 levels deep, over the limit of 32/);
      assert.match(
        warnings,
        /e-proto\/\.claude-ops\/mcp\.json: the server named "__proto__" is ignored; give it another name/,
      );
      assert.deepEqual(r.summaries[0].mcpServers, ['probe']);
      assert.match(lastToolResult(r.api.messages[1]!) ?? '', /probe says web is OK/);
    } finally {
      r.sb.cleanup();
    }
  });

  it('one daemon per state directory: `once` beside `run`, or a second `run`, exits 2 naming the holder, and the chain stays whole', async () => {
    const api = new FakeApi(byModel({ haiku: [healthy, healthy, healthy] }));
    const sb = sandbox(await api.start(), { CLAUDEOPS_INTERVAL: '3600' });
    const daemon = start(['run'], sb, 90_000);
    try {
      await daemon.waitFor(/"msg":"cycle ended/, 60_000);
      for (const args of [['once'], ['run']]) {
        const second = await start(args, sb, 30_000).done;
        assert.equal(second.code, 2, second.stdout + second.stderr);
        assert.match(
          second.stderr,
          new RegExp(
            `another claudeops \\(run, pid ${daemon.child.pid}, since .*\\) uses the state directory ${sb.stateDir}; stop it first`,
          ),
        );
        if (args[0] === 'once') assert.match(second.stderr, /use `claudeops trigger`/);
      }
      daemon.child.kill('SIGTERM');
      assert.equal((await daemon.done).code, 0);
      assert.ok(!fs.existsSync(path.join(sb.stateDir, 'claudeops.lock')), 'the lock is released on a clean stop');
      // A lock left by a killed daemon is taken over.
      fs.writeFileSync(
        path.join(sb.stateDir, 'claudeops.lock'),
        JSON.stringify({ pid: 999_999, mode: 'run', startedAt: 'then' }),
      );
      const after = await start(['once'], sb, 60_000).done;
      assert.equal(after.code, 0, after.stdout + after.stderr);
      const verify = await start(['verify-receipts'], sb, 30_000).done;
      assert.equal(verify.code, 0, verify.stdout);
      assert.match(verify.stdout, /receipts OK: 2 line\(s\)/);
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });

  it('a full state directory: tier 1 still reports, no remediation tier runs, nothing piles up, and remediation resumes when there is room', async (t) => {
    const api = new FakeApi(
      byModel({ haiku: [escalateWeb, escalateWeb, escalateWeb, escalateWeb], sonnet: [healthy, healthy] }),
    );
    const sb = sandbox(await api.start(), { CLAUDEOPS_INTERVAL: '4', CLAUDEOPS_FAILURE_BACKOFF: '0' });
    fs.mkdirSync(sb.stateDir, { recursive: true });
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', sb.stateDir]).status !== 0) {
      sb.cleanup();
      await api.stop();
      return t.skip('mounting a small tmpfs needs root (CI runs as root)');
    }
    const filler = path.join(sb.stateDir, 'filler');
    const daemon = start(['run'], sb, 120_000);
    try {
      await daemon.waitFor(/"msg":"cycle ended/, 60_000);
      const { bavail, bsize } = fs.statfsSync(sb.stateDir);
      try {
        fs.writeFileSync(filler, Buffer.alloc(bavail * bsize));
      } catch {
        /* full to the last byte */
      }
      await daemon.waitFor(/"msg":"cycle ended[\s\S]*"msg":"cycle ended/, 60_000);
      fs.rmSync(filler);
      await daemon.waitFor(/("msg":"cycle ended[\s\S]*){4}/, 60_000);
      daemon.child.kill('SIGTERM');
      await daemon.done;
      // The cycle after the full one is still held back: the full one's cooldown state was
      // not saved, and only a cycle whose state is saved again lets remediation resume.
      const [first, full, held, again] = cycleSummaries(sb.resultsDir);
      assert.deepEqual(
        [first, full, held, again].map((c) => c.tiers.map((r: { tier: number }) => r.tier).join('')),
        ['12', '1', '1', '12'],
      );
      assert.match(held.remediationBlocked, /the cooldown state could not be saved after cycle/);
      assert.match(
        full.remediationBlocked,
        /cannot take a write \(ENOSPC\); the cooldowns and the daily budget cannot be kept, so no remediation tier runs/,
      );
      assert.equal(full.escalationStopped, 'no remediation tier runs while the state directory cannot be saved');
      assert.equal(full.status, 'unhealthy', 'tier 1 still judged');
      assert.deepEqual(
        fs.readdirSync(sb.stateDir).filter((n) => n.endsWith('.tmp') || n.startsWith('.write-probe')),
        [],
        'no temporary file is left behind',
      );
    } finally {
      daemon.child.kill('SIGKILL');
      spawnSync('umount', [sb.stateDir]);
      await api.stop();
      sb.cleanup();
    }
  });

  it('a missing prompt file fails the cycle as config, naming the path and the fix', async () => {
    const r = await fault({ haiku: [healthy] }, { env: { CLAUDEOPS_PROMPT: 'prompts/nope.md' } });
    try {
      assert.equal(r.code, 0);
      assert.equal(r.summaries[0].tiers[0].exitClass, 'config');
      assert.match(
        r.logs[0]!,
        /prompt file .*prompts\/nope\.md cannot be read \(ENOENT\): restore it or point CLAUDEOPS_PROMPT at an existing file/,
      );
      assert.equal(r.api.messages.length, 0);
    } finally {
      r.sb.cleanup();
    }
  });

  it('a corrupt cooldown file is moved aside and the cycle goes on', async () => {
    const r = await fault(
      { haiku: [healthy, healthy] },
      {
        setup: (sb) => {
          fs.mkdirSync(sb.stateDir, { recursive: true });
          fs.writeFileSync(path.join(sb.stateDir, 'cooldown.json'), '{{{');
        },
      },
    );
    try {
      assert.equal(r.summaries[0].status, 'healthy');
      assert.match(r.summaries[0].warnings.join('\n'), /cooldown\.json was corrupt .* moved it to/);
      assert.ok(files(r.sb.stateDir).some((f) => f.startsWith('cooldown.json.corrupt-')));
      assert.doesNotThrow(() => JSON.parse(read(path.join(r.sb.stateDir, 'cooldown.json'))));
    } finally {
      r.sb.cleanup();
    }
  });

  it('secrets never reach the agent, the API, any file under results or state, nor the daemon’s output', async () => {
    const appriseUrl = `json://admin:${APPRISE_SECRET}@127.0.0.1:9/notify`;
    // A model that knows the key and puts it where the story cuts a line: redaction must come first.
    const straddling = [250, 270, 285, 295].map((n) =>
      toolUse('Bash', { command: `echo ${'x'.repeat(n)} ${API_KEY}` }),
    );
    const r = await fault(
      {
        haiku: [
          toolUse('Bash', { command: 'echo "key=$ANTHROPIC_API_KEY urls=$CLAUDEOPS_APPRISE_URLS"' }),
          ...straddling,
          healthy,
          healthy,
        ],
      },
      {
        env: { CLAUDEOPS_APPRISE_URLS: appriseUrl, CLAUDEOPS_APPRISE_BIN: '/nonexistent/apprise' },
      },
    );
    try {
      assert.ok(r.api.messages.length > 0);
      // The agent's command sees neither: the sandbox unsets the key, and the Apprise URLs are never in its environment.
      assert.match(lastToolResult(r.api.messages[1]!) ?? '', /^key= urls=$/m);
      for (const m of r.api.messages)
        for (const secret of [API_KEY, APPRISE_SECRET])
          assert.ok(!systemText(m).includes(secret), `${secret} in a system prompt`);
      assert.ok(!JSON.stringify(r.api.messages[0]!.body).includes(APPRISE_SECRET));
      assert.match(systemText(r.api.messages[0]!), /CLAUDEOPS_NOTIFICATIONS=configured/);
      for (const { file, text } of [...allText(r.sb.resultsDir), ...allText(r.sb.stateDir)]) {
        for (const secret of [API_KEY, APPRISE_SECRET, 'PLANTED-SEC'])
          assert.ok(!text.includes(secret), `${secret} in ${file}`);
      }
      for (const secret of [API_KEY, APPRISE_SECRET, 'PLANTED-SEC'])
        assert.ok(!r.output.includes(secret), `${secret} in the daemon output`);
    } finally {
      r.sb.cleanup();
    }
  });
});
