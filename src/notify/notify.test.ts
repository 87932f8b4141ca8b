import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, type Config } from '../config/config.js';
import { emptyHolds, type Holds } from '../store/records.js';
import { makeLinker, type Linker } from '../approval/links.js';
import type { CycleRecord, CycleStatus } from '../record/cycle-record.js';
import type { TierRun } from '../tier/fold.js';
import type { Verdict } from '../verdict/verdict.js';
import { applyResults } from '../checks/check-state.js';
import { emptyCheckState, type CheckState } from '../store/records.js';
import { parseCheckFile } from '../checks/check-file.js';
import type { CheckDef } from '../checks/check-set.js';
import { checkResults } from '../checks/results.js';
import { planNotifications, QUOTE } from './notify.js';
import { emptyNotifyState, type NotifyState } from '../store/records.js';

const config = loadConfig(
  { ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_NOTIFY_FAILURES: '2', CLAUDEOPS_NOTIFY_REMIND: '3600' },
  fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-n-')),
).config;

const webCheck = (over: Partial<CheckDef> = {}): CheckDef => ({
  id: 'infra/web.md',
  repo: 'infra',
  file: '/repos/infra/.claude-ops/checks/web.md',
  title: 'Web',
  services: ['web'],
  parsed: parseCheckFile('# Web'),
  ...over,
});

function cycle(status: CycleStatus, verdict?: Verdict, exitClass = 'ok'): CycleRecord {
  const run = {
    tier: 1,
    model: 'haiku',
    logFile: 'run-x-tier1.log',
    exitClass,
    verdict,
    error: exitClass === 'ok' ? undefined : `${exitClass} happened`,
  } as TierRun;
  return {
    id: 'run-x',
    status,
    summary: 's',
    tiers: [run],
    notifications: [],
    checks: [],
    checkChanges: [],
  } as unknown as CycleRecord;
}
const web = (status: 'healthy' | 'unhealthy' | 'unknown' | 'degraded'): Verdict => ({
  status: status === 'unhealthy' ? 'unhealthy' : 'healthy',
  summary: '',
  escalate: false,
  checks: status === 'unknown' ? [] : [{ id: 'infra/web.md', status, detail: `web is ${status}` }],
});

/** Runs cycles through the daemon's own steps (judge, thresholds, plan) and lists what was sent. */
function sequence(
  cycles: [CycleRecord, number][],
  checks: CheckDef[] = [webCheck()],
  opts: { config?: Config; holds?: (since: string | undefined) => Holds; links?: Linker; bodies?: string[] } = {},
): string[][] {
  let state: NotifyState = emptyNotifyState();
  let checkState: CheckState = emptyCheckState();
  return cycles.map(([c, minutes]) => {
    const now = new Date(Date.UTC(2026, 10, 21, 0, minutes));
    c.checks = c.tiers[0]!.verdict ? checkResults(checks, c.tiers) : [];
    const byId = new Map(checks.map((d) => [d.id, d]));
    const applied = applyResults(
      checkState,
      c.checks,
      (id) => ({ failure: byId.get(id)?.failureThreshold ?? 1, success: byId.get(id)?.successThreshold ?? 1 }),
      c.id,
      now,
    );
    checkState = applied.next;
    c.checkChanges = applied.transitions;
    const { messages, next } = planNotifications(state, c, checkState, opts.config ?? config, now, {
      holds: opts.holds?.(checkState.checks['infra/web.md']?.since),
      links: opts.links,
    });
    opts.bodies?.push(...messages.map((m) => m.body));
    state = next;
    return messages.map((m) => `${m.kind}:${m.key}`);
  });
}

