import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineBuffer } from './line-buffer.js';

function feed(chunks: string[]): string[] {
  const out: string[] = [];
  const lb = new LineBuffer((b) => out.push(b.toString('utf8')));
  for (const c of chunks) lb.push(Buffer.from(c));
  lb.end();
  return out;
}

describe('line buffer', () => {
  it('hands over complete lines as they come, one run per read', () => {
    assert.deepEqual(feed(['a\nb\n', 'c\n']), ['a\nb\n', 'c\n']);
  });

  it('joins a line cut across reads, and keeps the rest for later', () => {
    assert.deepEqual(feed(['{"a":', '1}\n{"b"', ':2}\nx']), ['{"a":1}\n', '{"b":2}\n', 'x\n']);
  });

  it('survives a line much longer than its buffer, and is reusable after it', () => {
    const long = 'y'.repeat(300_000);
    const chunks = [long.slice(0, 100_000), long.slice(100_000, 250_000), long.slice(250_000) + '\nnext', '\n'];
    assert.deepEqual(feed(chunks), [`${long}\n`, 'next\n']);
  });

  it('keeps multi-byte characters cut between reads whole', () => {
    const bytes = Buffer.from('café ☕\n');
    const out: string[] = [];
    const lb = new LineBuffer((b) => out.push(b.toString('utf8')));
    lb.push(bytes.subarray(0, 4));
    lb.push(bytes.subarray(4, 7));
    lb.push(bytes.subarray(7));
    assert.deepEqual(out, ['café ☕\n']);
  });
});
