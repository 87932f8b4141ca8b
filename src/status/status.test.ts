import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { cycleCount, verifyReceipts } from './status.js';
import type { Config } from '../config/config.js';

describe('claudeops status N', () => {
  it('takes a whole number from 1 up, 10 when absent, and refuses anything else saying what to write', () => {
    assert.deepEqual(cycleCount(undefined), { count: 10 });
    assert.deepEqual(cycleCount('3'), { count: 3 });
    for (const bad of ['0', 'abc', '-3', '1.5', '', '1e3']) {
      const r = cycleCount(bad);
      assert.ok('error' in r, bad);
      assert.match(
        r.error,
        new RegExp(`"${bad.replace('.', '\\.')}" is not a number of cycles to show; give a whole number from 1 up`),
      );
    }
  });
});

describe('claudeops verify-receipts', () => {
  it('says "no receipts yet" on a fresh install, exit 0, and UNVERIFIABLE once a ledger exists without its key', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-status-'));
    try {
      const config = { stateDir: path.join(root, 'state'), resultsDir: path.join(root, 'results') } as Config;
      const lines: string[] = [];
      assert.equal(
        verifyReceipts(config, (l) => lines.push(l)),
        0,
      );
      assert.deepEqual(lines, [
        `no receipts yet in ${config.resultsDir}: the daemon writes them as it runs cycles; run this again after one`,
      ]);
      fs.mkdirSync(config.resultsDir);
      fs.writeFileSync(path.join(config.resultsDir, 'receipts.ndjson'), '{}\n');
      lines.length = 0;
      assert.equal(
        verifyReceipts(config, (l) => lines.push(l)),
        1,
      );
      assert.match(lines[0]!, /^receipts UNVERIFIABLE/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
