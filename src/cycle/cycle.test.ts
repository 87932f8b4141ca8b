import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/config.js';
import { createContext } from '../daemon/daemon.js';
import { runCycle } from './cycle.js';

describe('a cycle that throws', () => {
  it('is recorded as a failed cycle with the reason, never thrown out of the loop', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-crash-'));
    const { config } = loadConfig(
      {
        ANTHROPIC_API_KEY: 'k-test',
        CLAUDEOPS_STATE_DIR: path.join(root, 'state'),
        CLAUDEOPS_RESULTS_DIR: path.join(root, 'results'),
        CLAUDEOPS_REPOS_DIR: path.join(root, 'repos'),
        CLAUDEOPS_SANDBOX: 'off',
        CLAUDEOPS_LOG_LEVEL: 'fatal',
      },
      root,
    );
    const ctx = createContext(config, new AbortController().signal);
    // An injected fault in the middle of prepare: the logger throws on the discovery line.
    const info = ctx.logger.info.bind(ctx.logger);
    ctx.logger.info = (...args: unknown[]) => {
      if (args.some((a) => typeof a === 'string' && a.startsWith('found ')))
        throw new RangeError('Maximum call stack size exceeded (injected)');
      // pino's overloads take no spread; the linter does not see that the cast is needed.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      return (info as (...a: unknown[]) => void)(...args);
    };
    const cycle = await runCycle(ctx, 'once');
    assert.equal(cycle.status, 'failed');
    assert.match(cycle.summary, /^the cycle failed inside the daemon: Maximum call stack size exceeded \(injected\)$/);
    const record = JSON.parse(fs.readFileSync(path.join(config.resultsDir, `${cycle.id}.json`), 'utf8'));
    assert.equal(record.status, 'failed');
    assert.deepEqual(record.tiers, []);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
