import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maintenanceUntil } from '../notify/hold.js';
import { auditApprovals } from './audit.js';
import { decide, type Limits } from './decide.js';
import { shown } from './display.js';
import { checkLink, linkParams, signedLink, type LinkParams } from './links.js';
import { contentHash } from './state.js';
import type { Proposal } from '../store/records.js';

const KEY = 'secret-'.repeat(6);
const NOW = new Date('2026-11-22T10:00:00Z');

describe('signed links', () => {
  const p: LinkParams = { action: 'approve', subject: 'p-abc', bind: 'f'.repeat(64), exp: NOW.getTime() / 1000 + 60 };
  const parse = (url: string) => linkParams(new URL(url).searchParams)!;

  it('verify as made, and fail when any part or the key changes', () => {
    const l = parse(signedLink('http://x', KEY, p));
    assert.deepEqual(l.params, p);
    assert.equal(checkLink(KEY, l.params, l.sig, NOW), 'ok');
    for (const changed of [
      { action: 'deny' as const },
      { subject: 'p-abd' },
      { bind: 'e'.repeat(64) },
      { exp: p.exp + 3600 },
    ]) {
      assert.equal(checkLink(KEY, { ...l.params, ...changed }, l.sig, NOW), 'bad signature', JSON.stringify(changed));
    }
    assert.equal(
      checkLink(
        KEY,
        l.params,
        l.sig.replace(/^./, (c) => (c === '0' ? '1' : '0')),
        NOW,
      ),
      'bad signature',
    );
    assert.equal(checkLink(`${KEY}x`, l.params, l.sig, NOW), 'bad signature');
    assert.equal(checkLink(KEY, l.params, 'short', NOW), 'bad signature');
  });

  it('expire after their time, and are checked for their signature first', () => {
    const l = parse(signedLink('http://x', KEY, p));
    assert.equal(checkLink(KEY, l.params, l.sig, new Date(NOW.getTime() + 61_000)), 'expired');
    assert.equal(checkLink(KEY, { ...l.params, bind: 'x' }, l.sig, new Date(NOW.getTime() + 61_000)), 'bad signature');
  });

  it('are incomplete without every part', () => {
    assert.equal(linkParams(new URLSearchParams('a=approve&s=p&b=h&exp=1')), undefined);
    assert.equal(linkParams(new URLSearchParams('a=reboot&s=p&b=h&exp=1&sig=x')), undefined);
  });
});

describe('deciding a proposal', () => {
  const content = {
    cycle: 'run-1',
    tier: 3,
    service: 'web',
    action: 'restart' as const,
    commands: ['docker restart web'],
    why: 'w',
    expected: 'e',
    rollback: 'r',
  };
  const proposal = (over: Partial<Proposal> = {}): Proposal => ({
    id: 'p-1',
    ...content,
    hash: contentHash(content),
    createdAt: NOW.toISOString(),
    expiresAt: new Date(NOW.getTime() + 3_600_000).toISOString(),
    state: 'pending',
    ...over,
  });
  const limits = (over: Partial<Limits> = {}): Limits => ({
    dryRun: false,
    allowance: { restarts: 0, redeploys: 0, restartsLeft: 2, redeploysLeft: 1 },
    ...over,
  });
  const why = (d: ReturnType<typeof decide>) => (d.ok ? 'ok' : d.reason);

  it('approves a pending, unchanged, unexpired proposal within its limits', () => {
    assert.equal(
      why(
        decide({
          verb: 'approve',
          proposal: proposal(),
          hash: contentHash(content),
          link: 'ok',
          limits: limits(),
          now: NOW,
        }),
      ),
      'ok',
    );
  });

  it('refuses, in order: a forged link, a decided proposal, an expired one, changed content, dry run, budget, cooldown', () => {
    const base = {
      verb: 'approve' as const,
      proposal: proposal(),
      hash: contentHash(content),
      link: 'ok' as const,
      limits: limits(),
      now: NOW,
    };
    assert.match(why(decide({ ...base, link: 'bad signature' })), /not genuine/);
    assert.match(
      why(decide({ ...base, proposal: proposal({ state: 'executed', decidedAt: 'T', decidedBy: 'signed link' }) })),
      /already executed at T by signed link/,
    );
    assert.match(why(decide({ ...base, link: 'expired' })), /expired/);
    assert.match(why(decide({ ...base, now: new Date(NOW.getTime() + 3_600_001) })), /expired/);
    assert.match(
      why(decide({ ...base, proposal: proposal({ commands: ['rm -rf /srv'] }) })),
      /changed since it was proposed/,
    );
    assert.match(why(decide({ ...base, hash: 'a'.repeat(64) })), /changed since it was proposed/);
    assert.match(why(decide({ ...base, limits: limits({ dryRun: true }) })), /dry run is on/);
    assert.match(
      why(decide({ ...base, limits: limits({ overBudget: 'spent $5.00 of $5.00' }) })),
      /daily budget is spent/,
    );
    assert.match(
      why(
        decide({
          ...base,
          limits: limits({ allowance: { restarts: 2, redeploys: 0, restartsLeft: 0, redeploysLeft: 1 } }),
        }),
      ),
      /no restart left/,
    );
    assert.equal(
      why(decide({ ...base, verb: 'deny', limits: limits({ dryRun: true }) })),
      'ok',
      'a denial needs no limits',
    );
  });
});

