// Alerts in, memory across cycles: a monitoring alert starts a targeted cycle of the
// real daemon and CLI, and what one cycle learned reaches the next cycle's tier 2.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FakeApi,
  lastToolResult,
  modelOf,
  slowly,
  text,
  userText,
  verdict,
  type Reply,
  type Script,
} from '../fake-api.js';
import { cycleSummaries, httpPort, idle, ledger, run, sandbox, start, verdictOf } from '../harness.js';

const ALERTS_TOKEN = 'alerts-token-0123456789abcdef';
const CONSOLE_TOKEN = 'console-token-0123456789abcdef';

/** One reply per tier run and model family, in order; the CLI's follow-up after the verdict gets plain text. */
function perRun(lists: Record<string, Reply[]>): Script {
  const cursor = new Map<string, number>();
  return (req) => {
    if (lastToolResult(req) !== undefined) return text('done');
    const key = Object.keys(lists).find((k) => modelOf(req).includes(k));
    if (!key) return text('(fake: no script for this model)');
    const i = cursor.get(key) ?? 0;
    cursor.set(key, i + 1);
    return lists[key]![i] ?? text('(fake: script exhausted)');
  };
}

/** The requests that opened a tier run (not the CLI's follow-ups), of one model family. */
const runsOf = (api: FakeApi, family: string) =>
  api.messages.filter((r) => modelOf(r).includes(family) && lastToolResult(r) === undefined);

const WEB = '# Web\n\n- Service: web\n- Alert labels: job=web\n\n## How\ncurl web\n\n## Healthy when\n200\n';
const DB = '# Database\n\n- Service: db\n\n## How\npg_isready\n\n## Healthy when\naccepting\n';

