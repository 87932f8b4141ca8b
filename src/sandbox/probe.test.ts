import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sandboxDecision } from './probe.js';

const down = { ok: false as const, why: 'bubblewrap is not installed' };

describe('whether a run is sandboxed', () => {
  it('sandboxes every run where bubblewrap starts, unless turned off', () => {
    for (const ro of [true, false]) {
      assert.deepEqual(sandboxDecision('required', ro, { ok: true }), { sandboxed: true });
      assert.deepEqual(sandboxDecision('auto', ro, { ok: true }), { sandboxed: true });
      assert.equal(sandboxDecision('off', ro, { ok: true }).sandboxed, false);
    }
  });

  it('refuses a run that requires the sandbox where it cannot start, naming why', () => {
    assert.match(
      sandboxDecision('required', false, down).refuse!,
      /cannot start, so this run was not started: bubblewrap is not installed/,
    );
    assert.match(sandboxDecision('auto', true, down).refuse!, /read-only run was not started/);
  });

  it('lets tiers 2–3 run unconfined under auto, with a warning, and warns when a read-only run is unconfined by choice', () => {
    const d = sandboxDecision('auto', false, down);
    assert.equal(d.refuse, undefined);
    assert.match(d.warning!, /running without the OS sandbox/);
    assert.match(sandboxDecision('off', true, down).warning!, /rests on its tool set/);
  });
});
