import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareStamps, parseRunFile } from './layout.js';

describe('run file names', () => {
  it('are read for their day, their order and whether they are a summary', () => {
    assert.deepEqual(parseRunFile('run-20261122-001825.json'), {
      day: Date.UTC(2026, 10, 22),
      order: '20261122-001825-000001',
      summary: true,
    });
    assert.equal(parseRunFile('run-20261122-001825-2-tier1.log')?.summary, false);
    assert.equal(parseRunFile('run-20261122-001825-tier2.jsonl')?.order, '20261122-001825-000001');
    assert.equal(parseRunFile('receipts.ndjson'), undefined);
  });

  it('sort a second cycle of the same second after the first', () => {
    assert.deepEqual(
      ['run-20261122-001825-2.json', 'run-20261122-001826.json', 'run-20261122-001825.json'].sort(compareStamps),
      ['run-20261122-001825.json', 'run-20261122-001825-2.json', 'run-20261122-001826.json'],
    );
  });
});