const alertmanager = (status: 'firing' | 'resolved') => ({
  version: '4',
  groupKey: '{}:{alertname="HighLatency"}',
  status,
  receiver: 'claudeops',
  groupLabels: { alertname: 'HighLatency' },
  commonLabels: { alertname: 'HighLatency', job: 'web' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager.local',
  alerts: [
    {
      status,
      labels: { alertname: 'HighLatency', job: 'web', severity: 'page' },
      annotations: { description: 'p99 latency on web is 4.2 s (ANNOTATION-MARK-7731)' },
      startsAt: '2026-12-02T03:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.local/graph',
      fingerprint: 'a1b2c3d4e5f60708',
    },
  ],
});

const post = (base: string, token: string, body: unknown) =>
  fetch(`${base}/api/v1/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });

describe('alerts: POST /api/v1/alerts', () => {
  it('starts a cycle on the matching check only, with the annotation as evidence; a repeat within the window and a wrong token start nothing', async () => {
    const healthy = (ids: string[]) =>
      verdict(verdictOf('healthy', { checks: ids.map((id) => ({ id, status: 'healthy' })) }));
    const api = new FakeApi(
      perRun({ haiku: [healthy(['site/web.md', 'site/db.md']), healthy(['site/web.md']), healthy(['site/web.md'])] }),
    );
    const sb = sandbox(await api.start(), {
      CLAUDEOPS_HTTP_PORT: '0',
      CLAUDEOPS_INTERVAL: '3600',
      CLAUDEOPS_ALERTS_TOKEN: ALERTS_TOKEN,
      CLAUDEOPS_CONSOLE_TOKEN: CONSOLE_TOKEN,
    });
    sb.addRepo('site', { '.claude-ops/checks/web.md': WEB, '.claude-ops/checks/db.md': DB });
    const daemon = start(['run'], sb, 240_000);
    try {
      const base = `http://127.0.0.1:${await httpPort(daemon, 20_000)}`;
      await daemon.waitFor(/"msg":"cycle ended/, 60_000);
      await idle(base, 30_000);
      const before = { runs: runsOf(api, 'haiku').length, receipts: ledger(sb.resultsDir).length };

      for (const token of [CONSOLE_TOKEN, 'not-the-token-at-all-0000']) {
        const refused = await post(base, token, alertmanager('firing'));
        assert.equal(refused.status, 401, `token ${token.slice(0, 8)}… is refused`);
      }
      assert.equal(ledger(sb.resultsDir).length, before.receipts, 'a refused caller records nothing');

      const first = await post(base, ALERTS_TOKEN, alertmanager('firing'));
      assert.equal(first.status, 202);
      assert.deepEqual(await first.json(), {
        outcome: 'started',
        alerts: [{ name: 'HighLatency', fingerprint: 'a1b2c3d4e5f60708', outcome: 'start' }],
      });
      await idle(base, 60_000);
      const runs = runsOf(api, 'haiku');
      assert.equal(runs.length, before.runs + 1, 'the alert started one tier-1 run');
      const prompt = userText(runs.at(-1)!);
      assert.match(prompt, /id `site\/web\.md`/);
      assert.doesNotMatch(prompt, /site\/db\.md/, 'the check the alert does not name is not handed out');
      assert.match(prompt, /ANNOTATION-MARK-7731/);
      assert.match(
        prompt,
        /"HighLatency" from Alertmanager \("alertmanager:claudeops"\), firing since "2026-12-02T03:00:00Z"/,
      );

      const again = await post(base, ALERTS_TOKEN, alertmanager('firing'));
      assert.equal(again.status, 202);
      assert.equal(((await again.json()) as { outcome: string }).outcome, 'nothing to start');
      await new Promise((r) => setTimeout(r, 1_500));
      await idle(base, 30_000);
      assert.equal(runsOf(api, 'haiku').length, before.runs + 1, 'the repeat within the window started nothing');

      const resolved = await post(base, ALERTS_TOKEN, alertmanager('resolved'));
      assert.equal(((await resolved.json()) as { alerts: { outcome: string }[] }).alerts[0]!.outcome, 'resolved');

      const summaries = cycleSummaries(sb.resultsDir);
      const alerted = summaries.filter((s) => s.trigger === 'alert');
      assert.equal(alerted.length, 1);
      assert.deepEqual(alerted[0].alerts[0].checks, ['site/web.md']);
      assert.deepEqual(
        alerted[0].checks.map((c: { id: string }) => c.id),
        ['site/web.md'],
      );
      const db = (await (await fetch(`${base}/api/v1/checks`)).json()) as { checks: { id: string; status: string }[] };
      assert.equal(db.checks.find((c) => c.id === 'site/db.md')?.status, 'healthy', 'the other check keeps its state');

      const recorded = ledger(sb.resultsDir).filter((r) => r.kind === 'alert');
      assert.deepEqual(
        recorded.map((r) => [r.outcome, (r.alerts as { outcome: string }[])[0]!.outcome]),
        [
          ['started', 'start'],
          ['nothing to start', 'duplicate'],
          ['nothing to start', 'resolved'],
        ],
      );
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /claudeops_cycles_by_trigger_total\{trigger="alert"\} 1/);
      assert.match(metrics, /claudeops_alerts_total\{source="alertmanager",outcome="start"\} 1/);
      assert.match(metrics, /claudeops_alerts_total\{source="alertmanager",outcome="duplicate"\} 1/);

      const bad = await post(base, ALERTS_TOKEN, { alerts: [{ labels: { job: 3 } }] });
      assert.equal(bad.status, 400);
      assert.ok(((await bad.json()) as { problems: string[] }).problems.length >= 2, 'every problem at once');
      daemon.child.kill('SIGTERM');
      assert.equal((await daemon.done).code, 0);
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('alerts: behind a running cycle', () => {
  it("join an operator's queued Run now as context: that cycle still looks at every check", async () => {
    const healthy = (ids: string[], ms = 0) =>
      slowly(ms, verdict(verdictOf('healthy', { checks: ids.map((id) => ({ id, status: 'healthy' })) })));
    const both = ['site/web.md', 'site/db.md'];
    const api = new FakeApi(perRun({ haiku: [healthy(both, 4_000), healthy(both)] }));
    const sb = sandbox(await api.start(), {
      CLAUDEOPS_HTTP_PORT: '0',
      CLAUDEOPS_INTERVAL: '3600',
      CLAUDEOPS_ALERTS_TOKEN: ALERTS_TOKEN,
      CLAUDEOPS_CONSOLE_TOKEN: CONSOLE_TOKEN,
    });
    sb.addRepo('site', { '.claude-ops/checks/web.md': WEB, '.claude-ops/checks/db.md': DB });
    const daemon = start(['run'], sb, 180_000);
    try {
      const base = `http://127.0.0.1:${await httpPort(daemon, 20_000)}`;
      await daemon.waitFor(/"msg":"tier 1 started|"msg":"found \d+ check/, 60_000);
      const runNow = await fetch(`${base}/actions/run-now`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CONSOLE_TOKEN}` },
      });
      assert.deepEqual(await runNow.json(), { outcome: 'queued' });
      const posted = await post(base, ALERTS_TOKEN, alertmanager('firing'));
      assert.equal(((await posted.json()) as { outcome: string }).outcome, 'queued');
      await daemon.waitFor(/"msg":"cycle ended[^]*"msg":"cycle ended/, 90_000);
      await idle(base, 60_000);
      const runs = runsOf(api, 'haiku');
      assert.equal(runs.length, 2, 'one cycle for the Run now and the alert together');
      const prompt = userText(runs[1]!);
      assert.match(prompt, /id `site\/web\.md`/);
      assert.match(prompt, /id `site\/db\.md`/, "the operator's cycle hands out every check");
      assert.match(prompt, /ANNOTATION-MARK-7731/);
      assert.match(prompt, /every check is handed out, as an operator asked for them all/);
      const [, second] = cycleSummaries(sb.resultsDir).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
      assert.equal(second.trigger, 'operator');
      assert.deepEqual(second.alerts[0].checks, ['site/web.md']);
      daemon.child.kill('SIGTERM');
      assert.equal((await daemon.done).code, 0);
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('memory: what one cycle learned reaches the next', () => {
  it('a verified restart is a note in the next tier-2 request; a failed one lowers it; a deleted note is gone', async () => {
    const web = (status: string, detail: string) => ({ id: 'site/web.md', status, detail });
    const down = verdict(verdictOf('unhealthy', { escalate: true, checks: [web('unhealthy', 'web returns 502')] }));
    const fixed = verdict(
      verdictOf('healthy', {
        checks: [web('healthy', '200 after the restart')],
        remediations: [
          { service: 'web', action: 'restart', outcome: 'succeeded', detail: 'NOTE-MARK-5521 stale pool' },
        ],
      }),
    );
    const notFixed = verdict(
      verdictOf('unhealthy', {
        checks: [web('unhealthy', 'still 502')],
        remediations: [{ service: 'web', action: 'restart', outcome: 'failed', detail: 'restart did not help' }],
      }),
    );
    const looked = verdict(verdictOf('unhealthy', { checks: [web('unhealthy', 'still 502')] }));
    const api = new FakeApi(perRun({ haiku: [down, down, down], sonnet: [fixed, notFixed, looked] }));
    const sb = sandbox(await api.start(), {
      CLAUDEOPS_HTTP_PORT: '0',
      CLAUDEOPS_INTERVAL: '3600',
      CLAUDEOPS_CONSOLE_TOKEN: CONSOLE_TOKEN,
      CLAUDEOPS_COOLDOWN_MAX_RESTARTS: '10',
    });
    sb.addRepo('site', { '.claude-ops/checks/web.md': WEB });
    const daemon = start(['run'], sb, 300_000);
    const auth = { authorization: `Bearer ${CONSOLE_TOKEN}` };
    const notes = async (base: string) =>
      (
        (await (await fetch(`${base}/api/v1/notes?check=site/web.md`, { headers: auth })).json()) as {
          notes: { id: string; kind: string; text: string; confidence: number }[];
        }
      ).notes.filter((n) => n.kind === 'fix');
    const runNow = async (base: string) => {
      assert.equal((await fetch(`${base}/actions/run-now`, { method: 'POST', headers: auth })).status, 202);
      await new Promise((r) => setTimeout(r, 300));
      await idle(base, 120_000);
    };
    try {
      const base = `http://127.0.0.1:${await httpPort(daemon, 20_000)}`;
      await daemon.waitFor(/"msg":"cycle ended/, 90_000);
      await idle(base, 60_000);
      assert.doesNotMatch(userText(runsOf(api, 'sonnet')[0]!), /NOTE-MARK-5521/, 'cycle 1 starts from nothing');
      const [kept] = await notes(base);
      assert.ok(kept, 'the verified restart is a note');
      assert.match(kept.text, /restart fixed it.*NOTE-MARK-5521/);

      await runNow(base);
      const second = userText(runsOf(api, 'sonnet')[1]!);
      assert.match(second, /What earlier cycles learned/);
      assert.match(second, /NOTE-MARK-5521/, "cycle 2's tier 2 is told what fixed web last time");
      const [lowered] = await notes(base);
      assert.ok(lowered!.confidence < kept.confidence, `the failed restart lowers it: ${lowered!.confidence}`);

      const deleted = await fetch(`${base}/actions/note`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ id: kept.id, verb: 'delete' }).toString(),
      });
      assert.equal(deleted.status, 200);
      assert.deepEqual(await notes(base), []);
      const receipt = ledger(sb.resultsDir).find((r) => r.kind === 'note_changed');
      assert.equal(receipt?.verb, 'delete');
      assert.equal(receipt?.note, kept.id);

      await runNow(base);
      assert.doesNotMatch(userText(runsOf(api, 'sonnet')[2]!), /NOTE-MARK-5521/, 'the deleted note is gone');
      daemon.child.kill('SIGTERM');
      assert.equal((await daemon.done).code, 0);
    } finally {
      daemon.child.kill('SIGKILL');
      await api.stop();
      sb.cleanup();
    }
  });
});

