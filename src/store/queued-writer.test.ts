import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { QueuedWriter } from './queued-writer.js';

describe('queued writer', () => {
  it('writes everything in order, from buffers the caller reuses, and asks the producer to wait when it lags', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-qw-')), 'out');
    const fd = fs.openSync(file, 'a');
    const w = new QueuedWriter(fd, (e) => assert.fail(String(e)), 64 * 1024);
    const reused = Buffer.alloc(16 * 1024);
    let waits = 0;
    for (let i = 0; i < 200; i++) {
      reused.fill(65 + (i % 26));
      const wait = w.write(reused);
      if (wait) {
        waits++;
        await wait;
      }
    }
    await w.drained();
    fs.closeSync(fd);
    const out = fs.readFileSync(file);
    assert.equal(out.length, 200 * 16 * 1024);
    for (let i = 0; i < 200; i++) assert.equal(out[i * 16 * 1024 + 100], 65 + (i % 26), `block ${i}`);
    assert.ok(waits > 0, 'the backlog bound was reached at least once');
  });

  it('reports a failed write once and stops writing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-qw-'));
    fs.writeFileSync(path.join(dir, 'f'), '');
    const fd = fs.openSync(path.join(dir, 'f'), 'r');
    const errors: unknown[] = [];
    const w = new QueuedWriter(fd, (e) => errors.push(e));
    void w.write(Buffer.from('x'));
    await w.drained();
    assert.equal(errors.length, 1);
    assert.equal(w.write(Buffer.from('y')), undefined);
    fs.closeSync(fd);
  });
});
