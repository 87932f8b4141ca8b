// Where the sandbox cannot start, a run that requires it does not start either.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FakeApi, byModel, verdict } from '../fake-api.js';
import { cycleSummaries, run, sandbox, verdictOf } from '../harness.js';

/** A PATH with node and nothing else: no bwrap, no socat. */
function bareBin(root: string): string {
  const bin = path.join(root, 'bare-bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

describe('a sandbox that cannot start', () => {
  it('keeps tier 1 from running, records exit class sandbox with the fix, and validate lists it', async () => {
    const api = new FakeApi(byModel({ haiku: [verdict(verdictOf('healthy'))] }));
    const sb = sandbox(await api.start());
    try {
      const env = { PATH: bareBin(sb.root) };
      const r = await run(['once'], sb, 60_000, env);
      assert.equal(r.code, 3, r.stdout.slice(-2000));
      assert.equal(api.messages.length, 0, 'no API request was made');
      const [summary] = cycleSummaries(sb.resultsDir);
      assert.equal(summary.tiers[0].exitClass, 'sandbox');
      assert.match(
        summary.tiers[0].error,
        /OS sandbox cannot start, so this read-only run was not started: socat is not installed .*install the Debian package socat/,
      );
      assert.match(summary.warnings.join('\n'), /the OS sandbox cannot start/);
      const v = await run(['validate'], sb, 60_000, env);
      assert.equal(v.code, 2);
      assert.match(v.stdout, /sandbox +CANNOT START/);
      assert.match(v.stdout, /CLAUDEOPS_SANDBOX=required: socat is not installed/);

      const auto = await run(['once'], sb, 60_000, { ...env, CLAUDEOPS_SANDBOX: 'auto' });
      assert.equal(auto.code, 3, 'auto still requires the sandbox of tier 1');
      assert.equal(api.messages.length, 0);
    } finally {
      await api.stop();
      sb.cleanup();
    }
  });
});
