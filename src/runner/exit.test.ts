import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { spawnError, watchExit } from './exit.js';

const child = (pid?: number) => Object.assign(new EventEmitter(), { pid }) as unknown as ChildProcess;
const enoent = Object.assign(new Error('spawn nope ENOENT'), { code: 'ENOENT' });

describe('the end of a process', () => {
  it('is its exit code and signal', async () => {
    const c = child(10);
    const w = watchExit(c, 'claude');
    assert.equal(w.exited(), false);
    c.emit('exit', null, 'SIGKILL');
    assert.deepEqual(await w.exit, { code: null, signal: 'SIGKILL' });
    assert.equal(w.exited(), true);
  });

  it('names a missing binary, and takes an error of a started process for no end', async () => {
    const missing = child(undefined);
    const w = watchExit(missing, 'claude');
    missing.emit('error', enoent);
    assert.deepEqual(await w.exit, { code: null, signal: null, error: 'claude: command not found' });

    const started = child(11);
    const s = watchExit(started, 'claude');
    started.emit('error', new Error('write EPIPE'));
    assert.equal(s.exited(), false);
    assert.equal(spawnError(new Error('EACCES'), 'claude'), 'EACCES');
  });
});
