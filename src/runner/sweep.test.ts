import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { findMarked, isZombie, RUN_MARKER, sweep } from './sweep.js';

const start = (marker: string) => {
  const child = spawn('sleep', ['100'], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [RUN_MARKER]: marker },
  });
  child.unref();
  return child.pid!;
};
const gone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return isZombie(pid);
  } catch {
    return true;
  }
};

describe('leftover sweep', { skip: process.platform !== 'linux' ? 'reads /proc' : false }, () => {
  it('finds and kills the processes carrying the run’s marker, even in their own session, and no others', async () => {
    const mine = start('run-a');
    const other = start('run-b');
    try {
      assert.deepEqual(findMarked('run-a', process.pid), [mine]);
      assert.deepEqual(sweep('run-a', process.pid), [mine]);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(gone(mine), 'the marked process is gone');
      assert.ok(!gone(other), 'another run’s process is left alone');
    } finally {
      for (const pid of [mine, other]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  });
});
