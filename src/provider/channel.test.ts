import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Channel } from './channel.js';

describe('channel', () => {
  it('hands items over in order, then ends, or throws what the producer failed with', async () => {
    const c = new Channel<number>();
    c.push(1);
    c.push(2);
    setImmediate(() => {
      c.push(3);
      c.close();
    });
    const got: number[] = [];
    for await (const n of c) got.push(n);
    assert.deepEqual(got, [1, 2, 3]);

    const f = new Channel<number>();
    f.push(1);
    f.fail(new Error('boom'));
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const n of f) seen.push(n);
    }, /boom/);
    assert.deepEqual(seen, [1]);
  });

  it('asks the producer to wait past its high-water mark until the consumer has taken everything', async () => {
    const c = new Channel<number>(2);
    c.push(1);
    assert.equal(c.drained(), undefined);
    c.push(2);
    const wait = c.drained();
    assert.ok(wait);
    let released = false;
    void wait.then(() => (released = true));
    const it = c[Symbol.asyncIterator]();
    await it.next();
    await Promise.resolve();
    assert.equal(released, false);
    await it.next();
    const third = it.next();
    await wait;
    assert.equal(released, true);
    c.close();
    assert.equal((await third).done, true);
  });

  it('lets the producer go once the consumer stops taking items', async () => {
    const c = new Channel<number>(1);
    c.push(1);
    const wait = c.drained();
    for await (const _ of c) break;
    await wait;
    assert.equal(c.drained(), undefined);
  });
});
