import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeApi, byModel, verdict } from '../fake-api.js';
import { ROOT, run, sandbox, start, verdictOf } from '../harness.js';

const hasDockerCompose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const hasApprise = spawnSync('apprise', ['--version']).status === 0;

describe('operator surface', () => {
  it(
    'docker-compose.yml passes `docker-compose config`',
    { skip: hasDockerCompose ? false : 'docker-compose is not installed (.ci/run installs it)' },
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-compose-'));
      fs.copyFileSync(path.join(ROOT, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
      fs.copyFileSync(path.join(ROOT, '.env.example'), path.join(dir, '.env'));
      const r = spawnSync('docker-compose', ['config'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /stop_grace_period: 40s/);
      assert.match(r.stdout, /\/repos:ro/);
      assert.match(r.stdout, /127\.0\.0\.1:9090:9090/);
      assert.match(r.stdout, /restart: unless-stopped/);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  );

  it('gives Docker a stop grace longer than the daemon’s own', () => {
    const compose = fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    const grace = Number(/stop_grace_period: (\d+)s/.exec(compose)?.[1]);
    assert.ok(grace > 25, `stop_grace_period ${grace}s must exceed CLAUDEOPS_SHUTDOWN_GRACE's default 25 s`);
  });

  it('`validate` lists every planted problem at once and exits 2', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start(), { CLAUDEOPS_TIER2_PROMPT: 'prompts/missing-tier2.md' });
    sb.addRepo('shop', { '.claude-ops/mcp.json': '{"mcpServers": {"db": {}}}' });
    try {
      const r = await run(['validate'], sb, 60_000);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout, /2 problems:/);
      assert.match(r.stdout, /CLAUDEOPS_TIER2_PROMPT: .*missing-tier2\.md cannot be read \(ENOENT\)/);
      assert.match(
        r.stdout,
        /shop\/\.claude-ops\/mcp\.json: server "db" left out: needs a "command" \(stdio\), or a "type" and a "url"/,
      );
      assert.match(r.stdout, /claude +.*2\.1\.\d+ \(Claude Code\)/);
      assert.equal(api.messages.length, 0);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it(
    '`validate` finds an Apprise URL that Apprise cannot parse, without showing it',
    { skip: hasApprise ? false : 'Debian’s apprise is not installed (.ci/run installs it)' },
    async () => {
      const api = new FakeApi(byModel({}));
      const sb = sandbox(await api.start(), {
        CLAUDEOPS_APPRISE_URLS: 'json://127.0.0.1:9/ok, bogus://user:s3cret-token@example',
      });
      try {
        const r = await run(['validate'], sb, 60_000);
        assert.equal(r.code, 2, r.stdout + r.stderr);
        assert.match(r.stdout, /Apprise understood 1 of 2 URL\(s\)/);
        assert.match(r.stdout, /CLAUDEOPS_APPRISE_URLS: Apprise cannot parse 1 of the 2 URL\(s\)/);
        assert.ok(!(r.stdout + r.stderr).includes('s3cret-token'));
      } finally {
        await api.stop();
        sb.cleanup();
      }
    },
  );

  it('`validate` passes on a good setup and prints what it found', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start(), { CLAUDEOPS_CHECKS_DISABLE: 'builtin/dns.md' }, { builtinChecks: true });
    try {
      const r = await run(['validate'], sb, 60_000);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /checks +4 check\(s\), 1 disabled by CLAUDEOPS_CHECKS_DISABLE/);
      assert.match(
        r.stdout,
        /builtin\/disk-space\.md +Disk space · service host-disk · severity critical · 2 probes\n/,
      );
      assert.match(
        r.stdout,
        /probes +2 of 4 check\(s\) have probes, run by the daemon each cycle \(10 s each\); while they pass, tier 1 reviews them every 24 h/,
      );
      assert.match(r.stdout, /builtin\/dns\.md +DNS resolution · service dns · severity critical · DISABLED/);
      assert.match(r.stdout, /results directory +.* \(writable\)/);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('/metrics counters move after a cycle, and /healthz is 200 while the scheduler runs', async () => {
    const api = new FakeApi(
      byModel({ haiku: [verdict(verdictOf('healthy', { checks: [{ id: 'site/web.md', status: 'healthy' }] }))] }),
    );
    const sb = sandbox(await api.start(), { CLAUDEOPS_HTTP_PORT: '0', CLAUDEOPS_INTERVAL: '3600' });
    sb.addRepo('site', {
      '.claude-ops/checks/web.md': '# Web\n\n- Service: web\n\n## How\ncurl\n\n## Healthy when\n200\n',
    });
    const daemon = start(['run'], sb, 60_000);
    try {
      await daemon.waitFor(/health and metrics on http:\/\/127\.0\.0\.1:\d+/, 20_000);
      const base = /health and metrics on (http:\/\/127\.0\.0\.1:\d+)/.exec(daemon.output())![1];
      await daemon.waitFor(/"msg":"cycle ended/, 30_000);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /claudeops_cycles_total\{status="healthy"\} 1/);
      assert.match(metrics, /claudeops_tier_runs_total\{tier="1",exit_class="ok"\} 1/);
      assert.match(metrics, /claudeops_cost_usd_total\{model="claude-haiku-4-5-20251001"\} 0\.\d+/);
      assert.match(metrics, /claudeops_tokens_total\{model="claude-haiku-4-5-20251001",kind="input"\} \d+/);
      assert.match(metrics, /claudeops_tier_run_duration_seconds_count\{tier="1"\} 1/);
      assert.match(metrics, /claudeops_last_cycle_status\{status="healthy"\} 1/);
      assert.match(metrics, /claudeops_check_status\{check="site\/web\.md",service="web"\} 0/);
      assert.match(
        metrics,
        /claudeops_remediations_total\{action="restart",outcome="succeeded"\} 0/,
        'counters exist at 0 from the start',
      );
      assert.match(metrics, /claudeops_cycles_total\{status="unhealthy"\} 0/);
      assert.match(metrics, /claudeops_process_cpu_user_seconds_total \d/);
      assert.ok(!metrics.includes('process_process_'), 'no doubled prefix');
      assert.match(metrics, /claudeops_consecutive_failed_cycles 0/);
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
      daemon.child.kill('SIGTERM');
      assert.equal((await daemon.done).code, 0);
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('operator mistakes are told, not passed over', () => {
  it('`validate`: a CLAUDEOPS_REPOS_DIR that does not exist is a problem naming it', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start());
    const typo = path.join(sb.root, 'repo');
    try {
      const r = await run(['validate'], sb, 60_000, { CLAUDEOPS_REPOS_DIR: typo });
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`repos +${typo} DOES NOT EXIST`));
      assert.match(
        r.stdout,
        new RegExp(
          `- CLAUDEOPS_REPOS_DIR="${typo}": the repos directory ${typo} does not exist, so no repo's checks would run; fix the path`,
        ),
      );
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('an empty CLAUDEOPS_TIER1_MODEL is a configuration error, listed with the others', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start(), { CLAUDEOPS_TIER1_MODEL: '', CLAUDEOPS_INTERVAL: 'hourly' });
    try {
      const r = await run(['once'], sb, 60_000);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /Configuration is invalid \(2 problems\)/);
      assert.match(r.stderr, /CLAUDEOPS_TIER1_MODEL="": set but empty/);
      assert.equal(api.messages.length, 0);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('`status N` refuses what is not a number of cycles; `verify-receipts` on a fresh install says there are none yet', async () => {
    const api = new FakeApi(byModel({}));
    const sb = sandbox(await api.start());
    try {
      for (const n of ['0', 'abc', '-3']) {
        const r = await run(['status', n], sb, 30_000);
        assert.equal(r.code, 2, `${n}: ${r.stdout}${r.stderr}`);
        assert.match(
          r.stderr,
          new RegExp(`claudeops status: "${n}" is not a number of cycles to show; give a whole number from 1 up`),
        );
        assert.equal(r.stdout, '');
      }
      const v = await run(['verify-receipts'], sb, 30_000);
      assert.equal(v.code, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /^no receipts yet in .*results: the daemon writes them as it runs cycles/);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it("`npm start --silent` (the README's run command) prints only the daemon’s JSON lines, no npm banner", async () => {
    const api = new FakeApi(byModel({ haiku: [verdict(verdictOf('healthy'))] }));
    const sb = sandbox(await api.start(), { CLAUDEOPS_INTERVAL: '3600' });
    // The package as it is, but its build already done (dist/ is the suite's own).
    const pkg = path.join(sb.root, 'pkg');
    fs.mkdirSync(pkg);
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    manifest.scripts.build = 'true';
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify(manifest));
    fs.symlinkSync(path.join(ROOT, 'dist'), path.join(pkg, 'dist'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: pkg,
      env: { ...sb.env, PATH: process.env.PATH ?? '' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    npm.stdout.on('data', (d) => (stdout += d));
    npm.stderr.on('data', (d) => (stderr += d));
    const ended = new Promise<void>((resolve) => npm.on('close', () => resolve()));
    const deadline = Date.now() + 90_000;
    try {
      while (!/"msg":"cycle ended/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.match(stdout, /"msg":"cycle ended healthy/, stdout + stderr);
      process.kill(-npm.pid!, 'SIGTERM');
      await ended;
      const lines = stdout.split('\n').filter(Boolean);
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not JSON: ${line}`);
      assert.equal(stderr, '');
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      await api.stop();
      sb.cleanup();
    }
  });
});