describe('maintenance windows', () => {
  const w = (cron: string, h: number) => [{ cron, durationMs: h * 3_600_000 }];
  it('hold from each start for the duration, in UTC', () => {
    // 2026-11-22 is a Sunday.
    assert.equal(
      maintenanceUntil(w('0 2 * * SUN', 2), new Date('2026-11-22T03:59:00Z'))?.toISOString(),
      '2026-11-22T04:00:00.000Z',
    );
    assert.equal(
      maintenanceUntil(w('0 2 * * SUN', 2), new Date('2026-11-22T02:00:00Z'))?.toISOString(),
      '2026-11-22T04:00:00.000Z',
    );
    assert.equal(maintenanceUntil(w('0 2 * * SUN', 2), new Date('2026-11-22T04:00:00Z')), undefined);
    assert.equal(maintenanceUntil(w('0 2 * * SUN', 2), new Date('2026-11-22T01:59:00Z')), undefined);
    assert.equal(maintenanceUntil(w('0 2 * * MON', 2), new Date('2026-11-22T03:00:00Z')), undefined);
  });
  it('span midnight, and treat day of month and weekday as either, like cron', () => {
    assert.equal(
      maintenanceUntil(w('0 23 * * SAT', 3), new Date('2026-11-22T01:00:00Z'))?.toISOString(),
      '2026-11-22T02:00:00.000Z',
    );
    assert.ok(maintenanceUntil(w('0 0 1 * SUN', 1), new Date('2026-11-22T00:30:00Z')), 'a Sunday that is not the 1st');
    assert.ok(maintenanceUntil(w('0 0 1 * SUN', 1), new Date('2026-12-01T00:30:00Z')), 'the 1st, a Tuesday');
    assert.equal(maintenanceUntil(w('0 0 1 * SUN', 1), new Date('2026-12-02T00:30:00Z')), undefined);
  });
});

describe('the approvals audit of the ledger', () => {
  const e = (seq: number, kind: string, proposal: string, hash = 'h1') => ({ seq, kind, proposal, hash });
  it('passes the lifecycles the daemon writes', () => {
    const ok = auditApprovals([
      e(1, 'approval_proposed', 'a'),
      e(2, 'approval_refused', 'a'),
      e(3, 'approval_approved', 'a'),
      e(4, 'approval_executed', 'a'),
      { seq: 5, kind: 'approval_verified', proposal: 'a' },
      e(6, 'approval_proposed', 'b'),
      { seq: 7, kind: 'approval_expired', proposal: 'b' },
    ]);
    assert.deepEqual(ok, { proposals: 2, problems: [] });
  });
  it('names a step without the one it follows from, a second decision, a second execution, and other content executed', () => {
    const { problems } = auditApprovals([
      e(1, 'approval_executed', 'x'),
      e(2, 'approval_proposed', 'a'),
      e(3, 'approval_denied', 'a'),
      e(4, 'approval_approved', 'a'),
      e(5, 'approval_executed', 'a', 'h2'),
      e(6, 'approval_executed', 'a'),
    ]);
    assert.deepEqual(problems, [
      'proposal x: approval_executed at seq 1 without approval_approved before it',
      'proposal x: approval_executed at seq 1 is for other content than was proposed',
      'proposal a: approval_approved at seq 4, but it was already decided',
      'proposal a: approval_executed at seq 5 is for other content than was proposed',
      'proposal a is executed twice (seq 6)',
    ]);
  });
});

describe('model-written text as shown', () => {
  it('names a right-to-left override and every other bidi control', () => {
    assert.equal(shown('rm -rf /\u202e; ls'), 'rm -rf /<U+202E>; ls');
    assert.equal(
      shown('\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c'),
      '<U+202A><U+202B><U+202C><U+202D><U+2066><U+2067><U+2068><U+2069><U+200E><U+200F><U+061C>',
    );
  });

  it('collapses 300 spaces into one and a count, so nothing is pushed out of view', () => {
    assert.equal(shown(`echo ok${' '.repeat(300)}; rm -rf /srv`), 'echo ok ⟨…300 spaces⟩; rm -rf /srv');
    assert.equal(shown('a   b'), 'a   b', 'three are just spaces');
    assert.equal(shown(`a\t${'\u00a0'.repeat(3)}b`), 'a ⟨…4 whitespace⟩b');
  });

  it('shows a newline as ⏎, and a run of them counted', () => {
    assert.equal(shown('ls\nrm -rf /'), 'ls⏎rm -rf /');
    assert.equal(shown(`why\n\n\n\n\nApprove: https://evil`), 'why ⟨…5 whitespace, 5 newlines⟩Approve: https://evil');
    assert.equal(shown('a\r\nb'), 'a<U+000D>⏎b');
  });

  it('names zero-width characters, C0 and C1 controls and DEL', () => {
    assert.equal(shown('do\u200bcker\u200c\u200d\u2060\ufeff'), 'do<U+200B>cker<U+200C><U+200D><U+2060><U+FEFF>');
    assert.equal(
      shown('\u0000\u0007\u001b[2K\u007f\u0085\u009b\tx'),
      '<U+0000><U+0007><U+001B>[2K<U+007F><U+0085><U+009B><U+0009>x',
    );
  });

  it('leaves ordinary text, including non-Latin letters, as it is', () => {
    assert.equal(
      shown('docker restart web && curl -fsS http://web/ # größe, 日本'),
      'docker restart web && curl -fsS http://web/ # größe, 日本',
    );
  });
});
