import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCheckFile } from '../checks/check-file.js';
import type { CheckDef } from '../checks/check-set.js';
import type { Verdict } from '../verdict/verdict.js';
import { mergeShards, planShards } from './shards.js';
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
    assert.equal(merged.verdict!.summary, 'three is down.');
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
});
