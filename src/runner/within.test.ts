import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { within } from './within.js';

describe('waiting at most so long', () => {
  it('gives the value when the promise settles in time', async () => {
    assert.equal(await within(Promise.resolve(3), 1_000), 3);
  });

  it('gives undefined when the time is up first', async () => {
    assert.equal(await within(new Promise<number>(() => undefined), 5), undefined);
  });
});
