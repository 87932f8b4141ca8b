import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CheckDef } from '../checks/check-set.js';
import { parseCheckFile } from '../checks/check-file.js';
import { selectForModel, type ProbedCheck } from './select.js';

const def = (id: string): CheckDef => ({
  id,
  repo: 'r',
  file: `/r/${id}.md`,
  title: id,
  services: [],
  parsed: parseCheckFile(`# ${id}\n`),
});
const probed = (id: string, status: ProbedCheck['status']): ProbedCheck => ({
  id,
  status,
  detail: `${id} ${status}`,
  judgements: [],
});
const NOW = new Date('2026-12-01T12:00:00Z');
const HOUR = 3_600_000;
const ago = (h: number) => new Date(NOW.getTime() - h * HOUR).toISOString();

describe('which checks the model judges', () => {
  const checks = ['plain', 'ok', 'down', 'recovered', 'due', 'new'].map(def);
  const results = [
    probed('ok', 'healthy'),
    probed('down', 'unhealthy'),
    probed('recovered', 'healthy'),
    probed('due', 'healthy'),
    probed('new', 'healthy'),
  ];
  const history = (id: string) =>
    ({
      ok: { status: 'healthy', reviewedAt: ago(2) },
      down: { status: 'healthy', reviewedAt: ago(2) },
      recovered: { status: 'unhealthy', reviewedAt: ago(1) },
      due: { status: 'healthy', reviewedAt: ago(24) },
    })[id] ?? {};

  it('keeps the model for checks without probes, failing or changed probes, and reviews that are due', () => {
    const s = selectForModel(checks, results, history, 24 * HOUR, NOW);
    assert.deepEqual(
      s.model.map((c) => [c.id, c.probe?.why]),
      [
        ['plain', undefined],
        ['down', 'the probe found it unhealthy'],
        ['recovered', 'the probe passes, but it was unhealthy'],
        ['due', 'its review by the model is due (every 24 h)'],
        ['new', 'its first review by the model'],
      ],
    );
    assert.deepEqual(
      s.probed.map((p) => p.id),
      ['ok'],
    );
    assert.equal(s.model.find((c) => c.id === 'down')!.probe!.detail, 'down unhealthy');
  });

  it('hands every check to the model with CLAUDEOPS_MODEL_REVIEW=always', () => {
    const s = selectForModel(checks, results, history, 'always', NOW);
    assert.equal(s.model.length, checks.length);
    assert.deepEqual(s.probed, []);
  });
});
