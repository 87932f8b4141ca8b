import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { childPidIn, reportedPid } from './signal.js';

describe('the PID bwrap reports on its info fd', () => {
  it('is read from its JSON, and not before it is complete', () => {
    assert.equal(childPidIn('{\n    "child-pid": 4242\n}\n'), 4242);
    assert.equal(childPidIn('{"child-pid":17'), 17);
    assert.equal(childPidIn('{"child-'), undefined);
    assert.equal(childPidIn(''), undefined);
  });

  it('is known once the stream has said it, across reads', () => {
    const fd = new PassThrough();
    const pid = reportedPid(fd);
    assert.equal(pid(), undefined);
    fd.write('{\n  "child');
    assert.equal(pid(), undefined);
    fd.write('-pid": 31\n}\n');
    assert.equal(pid(), 31);
    assert.equal(reportedPid(undefined)(), undefined);
  });
});
