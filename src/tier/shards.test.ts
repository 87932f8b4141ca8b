import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCheckFile } from '../checks/check-file.js';
import type { CheckDef } from '../checks/check-set.js';
import type { Verdict } from '../verdict/verdict.js';
import { faultedShards, mergeShards, planShards } from './shards.js';
import type { TierRun } from './fold.js';

const check = (repo: string, name: string, service = name): CheckDef => ({
  id: `${repo}/${name}.md`,
  repo,
  file: `/repos/${repo}/${name}.md`,
  title: name,
  services: [service],
  parsed: parseCheckFile(`# ${name}`),
});

const run = (verdict: Verdict | undefined, over: Partial<TierRun> = {}): TierRun => ({
  tier: 1,
  model: 'haiku',
  startedAt: '2026-11-22T10:00:00.000Z',
  endedAt: '2026-11-22T10:00:10.000Z',
  durationMs: 10_000,
  exitClass: verdict ? 'ok' : 'timeout',
  exitCode: verdict ? 0 : null,
  error: verdict ? undefined : 'timed out after 20 s',
  verdict,
  summary: verdict?.summary ?? 'timed out',
  turns: 3,
  costUsd: 0.01,
  modelUsage: { 'claude-haiku-4-5': { inputTokens: 100, costUSD: 0.01 } },
  toolsUsed: { Bash: 2 },
  permissionDenials: [],
  apiRetries: 0,
  mcpStatus: { db: 'connected' },
  containment: {
    sandboxed: true,
    readOnly: true,
    propose: false,
    writable: [],
    network: [],
    mcpAllowed: [],
    mcpDenied: [],
    egressRefused: 0,
    warnings: [],
  },
  logFile: 'x.log',
  eventsFile: 'x.jsonl',
  filesComplete: true,
  ...over,
});

