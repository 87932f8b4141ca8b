import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { acquireLocks } from './lock.js';

describe('the directory locks', () => {
  it('refuse a second daemon on the same results directory, naming it and the holder, and keep no state lock then', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-lock-'));
    try {
      const resultsDir = path.join(root, 'results');
      fs.mkdirSync(resultsDir);
      // Another live process (init, pid 1) holds the results directory.
      fs.writeFileSync(
        path.join(resultsDir, 'claudeops.lock'),
        JSON.stringify({ pid: 1, mode: 'run', startedAt: '2026-01-01T00:00:00.000Z' }),
      );
      const stateDir = path.join(root, 'state-b');
      const lock = acquireLocks({ stateDir, resultsDir }, 'run');
      assert.equal(lock.ok, false);
      assert.match(
        !lock.ok ? lock.why : '',
        new RegExp(
          `another claudeops \\(run, pid 1, since 2026-01-01T00:00:00.000Z\\) uses the results directory ${resultsDir}; .*receipt ledger.*CLAUDEOPS_RESULTS_DIR`,
        ),
      );
      assert.ok(!fs.existsSync(path.join(stateDir, 'claudeops.lock')), 'the state lock taken first is let go');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('take both directories, one lock when they are the same, and release them', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-lock-'));
    try {
      const dirs = { stateDir: path.join(root, 'state'), resultsDir: path.join(root, 'results') };
      const lock = acquireLocks(dirs, 'once');
      assert.ok(lock.ok);
      assert.ok(
        fs.existsSync(path.join(dirs.stateDir, 'claudeops.lock')) &&
          fs.existsSync(path.join(dirs.resultsDir, 'claudeops.lock')),
      );
      lock.release();
      assert.ok(
        !fs.existsSync(path.join(dirs.stateDir, 'claudeops.lock')) &&
          !fs.existsSync(path.join(dirs.resultsDir, 'claudeops.lock')),
      );
      const same = acquireLocks({ stateDir: dirs.stateDir, resultsDir: dirs.stateDir }, 'once');
      assert.ok(same.ok);
      same.release();
      assert.ok(!fs.existsSync(path.join(dirs.stateDir, 'claudeops.lock')));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('start with an unusable results directory (a fault the daemon rides out), holding the state lock and saying the results are not locked', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-lock-'));
    try {
      const dirs = { stateDir: path.join(root, 'state'), resultsDir: path.join(root, 'results') };
      fs.writeFileSync(dirs.resultsDir, 'not a directory');
      const lock = acquireLocks(dirs, 'run');
      assert.ok(lock.ok);
      assert.match(
        lock.warning ?? '',
        /results directory .* cannot be made \(EEXIST\).*not locked against a second daemon/,
      );
      assert.ok(fs.existsSync(path.join(dirs.stateDir, 'claudeops.lock')));
      lock.release();
      assert.ok(!fs.existsSync(path.join(dirs.stateDir, 'claudeops.lock')));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