describe('alerts: validate', () => {
  it('shows the endpoint and the memory budget, and names an alerts token that opens the console or reaches nothing', async () => {
    const api = new FakeApi(perRun({}));
    const url = await api.start();
    const good = sandbox(url, { CLAUDEOPS_ALERTS_TOKEN: ALERTS_TOKEN, CLAUDEOPS_CONSOLE_TOKEN: CONSOLE_TOKEN });
    const bad = sandbox(url, { CLAUDEOPS_ALERTS_TOKEN: CONSOLE_TOKEN, CLAUDEOPS_CONSOLE_TOKEN: CONSOLE_TOKEN });
    good.addRepo('site', { '.claude-ops/checks/web.md': WEB });
    try {
      good.env.CLAUDEOPS_HTTP_PORT = '9191';
      const ok = await run(['validate'], good, 60_000);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(
        ok.stdout,
        /alerts +POST \/api\/v1\/alerts on port 9191 · a fingerprint starts nothing again for 1800 s/,
      );
      assert.match(ok.stdout, /memory +2048 bytes of notes a prompt · unpinned notes halve every 14 d/);
      const r = await run(['validate'], bad, 60_000);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stdout, /CLAUDEOPS_ALERTS_TOKEN is set but CLAUDEOPS_HTTP_PORT is off/);
      assert.match(r.stdout, /CLAUDEOPS_ALERTS_TOKEN is the same as a console token/);
      assert.ok(!r.stdout.includes(CONSOLE_TOKEN), 'the token itself is never printed');
    } finally {
      await api.stop();
      good.cleanup();
      bad.cleanup();
    }
  });
});
