import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileStore } from './file-store.js';

/** Retention as the daemon applies it: through the store of a results directory. */
const pruneRuns = (resultsDir: string, days: number) =>
  new FileStore(resultsDir, `${resultsDir}.state`).pruneRuns(days);

describe('retention', () => {
  it('removes run files older than the limit, and nothing else', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-retention-'));
    const old = [
      'run-20260101-000000-tier1.log',
      'run-20260101-000000-tier1.jsonl',
      'run-20260101-000000.json',
      'run-20260101-000000-2-tier2.log',
      'approval-p-0a1b2c3d4e5f.log',
    ];
    const keep = ['run-20261120-000000-tier1.log', 'approval-p-ffffffffffff.log', 'receipts.ndjson', 'notes.txt'];
    for (const n of [...old, ...keep]) fs.writeFileSync(path.join(dir, n), 'x');
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    for (const n of [...old, 'receipts.ndjson', 'notes.txt']) fs.utimesSync(path.join(dir, n), longAgo, longAgo);
    const removed = await pruneRuns(dir, 30);
    assert.deepEqual(removed.sort(), [...old].sort());
    assert.deepEqual(fs.readdirSync(dir).sort(), [...keep].sort());
  });

  it('keeps everything with 0 days, and tolerates a missing directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-retention-'));
    fs.writeFileSync(path.join(dir, 'run-20200101-000000.json'), 'x');
    fs.utimesSync(path.join(dir, 'run-20200101-000000.json'), new Date(0), new Date(0));
    assert.deepEqual(await pruneRuns(dir, 0), []);
    assert.deepEqual(await pruneRuns(path.join(dir, 'missing'), 30), []);
  });
});
