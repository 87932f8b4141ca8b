import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StopSequence, stopPlan } from './stop.js';

/** A run whose process exits at the signal named, as a fake `send` sees it. */
function run(exitsAt: NodeJS.Signals | undefined, gentle?: number) {
  let exited = false;
  let done: () => void = () => undefined;
  const exit = new Promise<void>((resolve) => (done = resolve));
  const sent: [number | undefined, NodeJS.Signals][] = [];
  const seq = new StopSequence(
    { pid: 100, gentle: () => gentle, exit, exited: () => exited, started: Date.now() },
    (pid, sig) => {
      sent.push([pid, sig]);
      if (sig === exitsAt) {
        exited = true;
        done();
      }
    },
  );
  return { seq, sent };
}

describe('the stop sequence', () => {
  it('gives SIGINT half and SIGTERM a third of the budget, within 0.5 s and 5 s or 3 s', () => {
    assert.deepEqual(stopPlan(30_000), [
      ['SIGINT', 5_000],
      ['SIGTERM', 3_000],
      ['SIGKILL', 0],
    ]);
    assert.deepEqual(stopPlan(4_000), [
      ['SIGINT', 2_000],
      ['SIGTERM', 1_200],
      ['SIGKILL', 0],
    ]);
    assert.deepEqual(stopPlan(100), [
      ['SIGINT', 500],
      ['SIGTERM', 500],
      ['SIGKILL', 0],
    ]);
  });

  it('stops at SIGINT when the process exits, and only once whatever asks again', async () => {
    const { seq, sent } = run('SIGINT');
    await seq.stop('timeout', 10_000);
    await seq.stop('shutdown', 10_000);
    assert.equal(seq.by, 'timeout');
    assert.deepEqual(sent, [[100, 'SIGINT']]);
    assert.equal(seq.steps.length, 1);
    assert.match(seq.steps[0]!, /^SIGINT after \d+\.\d s$/);
  });

  it('sends the gentle signals to the reported PID and SIGKILL to the CLI', async () => {
    const { seq, sent } = run('SIGTERM', 7);
    await seq.stop('shutdown', 0);
    assert.deepEqual(sent, [
      [7, 'SIGINT'],
      [7, 'SIGTERM'],
    ]);
    assert.deepEqual(
      seq.steps.map((s) => s.split(' ')[0]),
      ['SIGINT', 'SIGTERM'],
    );
  });

  it('does nothing to a run that has ended', async () => {
    const { seq, sent } = run(undefined);
    (seq as unknown as { target: { exited: () => boolean } }).target.exited = () => true;
    await seq.stop('timeout', 1_000);
    assert.equal(seq.by, undefined);
    assert.deepEqual(sent, []);
  });
});