describe('tier-1 shards', () => {
  it('keep a small set whole, and split a large one evenly, a repo’s checks together', () => {
    const few = [check('a', 'one'), check('b', 'two')];
    assert.deepEqual(planShards(few, 10), [few]);
    const many = [
      ...Array.from({ length: 12 }, (_, i) => check('web', `w${String(i).padStart(2, '0')}`)),
      ...Array.from({ length: 9 }, (_, i) => check('db', `d${i}`)),
    ];
    const shards = planShards(many, 10);
    assert.deepEqual(
      shards.map((s) => s.length),
      [7, 7, 7],
    );
    assert.deepEqual(
      shards[0]!.map((c) => c.repo),
      Array(7).fill('db'),
    );
    assert.deepEqual(
      shards[2]!.map((c) => c.repo),
      Array(7).fill('web'),
    );
    assert.deepEqual(
      shards
        .flat()
        .map((c) => c.id)
        .sort(),
      many.map((c) => c.id).sort(),
    );
  });

  it('merge into one verdict: each shard counts for its own checks; a failed shard makes only its checks unknown', () => {
    const shards = [[check('a', 'one'), check('a', 'two')], [check('b', 'three')], [check('c', 'four')]];
    const merged = mergeShards(
      [
        run({
          status: 'healthy',
          summary: 'a fine',
          escalate: false,
          checks: [
            { id: 'a/one.md', status: 'healthy' },
            { id: 'a/two.md', status: 'healthy' },
            { id: 'b/three.md', status: 'healthy', detail: 'not mine' },
          ],
        }),
        run({
          status: 'unhealthy',
          summary: 'three is down.',
          escalate: true,
          checks: [{ id: 'b/three.md', status: 'unhealthy' }],
          findings: 'OOM on three',
        }),
        run(undefined),
      ],
      shards,
      'run-x-tier1.log',
    );
    assert.equal(merged.exitClass, 'ok');
    assert.equal(merged.verdict!.status, 'unhealthy');
    assert.equal(merged.verdict!.escalate, true);
    assert.equal(
      merged.verdict!.summary,
      'three is down. 2 of 3 tier-1 shards gave a verdict; shard 3 reached no verdict (timeout).',
    );
    assert.equal(merged.verdict!.findings, 'shard 2 (b/three.md): OOM on three');
    assert.deepEqual(
      merged.verdict!.checks!.map((c) => [c.id, c.status]),
      [
        ['a/one.md', 'healthy'],
        ['a/two.md', 'healthy'],
        ['b/three.md', 'unhealthy'],
        ['c/four.md', 'unknown'],
      ],
    );
    assert.match(merged.verdict!.checks![3]!.detail!, /not judged: tier-1 shard 3 of 3 ended timeout/);
    assert.equal(merged.costUsd, 0.03);
    assert.equal(merged.turns, 9);
    assert.equal(merged.modelUsage['claude-haiku-4-5']!.inputTokens, 300);
    assert.equal(merged.toolsUsed.Bash, 6);
    assert.deepEqual(
      merged.shards.map((s) => s.exitClass),
      ['ok', 'ok', 'timeout'],
    );
    assert.match(merged.error!, /shard 3: timed out/);
  });

  it('fail as the first shard failed when none reached a verdict', () => {
    const merged = mergeShards(
      [run(undefined), run(undefined, { exitClass: 'server' })],
      [[check('a', 'one')], [check('b', 'two')]],
      'l',
    );
    assert.equal(merged.verdict, undefined);
    assert.equal(merged.exitClass, 'timeout');
  });

  it('say how many shards gave a verdict, and what happened to the others', () => {
    const fine = (id: string): Verdict => ({
      status: 'healthy',
      summary: 'fine',
      escalate: false,
      checks: [{ id, status: 'healthy' }],
    });
    const shards = [[check('a', 'one')], [check('b', 'two')], [check('c', 'three')]];
    const all = mergeShards([run(fine('a/one.md')), run(fine('b/two.md')), run(fine('c/three.md'))], shards, 'l');
    assert.equal(all.verdict!.summary, 'All 3 tier-1 shards found their checks healthy.');

    const oneCut = mergeShards([run(fine('a/one.md')), run(fine('b/two.md')), run(undefined)], shards, 'l');
    assert.equal(oneCut.verdict!.status, 'healthy');
    assert.equal(
      oneCut.verdict!.summary,
      '2 of 3 tier-1 shards found their checks healthy; shard 3 reached no verdict (timeout).',
    );

    const twoCut = mergeShards(
      [run(undefined, { exitClass: 'server' }), run(fine('b/two.md')), run(undefined)],
      shards,
      'l',
    );
    assert.equal(
      twoCut.verdict!.summary,
      '1 of 3 tier-1 shards found their checks healthy; shard 1 (server), shard 3 (timeout) reached no verdict.',
    );

    const down: Verdict = { ...fine('b/two.md'), status: 'unhealthy', summary: 'two is down.' };
    const troubled = mergeShards([run(fine('a/one.md')), run(down), run(undefined)], shards, 'l');
    assert.equal(
      troubled.verdict!.summary,
      'two is down. 2 of 3 tier-1 shards gave a verdict; shard 3 reached no verdict (timeout).',
    );
  });

  it('were stopped when any shard was: no verdict, whatever the others found', () => {
    const shards = [[check('a', 'one')], [check('b', 'two')]];
    const ok: Verdict = {
      status: 'healthy',
      summary: 'fine',
      escalate: false,
      checks: [{ id: 'a/one.md', status: 'healthy' }],
    };
    const merged = mergeShards(
      [run(ok), run(undefined, { exitClass: 'interrupted', error: 'stopped', costUsd: 0.02 })],
      shards,
      'l',
    );
    assert.equal(merged.exitClass, 'interrupted');
    assert.equal(merged.exitCode, null);
    assert.equal(merged.verdict, undefined);
    assert.match(merged.summary, /^tier 1 was stopped before every shard reached its verdict \(1 of 2 stopped\)/);
    assert.equal(merged.costUsd, 0.03);
    assert.deepEqual(
      merged.shards.map((s) => [s.exitClass, s.status]),
      [
        ['ok', 'healthy'],
        ['interrupted', undefined],
      ],
    );
  });

  it('that ended when one shard’s run threw: their spend and files, no verdict, and which shard threw', () => {
    const shards = [[check('a', 'one')], [check('b', 'two')], [check('c', 'three')], [check('d', 'four')]];
    const ok: Verdict = {
      status: 'healthy',
      summary: 'fine',
      escalate: false,
      checks: [{ id: 'a/one.md', status: 'healthy' }],
    };
    const stopped = run(undefined, { exitClass: 'interrupted', error: 'stopped', costUsd: 0.02, logFile: 'y.log' });
    const faulted = faultedShards([run(ok), undefined, stopped, undefined], shards, 'l', { index: 1, why: 'boom' })!;
    assert.equal(faulted.exitClass, 'interrupted');
    assert.equal(faulted.verdict, undefined, 'the finished shard’s verdict is not the tier’s');
    assert.equal(faulted.costUsd, 0.03);
    assert.equal(faulted.logFile, 'l');
    assert.deepEqual(
      faulted.shards.map((s) => [s.index, s.exitClass, s.logFile]),
      [
        [1, 'ok', 'x.log'],
        [3, 'interrupted', 'y.log'],
      ],
    );
    assert.equal(faulted.error, 'shard 2: failed inside the daemon: boom; shard 3: stopped; shard 4: not started');
    assert.equal(faultedShards([undefined, undefined, undefined], shards, 'l', { index: 0, why: 'boom' }), undefined);
  });
});
