import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CLAUDE_FLAGS } from '../../src/provider/claude/command.js';
import { CLAUDE_TOOLS } from '../../src/provider/claude/options.js';
import { FakeApi, byModel, status, text, toolUse, verdict } from '../fake-api.js';
import { CLAUDE, run, sandbox, start, summaryNames, verdictOf } from '../harness.js';

describe('claudeops run', () => {
  it('runs a cycle at start and then on the interval, and goes on after a failed cycle', async () => {
    const api = new FakeApi(
      byModel({ haiku: [status(500, 'fake outage'), verdict(verdictOf('healthy')), verdict(verdictOf('healthy'))] }),
    );
    const sb = sandbox(await api.start(), { CLAUDEOPS_INTERVAL: '2', CLAUDEOPS_FAILURE_BACKOFF: '0' });
    const daemon = start(['run'], sb, 90_000);
    try {
      await daemon.waitFor(/cycle ended failed/, 30_000);
      await daemon.waitFor(/cycle ended healthy[\s\S]*cycle ended healthy/, 30_000);
      daemon.child.kill('SIGTERM');
      const end = await daemon.done;
      assert.equal(end.code, 0, end.stdout.slice(-2000));
      const summaries = summaryNames(sb.resultsDir);
      assert.ok(summaries.length >= 3, `summaries: ${summaries}`);
      const statuses = summaries.map((n) => JSON.parse(fs.readFileSync(path.join(sb.resultsDir, n), 'utf8')).status);
      assert.equal(statuses[0], 'failed');
      assert.ok(statuses.slice(1).includes('healthy'));
      assert.match(
        fs.readFileSync(path.join(sb.resultsDir, summaries[0]!.replace('.json', '-tier1.log')), 'utf8'),
        /FAILED +server/,
      );
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });

  it('skips a tick while the previous cycle still runs', async () => {
    const api = new FakeApi(byModel({ haiku: [{ kind: 'hang' }, verdict(verdictOf('healthy'))] }));
    const sb = sandbox(await api.start(), {
      CLAUDEOPS_INTERVAL: '1',
      CLAUDEOPS_TIMEOUT: '4',
      CLAUDEOPS_FAILURE_BACKOFF: '0',
    });
    const daemon = start(['run'], sb, 60_000);
    try {
      await daemon.waitFor(/previous cycle is still running; this tick is skipped/, 20_000);
      await daemon.waitFor(/cycle ended healthy/, 30_000);
      daemon.child.kill('SIGTERM');
      assert.equal((await daemon.done).code, 0);
      const started = daemon.output().match(/"msg":"cycle started"/g) ?? [];
      const ended = daemon.output().match(/"msg":"cycle ended/g) ?? [];
      assert.equal(started.length, ended.length, 'every cycle that started ended before the next began');
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('stopping the running cycle from the console', () => {
  it('says an operator stopped it, keeps CLI diagnostics out of the summary, and leaves every check as it was', async () => {
    const TOKEN = 'console-token-0123456789abcdef';
    const healthyWeb = verdict({
      status: 'healthy',
      summary: 'web answers 200.',
      escalate: false,
      checks: [{ id: 'site/web.md', status: 'healthy', detail: '200' }],
    });
    const api = new FakeApi(
      byModel({
        haiku: [healthyWeb, toolUse('Bash', { command: 'sleep 60', description: 'a check that hangs' }), healthyWeb],
      }),
    );
    const sb = sandbox(await api.start(), {
      CLAUDEOPS_HTTP_PORT: '0',
      CLAUDEOPS_CONSOLE_TOKEN: TOKEN,
      CLAUDEOPS_INTERVAL: '3600',
      CLAUDEOPS_SHUTDOWN_GRACE: '10',
    });
    sb.addRepo('site', {
      '.claude-ops/checks/web.md': '# Web\n\n- Service: web\n\n## How\ncurl\n\n## Healthy when\n200\n',
    });
    const daemon = start(['run'], sb, 150_000);
    const post = (url: string) => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    try {
      await daemon.waitFor(/"msg":"cycle ended healthy/, 60_000);
      const base = `http://127.0.0.1:${/"port":(\d+)/.exec(daemon.output())![1]}`;
      const checksFile = path.join(sb.stateDir, 'checks.json');
      const before = JSON.parse(fs.readFileSync(checksFile, 'utf8')).checks['site/web.md'];
      assert.equal(before.status, 'healthy');
      assert.equal((await post(`${base}/actions/run-now`)).status, 202);
      await daemon.waitFor(/tool +Bash \$ sleep 60/, 60_000);
      assert.equal((await post(`${base}/actions/stop`)).status, 202);
      const deadline = Date.now() + 40_000;
      while (summaryNames(sb.resultsDir).length < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      await daemon.waitFor(/"msg":"cycle ended interrupted/, 10_000);
      const stopped = JSON.parse(
        fs.readFileSync(path.join(sb.resultsDir, summaryNames(sb.resultsDir).at(-1)!), 'utf8'),
      );
      assert.equal(stopped.status, 'interrupted');
      assert.match(stopped.summary, /an operator stopped the cycle from the console/);
      assert.doesNotMatch(stopped.summary, /\[ede_diagnostic\]|stop_reason|shutting down/);
      assert.ok(
        !stopped.warnings.some((w: string) => /not reported by the agent/.test(w)),
        stopped.warnings.join('\n'),
      );
      assert.deepEqual(stopped.checkChanges, []);
      // The daemon's own records; the story's lines (with a kind) are the tier run's.
      const own = daemon
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((r) => r.kind === undefined)
        .map((r) => String(r.msg));
      assert.ok(own.includes('tier 1 stopped: an operator stopped the cycle from the console'), own.join('\n'));
      assert.ok(!own.some((m) => /shutting down|asked to stop/.test(m)), own.join('\n'));
      const after = JSON.parse(fs.readFileSync(checksFile, 'utf8')).checks['site/web.md'];
      assert.equal(after.status, 'healthy');
      assert.equal(after.since, before.since);
      assert.deepEqual(after.last, before.last, 'the interrupted cycle added no result');
      assert.equal(daemon.child.exitCode, null, 'the daemon goes on');
      daemon.child.kill('SIGTERM');
      assert.equal((await daemon.done).code, 0);
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('one daemon per results directory', () => {
  it('refuses a second daemon on the same results directory (its own state directory), naming the directory and the first’s pid; the ledger stays verifiable', async () => {
    const api = new FakeApi(byModel({ haiku: [verdict(verdictOf('healthy')), verdict(verdictOf('healthy'))] }));
    const sb = sandbox(await api.start(), { CLAUDEOPS_INTERVAL: '3600' });
    const first = start(['run'], sb, 90_000);
    try {
      await first.waitFor(/"msg":"cycle ended/, 60_000);
      const otherState = { CLAUDEOPS_STATE_DIR: path.join(sb.root, 'state-2') };
      for (const command of ['run', 'once']) {
        const second = await run([command], sb, 30_000, otherState);
        assert.equal(second.code, 2, `${command}: ${second.stdout.slice(-2000)}${second.stderr}`);
        assert.match(
          second.stderr,
          new RegExp(
            `another claudeops \\(run, pid ${first.child.pid}, since [^)]+\\) uses the results directory ${sb.resultsDir}; .*CLAUDEOPS_RESULTS_DIR`,
          ),
        );
      }
      assert.ok(
        !fs.existsSync(path.join(otherState.CLAUDEOPS_STATE_DIR, 'ledger.key')),
        'the second made no ledger key of its own',
      );
      assert.equal(summaryNames(sb.resultsDir).length, 1, 'only the first daemon ran a cycle');
      first.child.kill('SIGTERM');
      assert.equal((await first.done).code, 0);
      assert.ok(!fs.existsSync(path.join(sb.resultsDir, 'claudeops.lock')), 'the lock goes with the daemon');
      const verify = await run(['verify-receipts'], sb, 30_000);
      assert.equal(verify.code, 0, verify.stdout + verify.stderr);
      assert.match(verify.stdout, /^receipts OK/);
    } finally {
      first.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('the pinned CLI', () => {
  it('still knows every flag the argument builder uses', () => {
    const help = spawnSync(CLAUDE, ['--help'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
    });
    assert.equal(help.status, 0, help.stderr);
    for (const flag of CLAUDE_FLAGS)
      assert.match(help.stdout, new RegExp(`${flag}[ ,<\\[]`), `${flag} is no longer in claude --help`);
  });

  it('still knows every tool name the configuration accepts (it drops unknown ones without a word)', async () => {
    const api = new FakeApi(() => text('ok'));
    const url = await api.start();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-tools-'));
    try {
      const child = spawn(
        CLAUDE,
        [
          '--print',
          '--model',
          'haiku',
          '--output-format',
          'stream-json',
          '--verbose',
          '--strict-mcp-config',
          '--tools',
          [...CLAUDE_TOOLS, 'NoSuchTool'].join(','),
        ],
        {
          cwd: home,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: home,
            ANTHROPIC_BASE_URL: url,
            ANTHROPIC_API_KEY: 'x',
            CLAUDE_CODE_MAX_RETRIES: '0',
          },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      child.stdin.end('hi');
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await new Promise((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      const init = out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((e) => e.type === 'system' && e.subtype === 'init');
      const aliases: Record<string, string> = { Agent: 'Task', BashOutput: 'TaskOutput', KillShell: 'TaskStop' };
      const offered = new Set<string>(init.tools);
      for (const t of CLAUDE_TOOLS)
        assert.ok(offered.has(aliases[t] ?? t), `${t} is no longer a tool of the pinned CLI`);
      assert.ok(!offered.has('NoSuchTool'));
    } finally {
      await api.stop();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('rejects --prompt-file, which is why the prompt goes on stdin', () => {
    const r = spawnSync(CLAUDE, ['--print', '--prompt-file', 'x.md'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, ANTHROPIC_API_KEY: 'x' },
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown option '--prompt-file'/);
  });
});
