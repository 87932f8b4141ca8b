import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TierRun } from '../tier/fold.js';
import { cycleSummary, withoutCliDiagnostics } from './cycle-record.js';

const run = (over: Partial<TierRun>): TierRun => ({ tier: 1, exitClass: 'interrupted', ...over }) as TierRun;

describe('the cycle summary', () => {
  it('of a stopped cycle says who stopped it, in the daemon’s words, not the CLI’s', () => {
    const error =
      'the daemon was asked to stop while the run was going on ([ede_diagnostic] turn aborted (aborted_tools) stop_reason=tool_use)';
    const summary = cycleSummary({
      status: 'interrupted',
      tiers: [run({ error })],
      checks: [],
      escalationStopped: 'an operator stopped the cycle from the console',
    });
    assert.equal(summary, 'interrupted in tier 1: an operator stopped the cycle from the console');
  });

  it('of a failed run leaves out the CLI’s diagnostics', () => {
    const error =
      'the run took longer than CLAUDEOPS_TIMEOUT and was stopped ([ede_diagnostic] turn aborted (aborted_tools) stop_reason=tool_use)';
    assert.equal(
      cycleSummary({ status: 'failed', tiers: [run({ exitClass: 'timeout', error })], checks: [] }),
      'tier 1 failed (timeout): the run took longer than CLAUDEOPS_TIMEOUT and was stopped',
    );
  });

  it('keeps the other errors around a diagnostic', () => {
    assert.equal(
      withoutCliDiagnostics(
        'help (API Error: 500; [ede_diagnostic] turn aborted (aborted_streaming) stop_reason=end_turn; later)',
      ),
      'help (API Error: 500; later)',
    );
    assert.equal(
      withoutCliDiagnostics('help ([ede_diagnostic] x stop_reason=y; API Error: 500)'),
      'help (API Error: 500)',
    );
    assert.equal(withoutCliDiagnostics('help (exit code 1)'), 'help (exit code 1)');
  });
});
