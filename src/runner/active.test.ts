import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeRuns, track, untrack } from './active.js';

describe('the runs under way', () => {
  it('holds a run from its start to its end, and none that never started', () => {
    track('run-a', 12345);
    track('run-b', undefined);
    assert.deepEqual(
      activeRuns().filter(([id]) => id.startsWith('run-')),
      [['run-a', 12345]],
    );
    untrack('run-a');
    assert.deepEqual(
      activeRuns().filter(([id]) => id.startsWith('run-')),
      [],
    );
  });
});