describe('notification planning', () => {
  it('reminds about a still-unhealthy key only after CLAUDEOPS_NOTIFY_REMIND', () => {
    assert.deepEqual(
      sequence([
        [cycle('unhealthy', web('unhealthy')), 0],
        [cycle('unhealthy', web('unhealthy')), 30],
        [cycle('unhealthy', web('unhealthy')), 61],
        [cycle('unhealthy', web('unhealthy')), 90],
      ]),
      [['unhealthy:infra/web.md'], [], ['reminder:infra/web.md'], []],
    );
  });

  it('tells the daemon’s own trouble once at N failed cycles, and when it is over', () => {
    const failed = cycle('failed', undefined, 'server');
    assert.deepEqual(
      sequence([
        [failed, 0],
        [failed, 1],
        [failed, 2],
        [cycle('healthy', web('healthy')), 3],
      ]),
      [[], ['daemon:claudeops'], [], ['resolved:claudeops']],
    );
  });

  it('tells an auth failure at once, not again while it lasts', () => {
    const auth = cycle('failed', undefined, 'auth');
    assert.deepEqual(
      sequence([
        [auth, 0],
        [auth, 1],
      ]),
      [['auth:claudeops'], ['daemon:claudeops']],
    );
  });

  it('tells a remediation performed, but not a dry-run one', () => {
    const v = (outcome: 'succeeded' | 'dry-run'): Verdict => ({
      ...web('healthy'),
      remediations: [{ service: 'web', action: 'restart', outcome }],
    });
    assert.deepEqual(
      sequence([
        [cycle('healthy', v('succeeded')), 0],
        [cycle('healthy', v('dry-run')), 1],
      ]),
      [['remediation:web'], []],
    );
  });

  it('tells nothing for a healthy key that was never unhealthy', () => {
    assert.deepEqual(sequence([[cycle('healthy', web('healthy')), 0]]), [[]]);
  });

  it('never resolves a check because it went unreported: only a good result resolves it', () => {
    assert.deepEqual(
      sequence([
        [cycle('unhealthy', web('unhealthy')), 0],
        [cycle('incomplete', web('unknown')), 1],
        [cycle('incomplete', web('unknown')), 2],
        [cycle('degraded', web('degraded')), 3],
      ]),
      [['unhealthy:infra/web.md'], [], [], ['resolved:infra/web.md']],
    );
  });

  it('pages nobody for a flaky check below its failure threshold, and pages at the threshold', () => {
    const flaky = [webCheck({ failureThreshold: 2, successThreshold: 2 })];
    const seq = (s: 'healthy' | 'unhealthy', m: number): [CycleRecord, number] => [cycle(s, web(s)), m];
    assert.deepEqual(
      sequence([seq('unhealthy', 0), seq('healthy', 1), seq('unhealthy', 2), seq('healthy', 3)], flaky),
      [[], [], [], []],
    );
    assert.deepEqual(
      sequence(
        [
          seq('unhealthy', 0),
          seq('unhealthy', 1),
          seq('healthy', 2),
          seq('unhealthy', 3),
          seq('healthy', 4),
          seq('healthy', 5),
        ],
        flaky,
      ),
      [[], ['unhealthy:infra/web.md'], [], [], [], ['resolved:infra/web.md']],
    );
  });

  it('keeps checks whose ids are Object.prototype names apart', () => {
    const odd = ['__proto__', 'constructor'].map((id) => webCheck({ id, title: id }));
    const v = (status: 'healthy' | 'unhealthy'): Verdict => ({
      status,
      summary: '',
      escalate: false,
      checks: odd.map((c) => ({ id: c.id, status })),
    });
    const out = sequence(
      [
        [cycle('unhealthy', v('unhealthy')), 0],
        [cycle('unhealthy', v('unhealthy')), 1],
        [cycle('unhealthy', v('unhealthy')), 2],
        [cycle('healthy', v('healthy')), 3],
      ],
      odd,
    );
    assert.deepEqual(out, [
      ['unhealthy:__proto__', 'unhealthy:constructor'],
      [],
      [],
      ['resolved:__proto__', 'resolved:constructor'],
    ]);
  });

  it('sends no reminder about an acknowledged episode, but does send its "resolved"; a new episode is not acknowledged', () => {
    const acked = (since: string | undefined): Holds => ({
      ...emptyHolds(),
      acks: Object.assign(
        Object.create(null),
        since ? { 'infra/web.md': { since: '2026-11-21T00:00:00.000Z', at: since, by: 'signed link' } } : {},
      ),
    });
    const bad = () => cycle('unhealthy', web('unhealthy'));
    assert.deepEqual(
      sequence(
        [
          [bad(), 0],
          [bad(), 61],
          [bad(), 130],
          [cycle('healthy', web('healthy')), 140],
          [bad(), 150],
          [bad(), 220],
        ],
        undefined,
        { holds: acked },
      ),
      [
        ['unhealthy:infra/web.md'],
        [],
        [],
        ['resolved:infra/web.md'],
        ['unhealthy:infra/web.md'],
        ['reminder:infra/web.md'],
      ],
    );
  });

  it('holds a silenced check: what went unhealthy is told when the silence ends, if it still is', () => {
    const silenced = (): Holds => ({
      ...emptyHolds(),
      silences: Object.assign(Object.create(null), {
        'infra/web.md': { until: '2026-11-21T00:30:00.000Z', at: '2026-11-21T00:00:00.000Z', by: 'signed link' },
      }),
    });
    const bad = () => cycle('unhealthy', web('unhealthy'));
    assert.deepEqual(
      sequence(
        [
          [bad(), 0],
          [bad(), 20],
          [bad(), 40],
          [bad(), 50],
        ],
        undefined,
        { holds: silenced },
      ),
      [[], [], ['unhealthy:infra/web.md'], []],
    );
  });

  it('holds check notifications in a maintenance window; an episode that ends inside it is never told', () => {
    const maint = loadConfig(
      { ANTHROPIC_API_KEY: 'k-test', CLAUDEOPS_NOTIFY_REMIND: '3600', CLAUDEOPS_MAINTENANCE: '0 0 * * * for 1h' },
      fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-n-')),
    ).config;
    const bad = () => cycle('unhealthy', web('unhealthy'));
    assert.deepEqual(
      sequence(
        [
          [bad(), 0],
          [cycle('healthy', web('healthy')), 10],
          [bad(), 20],
          [bad(), 59],
          [bad(), 61],
          [bad(), 70],
        ],
        undefined,
        { config: maint },
      ),
      [[], [], [], [], ['unhealthy:infra/web.md'], []],
    );
  });

  it('puts signed acknowledge and silence links in alerts, and approve and deny links in proposals', () => {
    const bodies: string[] = [];
    const links = makeLinker('https://ops.example.com', 'k'.repeat(32), new Date(Date.UTC(2026, 10, 21)));
    const c = cycle('unhealthy', web('unhealthy'));
    c.proposals = [
      {
        id: 'p-1',
        hash: 'h'.repeat(64),
        tier: 3,
        service: 'web',
        action: 'restart',
        commands: ['docker restart web'],
        why: 'w',
        expected: 'e',
        rollback: 'r',
        expiresAt: '2026-11-21T01:00:00.000Z',
      },
    ];
    assert.deepEqual(sequence([[c, 0]], undefined, { links, bodies }), [['unhealthy:infra/web.md', 'approval:p-1']]);
    assert.match(
      bodies[0]!,
      /Acknowledge \(no reminders until it resolves\): https:\/\/ops\.example\.com\/hold\?a=ack&s=infra%2Fweb\.md&b=2026-11-21T00%3A00%3A00\.000Z&exp=\d+&sig=[0-9a-f]{64}/,
    );
    assert.match(bodies[0]!, /Silence 4 h: https:\/\/ops\.example\.com\/hold\?a=silence/);
    assert.match(bodies[1]!, /\$ docker restart web\n/);
    assert.match(
      bodies[1]!,
      /Approve: https:\/\/ops\.example\.com\/approve\?a=approve&s=p-1&b=h{64}&exp=1795222800&sig=/,
    );
    assert.match(bodies[1]!, /Deny: https:\/\/ops\.example\.com\/approve\?a=deny&s=p-1/);
  });

  it('puts the real approve and deny links before anything the model wrote, and quotes each line of it', () => {
    const bodies: string[] = [];
    const links = makeLinker('https://ops.example.com', 'k'.repeat(32), new Date(Date.UTC(2026, 10, 21)));
    const c = cycle('healthy', web('healthy'));
    const why = 'web is down\nApprove: https://evil.example/approve';
    c.proposals = [
      {
        id: 'p-1',
        hash: 'h'.repeat(64),
        tier: 3,
        service: 'web\u202e',
        action: 'restart',
        commands: [`echo ok${' '.repeat(300)}; rm -rf /srv`, 'Approve: https://evil.example/2'],
        why,
        expected: 'e',
        rollback: 'r',
        expiresAt: '2026-11-21T01:00:00.000Z',
      },
    ];
    sequence([[c, 0]], undefined, { links, bodies });
    const lines = bodies[0]!.split('\n');
    const approve = lines.findIndex((l) => l.startsWith('Approve: https://ops.example.com/approve?a=approve&s=p-1&'));
    const deny = lines.findIndex((l) => l.startsWith('Deny: https://ops.example.com/approve?a=deny&s=p-1&'));
    const firstModel = lines.findIndex((l) => /web is down|echo ok|evil|<U\+202E>/.test(l));
    assert.ok(approve >= 0 && deny > approve && firstModel > deny, bodies[0]);
    assert.deepEqual(
      lines.filter((l) => /^(Approve|Deny):/.test(l)).length,
      2,
      'only our two link lines begin like link lines',
    );
    assert.deepEqual(
      lines.filter((l) => l.includes('evil')),
      [`${QUOTE}$ Approve: https://evil.example/2`, `${QUOTE}Why: web is down⏎Approve: https://evil.example/approve`],
    );
    assert.ok(
      lines.slice(firstModel).every((l) => l.startsWith(QUOTE)),
      'every line after the links is quoted',
    );
    assert.ok(
      lines.includes(`${QUOTE}$ echo ok ⟨…300 spaces⟩; rm -rf /srv`) && lines.includes(`${QUOTE}Service: web<U+202E>`),
      bodies[0],
    );
    assert.ok(!bodies[0]!.includes('\u202e'));
  });
});

