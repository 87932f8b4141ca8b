import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CycleRecord } from '../record/cycle-record.js';
import type { CheckEntry, Proposal } from '../store/records.js';
import { ago, checkPage, cyclePage, problemsFirst } from './pages.js';

const viewer = { actor: false, tokenSet: false };

test("a cycle's page shows the proposals it parked and the notifications it sent, a failed one as failed", () => {
  const cycle = {
    id: 'run-1',
    status: 'unhealthy',
    summary: 'db down',
    startedAt: '2026-12-01T10:00:00Z',
    durationMs: 1000,
    costUsd: 0,
    trigger: 'schedule',
    dryRun: false,
    escalations: [],
    warnings: [],
    tiers: [],
    checks: [],
    notifications: [
      { kind: 'check_down', key: 'site/db.md', ok: true, attempts: 1 },
      { kind: 'proposal', key: 'p-1', ok: false, attempts: 3, error: 'apprise exited 1' },
    ],
  } as unknown as CycleRecord;
  const proposal = {
    id: 'p-1',
    cycle: 'run-1',
    service: 'db',
    action: 'restart',
    why: 'it refuses connections',
    state: 'pending',
  } as Proposal;
  const page = cyclePage({ viewer, cycle, stories: {}, proposals: [proposal] });
  assert.match(page, /<h2>Proposals parked<\/h2>.*restart db<\/a>: it refuses connections/s);
  assert.match(page, /check_down <span class="muted">site\/db\.md<\/span> · sent/);
  assert.match(
    page,
    /proposal <span class="muted">p-1<\/span> · <span class="bad-text">failed after 3 attempt\(s\): apprise exited 1/,
  );
  const quiet = cyclePage({ viewer, cycle: { ...cycle, notifications: [] }, stories: {}, proposals: [] });
  assert.match(quiet, /No notification was sent\./);
  assert.doesNotMatch(quiet, /Proposals parked/);
  assert.doesNotMatch(quiet, /Started by/);
  const alerted = cyclePage({
    viewer,
    cycle: {
      ...cycle,
      trigger: 'alert',
      alerts: [
        {
          source: 'alertmanager',
          sender: 'alertmanager:ops',
          name: 'Db<Down>',
          fingerprint: 'f1',
          status: 'firing',
          startsAt: '2026-12-01T09:58:00Z',
          checks: ['site/db.md'],
        },
      ],
    },
    stories: {},
    proposals: [],
  });
  assert.match(
    alerted,
    /Started by alert <strong>Db&lt;Down&gt;<\/strong> \(alertmanager:ops, since 2026-12-01 09:58:00 UTC\) → site\/db\.md/,
  );
});

test('problems first, then by id; times as the largest whole unit', () => {
  const e = (status: string) => ({ status }) as never;
  assert.deepEqual(
    problemsFirst([
      ['b', e('healthy')],
      ['a', e('healthy')],
      ['z', e('unhealthy')],
      ['y', e('not_applicable')],
      ['x', e('unknown')],
      ['w', e('degraded')],
    ]).map(([id]) => id),
    ['z', 'w', 'x', 'y', 'a', 'b'],
  );
  const now = new Date('2026-12-02T12:00:00Z');
  assert.equal(ago('2026-12-02T11:59:30Z', now), '30 s');
  assert.equal(ago('2026-12-02T11:55:00Z', now), '5 min');
  assert.equal(ago('2026-12-02T09:00:00Z', now), '3 h');
  assert.equal(ago('2026-11-29T12:00:00Z', now), '3 d');
});

test("a check's page shows the agent's last findings, its services' remediations and proposals", () => {
  const entry: CheckEntry = {
    title: 'Database',
    services: ['db'],
    status: 'unhealthy',
    since: '2026-12-02T10:00:00Z',
    failures: 1,
    successes: 0,
    last: [{ at: '2026-12-02T10:00:00Z', cycle: 'run-1', status: 'unhealthy', tier: 2 }],
    hours: [],
  };
  const page = checkPage({
    viewer,
    id: 'site/db.md',
    entry,
    now: new Date('2026-12-02T11:00:00Z'),
    proposals: [
      {
        id: 'p-2',
        service: 'db',
        action: 'redeploy',
        why: 'the image is bad',
        state: 'pending',
        createdAt: '2026-12-02T10:00:00Z',
      } as Proposal,
    ],
    findings: 'The disk under /var/lib/postgresql is full.',
    remediations: [
      {
        service: 'db',
        action: 'restart',
        outcome: 'failed',
        detail: 'still refusing',
        cycle: 'run-1',
        at: '2026-12-02T10:00:00Z',
        tier: 2,
      },
    ],
  });
  assert.match(
    page,
    /The agent's last findings<\/h2><p class="findings">The disk under \/var\/lib\/postgresql is full\./,
  );
  assert.match(page, /tier 2: restart db → <span class="badge bad">failed<\/span> \(still refusing\)/);
  assert.match(page, /redeploy db<\/a> \(pending, 2026-12-02 10:00:00 UTC\): the image is bad/);
});

test("a check's page draws what its probe measured, and says the last, lowest and highest", () => {
  const at = (m: number) => `2026-12-02T10:0${m}:00Z`;
  const entry: CheckEntry = {
    title: 'Web',
    services: ['web'],
    status: 'healthy',
    since: at(0),
    failures: 0,
    successes: 3,
    last: [120, 80, 200].map((value, i) => ({
      at: at(i),
      cycle: `run-${i}`,
      status: 'healthy' as const,
      by: 'probe' as const,
      value,
      unit: 'ms',
    })),
    hours: [],
  };
  const page = checkPage({ viewer, id: 'site/web.md', entry, now: new Date(at(5)), proposals: [] });
  assert.match(page, /<h2>Response time<\/h2>/);
  assert.equal((page.match(/<circle /g) ?? []).length, 3);
  assert.match(page, /last 200 ms · lowest 80 · highest 200/);
  const plain = checkPage({
    viewer,
    id: 'site/web.md',
    entry: { ...entry, last: entry.last.map(({ value: _v, unit: _u, ...r }) => r) },
    now: new Date(at(5)),
    proposals: [],
  });
  assert.doesNotMatch(plain, /sparkline/);
});
