import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { runProcess } from './process.js';

const options = (onLines: (lines: Buffer) => Promise<void> | undefined) => ({
  runId: randomUUID(),
  timeoutMs: 30_000,
  shutdown: new AbortController().signal,
  shutdownGraceMs: 5_000,
  onLines,
  onStderr: () => undefined,
});

describe('running a process', () => {
  it('reads the output to its end even when the consumer makes it wait longer than the drain window', async () => {
    const seen: string[] = [];
    let first = true;
    const end = await runProcess(
      {
        file: 'sh',
        args: ['-c', 'echo one; sleep 0.2; echo two; echo three'],
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        stdin: '',
      },
      options((lines) => {
        seen.push(lines.toString());
        if (!first) return undefined;
        first = false;
        return new Promise((r) => setTimeout(r, 2_500));
      }),
    );
    assert.equal(end.exitCode, 0);
    assert.equal(seen.join(''), 'one\ntwo\nthree\n');
  });

  it('does not hang on a grandchild that keeps the output pipe open', async () => {
    const t0 = Date.now();
    const end = await runProcess(
      {
        file: 'sh',
        args: ['-c', '(sleep 30 &) ; echo done'],
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        stdin: '',
      },
      options(() => undefined),
    );
    assert.equal(end.exitCode, 0);
    assert.ok(Date.now() - t0 < 10_000, `returned in ${Date.now() - t0} ms`);
    assert.equal(end.swept.length, 1, 'the sleeping grandchild was swept');
  });
});