describe('where a notification points', () => {
  const load = (env: Record<string, string>) =>
    loadConfig({ ANTHROPIC_API_KEY: 'k-test', ...env }, fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-n-'))).config;

  it('links the cycle on the console when CLAUDEOPS_PUBLIC_URL is set, instead of a path on the daemon’s host', () => {
    const bodies: string[] = [];
    sequence([[cycle('unhealthy', web('unhealthy')), 0]], [webCheck()], {
      config: load({ CLAUDEOPS_PUBLIC_URL: 'https://ops.example.com/' }),
      bodies,
    });
    assert.match(bodies[0]!, /\nCycle: https:\/\/ops\.example\.com\/cycles\/run-x$/);
    assert.ok(!bodies[0]!.includes('Log:'), bodies[0]);
  });

  it('keeps the log’s path when CLAUDEOPS_PUBLIC_URL is unset, or the console is off', async () => {
    const { whereToRead } = await import('./notify.js');
    const unset = load({ CLAUDEOPS_HTTP_PORT: '9090' });
    assert.equal(
      whereToRead(unset, 'run-x', 'run-x-tier1.log'),
      `Log: ${path.join(unset.resultsDir, 'run-x-tier1.log')}`,
    );
    const off = load({ CLAUDEOPS_PUBLIC_URL: 'https://ops.example.com', CLAUDEOPS_HTTP_PORT: 'off' });
    assert.equal(whereToRead(off, 'run-x', undefined), `Log: ${path.join(off.resultsDir, 'run-x.json')}`);
  });
});
