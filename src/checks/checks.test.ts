import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { TierNumber } from '../config/config.js';
import { cycleStatus } from '../record/cycle-record.js';
import type { TierRun } from '../tier/fold.js';
import type { Verdict } from '../verdict/verdict.js';
import { parseCheckFile, tierValue } from './check-file.js';
import { skillTier } from './extras.js';
import { applyResults, removedChecks, shownChecks, uptime } from './check-state.js';
import { emptyCheckState } from '../store/records.js';
import { discoverChecks } from './discover.js';
import { manifestRules } from './extras.js';
import type { CheckDef } from './check-set.js';
import { checkResults, judgedStatus, serviceStatuses, type CheckStatus } from './results.js';

const def = (id: string, services: string[] = []): CheckDef => ({
  id,
  repo: id.split('/')[0]!,
  file: `/x/${id}`,
  title: id,
  services,
  parsed: parseCheckFile(`# ${id}`),
});
const run = (tier: TierNumber, checks: Verdict['checks'], status: Verdict['status'] = 'healthy'): TierRun =>
  ({ tier, exitClass: 'ok', verdict: { status, summary: 's', escalate: false, checks } }) as TierRun;

describe('check files', () => {
  it('reads title, services, severity, thresholds and sections, ignoring fenced code', () => {
    const f = parseCheckFile(
      "# Databases\n\n- **Services:** postgres, pgbouncer\n- Severity: Critical\n- Failure threshold: 3\n\n## How to Check\n```sh\n# not a title\n- Service: nope\n```\n## What's Healthy\nok\n",
    );
    assert.equal(f.title, 'Databases');
    assert.deepEqual(f.services, ['postgres', 'pgbouncer']);
    assert.equal(f.severity, 'critical');
    assert.equal(f.failureThreshold, 3);
    assert.deepEqual(
      f.sections.map((s) => s.heading),
      ['How to Check', "What's Healthy"],
    );
  });

  it('takes a descriptive Service line as no names, and reports a bad threshold with its line', () => {
    const f = parseCheckFile('# HTTP\n\n- Service: the service behind each URL\n- Success threshold: 0\n');
    assert.deepEqual(f.services, []);
    assert.deepEqual(f.fieldProblems, [
      { line: 4, problem: '"Success threshold: 0" is not a whole number from 1 to 100' },
    ]);
  });

  it('finds the two rules of a manifest the daemon enforces', () => {
    const m = manifestRules(
      '# infra\n## Kind\nAnsible\n## Rules\n- Only Opus (Tier 3) should run playbooks.\n- Never modify any files in this repo.\n## Other\nx\n',
    );
    assert.equal(m.playbookTier, 3);
    assert.equal(m.readOnly, true);
    assert.match(m.text, /## Kind\nAnsible[\s\S]*## Other\nx$/, 'the whole manifest goes to the agent, Kind and all');
    assert.deepEqual(manifestRules('# x\nPlaybooks are fine at tier 2.\n'), {
      text: '# x\nPlaybooks are fine at tier 2.',
      truncated: false,
      playbookTier: 2,
      readOnly: false,
    });
    assert.equal(
      manifestRules('# x\n## Rules\n- Never modify the cache.\n## Other\nPlaybooks need tier 3 here.\n').playbookTier,
      undefined,
      'the enforced rules are read from the Rules section only',
    );
    const long = manifestRules(`# big\n${'inventory line\n'.repeat(1000)}`);
    assert.equal(long.truncated, true);
    assert.equal(long.text.length, 8000);
  });

  it("reads a Tier line in our forms and claude-ops's, and nothing else", () => {
    const forms: [string, number | undefined][] = [
      ['2', 2],
      ['3+', 3],
      ['Tier 2', 2],
      ['2 (Sonnet) minimum', 2],
      ['3 (Opus) only', 3],
      ['at least 2', 2],
      ['1 (Haiku) or higher', 1],
      ['`2`', 2],
      ['two', undefined],
      ['4', undefined],
      ['2.5', undefined],
      ['<1|2|3>', undefined],
      ['2 or 3 depending', undefined],
      ['', undefined],
    ];
    for (const [value, tier] of forms) assert.equal(tierValue(value), tier, value);
    const f = parseCheckFile(
      '<!-- Governing: x -->\n# Playbook: Redeploy Service\n\n<!-- y -->\n\n**Tier**: 3 (Opus) only\n\n## When to Use\n- Tier: 1\n',
    );
    assert.equal(f.tier, 3);
    assert.equal(f.tierLine, 6);
    const bad = parseCheckFile('# P\n\n**Tier**: Sonnet\n');
    assert.equal(bad.tier, undefined);
    assert.match(bad.fieldProblems[0]!.problem, /"Tier: Sonnet" does not say a tier/);
  });

  it("reads a skill's tier from its Tier Requirement section, and an unreadable one as 3", () => {
    assert.deepEqual(
      skillTier(
        '# Skill: Container Ops\n\n## Purpose\nx\n\n## Tier Requirement\n\nTier 2 minimum. Tier 1 agents MUST NOT execute this skill.\n\n## Tool Discovery\nTier 1 may list.\n',
      ),
      { tier: 2 },
    );
    assert.deepEqual(
      skillTier(
        '# Skill: T\n## Tier Requirement\n<!-- OPTIONAL: tier 3 -->\n- **Minimum tier**: Tier 1\n- **Reason**: read-only\n',
      ),
      { tier: 1 },
    );
    assert.deepEqual(skillTier('# Skill: T\n## Purpose\nx\n'), { tier: 1 });
    assert.equal(skillTier('# Skill: T\n\n- Tier: 2\n').tier, 2);
    const bad = skillTier('# Skill: T\n## Tier Requirement\n- **Minimum tier**: Tier <1|2|3>\n');
    assert.equal(bad.tier, 3);
    assert.equal(bad.line, 2);
    assert.match(bad.problem!, /names no tier/);
  });
});

describe('discovery', () => {
  it('finds app and repo checks with stable ids, skips README, and refuses files that are not regular or too big', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-discover-'));
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), text);
    };
    write('app/checks/README.md', '# how to write');
    write('app/checks/disk.md', '# Disk');
    write('app/checks/sub/ignored.md', '# only the top folder of the app');
    write('repos/infra/.claude-ops/checks/http/web.md', '# Web');
    write('repos/infra/.claude-ops/checks/big.md', `# Big\n${'x'.repeat(300_000)}`);
    fs.symlinkSync('/dev/zero', path.join(root, 'repos/infra/.claude-ops/checks/zero.md'));
    const set = await discoverChecks({
      appDir: path.join(root, 'app'),
      reposDir: path.join(root, 'repos'),
      disable: ['infra/http/*'],
    });
    assert.deepEqual(
      set.checks.map((c) => c.id),
      ['builtin/disk.md'],
    );
    assert.deepEqual(
      set.disabled.map((c) => c.id),
      ['infra/http/web.md'],
    );
    assert.deepEqual(
      set.problems.map((p) => `${path.basename(p.file)}: ${p.problem}`),
      [
        'big.md: not read: it is 300006 bytes, over the 262144-byte limit',
        'zero.md: not read: it is not a regular file',
      ],
    );
    assert.equal(Object.getPrototypeOf(set.repoDirs), null);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('judging the checks', () => {
  const checks = [def('a/web.md', ['web']), def('a/db.md', ['postgres', 'pgbouncer']), def('a/dns.md', ['dns'])];

  it('gives every handed-out check a result: reported, unknown when missing, and flags invented ids', () => {
    const r = checkResults(checks, [
      run(1, [
        { id: 'a/web.md', status: 'healthy' },
        { id: 'a/db.md', status: 'healthy', service: 'postgres' },
        { id: 'a/db.md', status: 'degraded', service: 'pgbouncer', detail: 'slow' },
        { id: 'x/made-up.md', status: 'unhealthy' },
      ]),
    ]);
    assert.deepEqual(
      r.map((c) => [c.id, c.status, c.services.join('+'), c.tier ?? '-', c.invented ?? false]),
      [
        ['a/web.md', 'healthy', 'web', 1, false],
        ['a/db.md', 'degraded', 'postgres+pgbouncer', 1, false],
        ['a/dns.md', 'unknown', 'dns', '-', false],
        ['x/made-up.md', 'unhealthy', '', 1, true],
      ],
    );
    assert.equal(r[2]!.detail, 'not reported by the agent');
  });

  it('lets a later tier re-judge the checks it reports, and keeps the lower tier for the rest', () => {
    const r = checkResults(checks, [
      run(
        1,
        [
          { id: 'a/web.md', status: 'unhealthy' },
          { id: 'a/db.md', status: 'unhealthy' },
          { id: 'a/dns.md', status: 'healthy' },
        ],
        'unhealthy',
      ),
      run(2, [{ id: 'a/web.md', status: 'healthy' }]),
    ]);
    assert.deepEqual(
      r.map((c) => `${c.id}:${c.status}:${c.tier}`),
      ['a/web.md:healthy:2', 'a/db.md:unhealthy:1', 'a/dns.md:healthy:1'],
    );
    assert.deepEqual(
      [...serviceStatuses(r)],
      [
        ['web', 'healthy'],
        ['postgres', 'unhealthy'],
        ['pgbouncer', 'unhealthy'],
        ['dns', 'healthy'],
      ],
    );
  });

  it('derives the cycle status from the checks: unhealthy > incomplete > degraded > healthy', () => {
    const cases: [CheckStatus[], Verdict['status'], string][] = [
      [['healthy', 'healthy', 'healthy'], 'healthy', 'healthy'],
      [['healthy', 'degraded', 'healthy'], 'healthy', 'degraded'],
      [['healthy', 'degraded', 'unknown'], 'healthy', 'incomplete'],
      [['unhealthy', 'degraded', 'unknown'], 'healthy', 'unhealthy'],
      [['healthy', 'healthy', 'healthy'], 'unhealthy', 'unhealthy'],
    ];
    for (const [statuses, said, expected] of cases) {
      const runs = [
        run(
          1,
          checks.map((c, i) => ({ id: c.id, status: statuses[i]! })).filter((e) => e.status !== 'unknown'),
          said,
        ),
      ];
      assert.equal(cycleStatus(runs, checkResults(checks, runs)), expected, `${statuses} said ${said}`);
    }
    const failed = [run(1, []), { tier: 2, exitClass: 'timeout' } as TierRun];
    assert.equal(cycleStatus(failed, checkResults(checks, failed)), 'failed');
    assert.equal(cycleStatus([], [], 'over budget'), 'skipped');
  });

  it('counts a check that does not apply as neither good nor unjudged, and says nothing of its services', () => {
    const r = checkResults(checks, [
      run(1, [
        { id: 'a/web.md', status: 'healthy' },
        { id: 'a/db.md', status: 'not_applicable', detail: 'no postgres in the inventory' },
        { id: 'a/dns.md', status: 'healthy' },
      ]),
    ]);
    assert.equal(r[1]!.status, 'not_applicable');
    assert.equal(judgedStatus(r, { status: 'healthy', summary: 's', escalate: false }), 'healthy');
    assert.deepEqual(
      [...serviceStatuses(r)],
      [
        ['web', 'healthy'],
        ['dns', 'healthy'],
      ],
    );
    const mixed = checkResults(checks, [
      run(1, [
        { id: 'a/db.md', status: 'not_applicable', service: 'postgres' },
        { id: 'a/db.md', status: 'degraded', service: 'pgbouncer' },
      ]),
    ]);
    assert.equal(mixed[1]!.status, 'degraded', 'one service it applies to is judged');
  });

  it('stands the verdict in for the checks when there are no check files', () => {
    assert.deepEqual(
      checkResults([], [run(1, [], 'unhealthy')]).map((c) => [c.id, c.status]),
      [['infrastructure', 'unhealthy']],
    );
  });
});

describe('check state', () => {
  const at = (h: number) => new Date(Date.UTC(2026, 10, 20, h));
  const result = (status: CheckStatus) => [
    { id: 'a/web.md', title: 'Web', status, services: ['web'], tier: 1 as TierNumber },
  ];

  it('applies failure and success thresholds, and only unhealthy transitions are news', () => {
    let state = emptyCheckState();
    const steps: [CheckStatus, string, number][] = [
      ['healthy', 'healthy', 0],
      ['unhealthy', 'healthy', 0],
      ['unhealthy', 'unhealthy', 1],
      ['unknown', 'unhealthy', 0],
      ['healthy', 'unhealthy', 0],
      ['degraded', 'degraded', 1],
      ['unknown', 'unknown', 0],
    ];
    steps.forEach(([status, expected, news], i) => {
      const { next, transitions } = applyResults(
        state,
        result(status),
        () => ({ failure: 2, success: 2 }),
        `c${i}`,
        at(i),
      );
      state = next;
      assert.equal(state.checks['a/web.md']!.status, expected, `step ${i}: ${status}`);
      assert.equal(transitions.length, news, `step ${i}`);
    });
    const e = state.checks['a/web.md']!;
    assert.equal(e.last.length, 7);
    assert.equal(uptime(e, 24 * 3_600_000, at(6)), 3 / 5, 'unknown results are left out; degraded counts as up');
  });

  it('records a check that does not apply as such: counters reset, no uptime sample, out of unhealthy is news', () => {
    let state = emptyCheckState();
    const news: number[] = [];
    for (const [i, status] of (['unhealthy', 'not_applicable', 'healthy'] as CheckStatus[]).entries()) {
      const { next, transitions } = applyResults(
        state,
        result(status),
        () => ({ failure: 1, success: 1 }),
        `c${i}`,
        at(i),
      );
      state = next;
      news.push(transitions.length);
      if (i === 1) assert.equal(state.checks['a/web.md']!.status, 'not_applicable');
    }
    assert.deepEqual(news, [1, 1, 0]);
    assert.equal(state.checks['a/web.md']!.status, 'healthy');
    assert.equal(uptime(state.checks['a/web.md']!, 24 * 3_600_000, at(3)), 1 / 2);
  });

  it('marks a check gone from the repos (or disabled) removed, off the overview, and back when it returns', () => {
    const two = [
      ...result('healthy'),
      { id: 'a/db.md', title: 'DB', status: 'healthy' as CheckStatus, services: ['db'] },
    ];
    const t = () => ({ failure: 1, success: 1 });
    let { next } = applyResults(emptyCheckState(), two, t, 'c1', at(0), { disabled: [] });
    ({ next } = applyResults(next, result('healthy'), t, 'c2', at(1), { disabled: [] }));
    assert.deepEqual(next.checks['a/db.md']!.removed, { at: at(1).toISOString(), why: 'its file is no longer found' });
    assert.deepEqual(
      shownChecks(next).map(([id]) => id),
      ['a/web.md'],
    );
    assert.deepEqual(
      removedChecks(next).map(([id]) => id),
      ['a/db.md'],
    );
    ({ next } = applyResults(next, result('healthy'), t, 'c3', at(2)));
    assert.equal(
      next.checks['a/db.md']!.removed?.at,
      at(1).toISOString(),
      'without a list of what is present (a skipped cycle) nothing changes',
    );
    ({ next } = applyResults(next, [], t, 'c4', at(3), { disabled: ['a/web.md'] }));
    assert.equal(next.checks['a/web.md']!.removed?.why, 'disabled by CLAUDEOPS_CHECKS_DISABLE');
    ({ next } = applyResults(next, two, t, 'c5', at(4), { disabled: [] }));
    assert.deepEqual(removedChecks(next), []);
    ({ next } = applyResults(next, [], t, 'c6', at(5), { disabled: [], otherInstances: ['a'] }));
    assert.equal(next.checks['a/db.md']!.removed?.why, 'its repo belongs to another instance now (CLAUDEOPS_INSTANCE)');
  });

  it('keeps no history for invented ids', () => {
    const { next } = applyResults(
      emptyCheckState(),
      [{ id: 'x/made-up.md', title: 'x', status: 'unhealthy', services: [], invented: true }],
      () => ({ failure: 1, success: 1 }),
      'c',
      at(0),
    );
    assert.deepEqual(Object.keys(next.checks), []);
  });
});
