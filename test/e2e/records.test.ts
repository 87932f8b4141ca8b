import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeApi, byModel, toolUse, verdict } from '../fake-api.js';
import { cycleSummaries, ledger as ledgerOf, read, refusingPort, run, sandbox } from '../harness.js';
import { Receiver } from '../receiver.js';

const hasApprise = spawnSync('apprise', ['--version']).status === 0;
const appriseSkip = hasApprise ? false : 'Debian’s apprise is not installed (.ci/run installs it)';

const CHECK_ID = 'site/http.md';
const httpCheck = (extra = '') =>
  `# HTTP endpoints\n\n- Service: web\n- Severity: critical\n${extra}\n## How\ncurl -sS https://web.example/healthz\n\n## Healthy when\n200 within 2 s\n`;

const webIs = (status: 'healthy' | 'unhealthy') =>
  verdict({
    status,
    summary: status === 'healthy' ? 'web answers 200 again.' : 'web answers 502.',
    escalate: false,
    checks: [{ id: CHECK_ID, status, service: 'web', detail: status === 'healthy' ? '200 in 0.1 s' : '502 in 0.3 s' }],
  });

const summaries = cycleSummaries;

describe('cycle summary and receipts', () => {
  it('records every field with the figures the API usage implies, and a verifiable ledger', async () => {
    const api = new FakeApi(
      byModel({
        haiku: [toolUse('Bash', { command: 'echo ok' }), toolUse('Bash', { command: 'echo again' }), webIs('healthy')],
      }),
    );
    const sb = sandbox(await api.start());
    sb.addRepo('site', { '.claude-ops/checks/http.md': httpCheck() });
    try {
      const r = await run(['once'], sb, 120_000);
      assert.equal(r.code, 0, r.stdout.slice(-2000));
      const [s] = summaries(sb.resultsDir);
      for (const key of [
        'id',
        'startedAt',
        'endedAt',
        'durationMs',
        'trigger',
        'dryRun',
        'status',
        'summary',
        'tiers',
        'escalations',
        'costUsd',
        'notifications',
        'mcpServers',
        'warnings',
        'checks',
        'checkChanges',
      ])
        assert.ok(key in s, `missing ${key}`);
      assert.deepEqual(s.checks, [
        {
          id: CHECK_ID,
          title: 'HTTP endpoints',
          status: 'healthy',
          services: ['web'],
          detail: '200 in 0.1 s',
          tier: 1,
          severity: 'critical',
        },
      ]);
      const state = JSON.parse(read(path.join(sb.stateDir, 'checks.json')));
      assert.equal(state.checks[CHECK_ID].status, 'healthy');
      assert.equal(state.checks[CHECK_ID].last.length, 1);
      assert.deepEqual(
        state.checks[CHECK_ID].hours.map((h: number[]) => h.slice(1)),
        [[1, 1]],
      );
      assert.equal(s.trigger, 'once');
      assert.equal(s.dryRun, false);
      assert.equal(s.status, 'healthy');
      const t = s.tiers[0];
      assert.equal(t.model, 'haiku');
      assert.equal(t.exitClass, 'ok');
      assert.equal(t.verdict.status, 'healthy');
      assert.equal(t.summary, 'web answers 200 again.');
      assert.deepEqual(t.toolsUsed, { Bash: 2 });
      assert.deepEqual(t.permissionDenials, []);
      assert.equal(t.turns, 4);
      assert.ok(t.durationMs > 0);
      // The fake reports 1000 input and 50 output tokens per response; three responses at Haiku 4.5 prices.
      const usage = t.modelUsage['claude-haiku-4-5-20251001'];
      assert.equal(usage.inputTokens, 3000);
      assert.equal(usage.outputTokens, 150);
      assert.ok(Math.abs(t.costUsd - (3000 * 1 + 150 * 5) / 1e6) < 1e-9, `cost ${t.costUsd}`);
      assert.equal(s.costUsd, t.costUsd);
      assert.match(t.logFile, /^run-\d{8}-\d{6}-tier1\.log$/);
      assert.ok(
        fs.existsSync(path.join(sb.resultsDir, t.logFile)) && fs.existsSync(path.join(sb.resultsDir, t.eventsFile)),
      );

      const ledger = ledgerOf(sb.resultsDir);
      assert.equal(ledger.length, 1);
      assert.equal(ledger[0].kind, 'tier_run');
      assert.equal(ledger[0].cost_usd, t.costUsd);
      assert.equal((await run(['verify-receipts'], sb, 30_000)).code, 0);

      const status = await run(['status'], sb, 30_000);
      assert.equal(status.code, 0);
      assert.match(status.stdout, /HEALTHY +1 +\$0\.0037 .*web answers 200 again\./);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('verify-receipts fails at an edited or deleted middle line', async () => {
    const api = new FakeApi(byModel({ haiku: [webIs('healthy'), webIs('healthy'), webIs('healthy')] }));
    const sb = sandbox(await api.start());
    try {
      for (let i = 0; i < 3; i++) assert.equal((await run(['once'], sb, 60_000)).code, 0);
      const file = path.join(sb.resultsDir, 'receipts.ndjson');
      const original = read(file);
      assert.equal((await run(['verify-receipts'], sb, 30_000)).code, 0);
      const lines = original.trim().split('\n');
      fs.writeFileSync(
        file,
        [lines[0], lines[1]!.replace('"exit_class":"ok"', '"exit_class":"server"'), lines[2]].join('\n') + '\n',
      );
      const edited = await run(['verify-receipts'], sb, 30_000);
      assert.equal(edited.code, 1);
      assert.match(edited.stdout, /BROKEN at .*receipts\.ndjson line 2: its MAC does not match its content/);
      fs.writeFileSync(file, [lines[0], lines[2]].join('\n') + '\n');
      const deleted = await run(['verify-receipts'], sb, 30_000);
      assert.equal(deleted.code, 1);
      assert.match(deleted.stdout, /line 2: its prev_hash does not match/);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });

  it('skips the next cycle when the daily budget is reached, and says why', async () => {
    const api = new FakeApi(byModel({ haiku: [webIs('healthy'), webIs('healthy')] }));
    const sb = sandbox(await api.start(), { CLAUDEOPS_DAILY_BUDGET_USD: '0.001' });
    try {
      assert.equal((await run(['once'], sb, 60_000)).code, 0);
      const requests = api.messages.length;
      const second = await run(['once'], sb, 60_000);
      assert.equal(second.code, 3);
      assert.equal(api.messages.length, requests, 'no API call for the skipped cycle');
      const s = summaries(sb.resultsDir);
      assert.equal(s[1].status, 'skipped');
      assert.match(
        s[1].skippedReason,
        /the daily budget of \$0\.001 is reached \(\$0\.0013 spent on \d{4}-\d\d-\d\d UTC\); cycles resume at 00:00 UTC/,
      );
      assert.match(second.stdout, /cycle skipped: the daily budget/);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('notifications through the real Apprise CLI', { skip: appriseSkip }, () => {
  it('tells a check going unhealthy once, stays quiet while it stays so, and tells its recovery', async () => {
    const receiver = new Receiver();
    const url = await receiver.start();
    const api = new FakeApi(byModel({ haiku: [webIs('unhealthy'), webIs('unhealthy'), webIs('healthy')] }));
    const sb = sandbox(await api.start(), { CLAUDEOPS_APPRISE_URLS: url });
    sb.addRepo('site', { '.claude-ops/checks/http.md': httpCheck() });
    try {
      assert.equal((await run(['once'], sb, 60_000)).code, 1);
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0]!.title, 'claudeops: web (HTTP endpoints) is unhealthy');
      assert.match(
        receiver.received[0]!.message,
        /502 in 0\.3 s\nSince .*\.\nCheck site\/http\.md\.\nLog: .*run-\d{8}-\d{6}-tier1\.log/,
      );
      assert.equal(receiver.received[0]!.type, 'failure');

      assert.equal((await run(['once'], sb, 60_000)).code, 1);
      assert.equal(receiver.received.length, 1, 'the same state is not told again');

      assert.equal((await run(['once'], sb, 60_000)).code, 0);
      assert.equal(receiver.received.length, 2);
      assert.equal(receiver.received[1]!.title, 'claudeops: web (HTTP endpoints) resolved');
      assert.equal(receiver.received[1]!.type, 'success');

      const s = summaries(sb.resultsDir);
      assert.deepEqual(
        s.map((x) => x.notifications.length),
        [1, 0, 1],
      );
      assert.deepEqual(s[0].notifications[0], { kind: 'unhealthy', key: CHECK_ID, ok: true, attempts: 1 });
      const ledger = ledgerOf(sb.resultsDir);
      assert.deepEqual(
        ledger.map((l) => l.kind),
        ['tier_run', 'notification', 'tier_run', 'tier_run', 'notification'],
      );
      assert.equal((await run(['verify-receipts'], sb, 30_000)).code, 0);
    } finally {
      await api.stop();
      await receiver.stop();
      sb.cleanup();
    }
  });

  it('records a failing Apprise URL, retried once, and the cycle goes on', async () => {
    const refusing = await refusingPort();
    const closed = refusing.port;
    const api = new FakeApi(byModel({ haiku: [webIs('unhealthy')] }));
    const sb = sandbox(await api.start(), { CLAUDEOPS_APPRISE_URLS: `json://127.0.0.1:${closed}/nobody` });
    sb.addRepo('site', { '.claude-ops/checks/http.md': httpCheck() });
    try {
      const r = await run(['once'], sb, 120_000);
      assert.equal(r.code, 1, 'the cycle still ends with its verdict');
      const [s] = summaries(sb.resultsDir);
      assert.equal(s.notifications.length, 1);
      assert.equal(s.notifications[0].ok, false);
      assert.equal(s.notifications[0].attempts, 2);
      assert.match(s.notifications[0].error, /^exit \d+/);
      assert.match(r.stdout, /notification failed after 2 attempts/);
      const ledger = ledgerOf(sb.resultsDir);
      assert.equal(ledger[1].kind, 'notification');
      assert.equal(ledger[1].ok, false);
    } finally {
      refusing.release();
      await api.stop();
      sb.cleanup();
    }
  });

  it('pages nobody for a flaky check below its failure threshold, and pages once it holds', async () => {
    const receiver = new Receiver();
    const url = await receiver.start();
    const api = new FakeApi(
      byModel({ haiku: [webIs('unhealthy'), webIs('healthy'), webIs('unhealthy'), webIs('unhealthy')] }),
    );
    const sb = sandbox(await api.start(), { CLAUDEOPS_APPRISE_URLS: url });
    sb.addRepo('site', { '.claude-ops/checks/http.md': httpCheck('- Failure threshold: 2\n') });
    try {
      const outputs: string[] = [];
      for (const expected of [1, 0, 1]) {
        const r = await run(['once'], sb, 60_000);
        outputs.push(r.stdout);
        assert.equal(r.code, expected, r.stdout.slice(-3000));
      }
      assert.equal(receiver.received.length, 0, 'one bad run at a time pages nobody');
      const state = JSON.parse(read(path.join(sb.stateDir, 'checks.json')));
      assert.equal(state.checks[CHECK_ID].status, 'healthy', 'the check still counts as healthy');
      assert.deepEqual(
        state.checks[CHECK_ID].last.map((r: { status: string }) => r.status),
        ['unhealthy', 'healthy', 'unhealthy'],
        outputs.at(-1)!.slice(-4000),
      );
      assert.equal((await run(['once'], sb, 60_000)).code, 1);
      assert.equal(receiver.received.length, 1, 'the second bad run in a row pages');
      assert.equal(receiver.received[0]!.title, 'claudeops: web (HTTP endpoints) is unhealthy');
      assert.deepEqual(
        summaries(sb.resultsDir).map((x) => x.checkChanges.length),
        [0, 0, 0, 1],
      );
    } finally {
      await api.stop();
      await receiver.stop();
      sb.cleanup();
    }
  });
});
