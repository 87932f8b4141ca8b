import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Story } from './story.js';

const t = new Date('2026-11-21T10:00:00Z');

describe('the story of a tool call', () => {
  it("shows the provider's summary as it is", () => {
    const lines = new Story().lines({ kind: 'tool_call', id: '1', name: 'Run', input: { x: 1 }, summary: '$ ls' }, t);
    assert.deepEqual(lines, ['10:00:00 tool     Run $ ls']);
  });

  it('shows a one-line excerpt of the input without one, whatever the tool is called', () => {
    const story = new Story();
    assert.deepEqual(story.lines({ kind: 'tool_call', id: '1', name: 'Bash', input: { command: 'ls' } }, t), [
      '10:00:00 tool     Bash {"command":"ls"}',
    ]);
    const [long] = story.lines({ kind: 'tool_call', id: '2', name: 'x', input: { text: 'a'.repeat(1000) } }, t);
    assert.equal(long!.length, '10:00:00 tool     x '.length + 300);
    assert.ok(long!.endsWith('…'));
  });
});

describe('the story of a tool result', () => {
  const result = (text: string) =>
    new Story().lines({ kind: 'tool_result', id: '1', name: 'Bash', text, isError: false }, t)[0];

  it('shows the first line that says something, past a shell’s noise, and counts the rest', () => {
    assert.equal(
      result('bash: warning: setlocale: LC_ALL: cannot change locale (C.UTF-8)\n\nweb  Up 3 hours\ndb  Exited (1)\n'),
      '10:00:00   result web Up 3 hours (+2 more lines)',
    );
    assert.equal(
      result(
        '/bin/bash: cannot set terminal process group (-1): Inappropriate ioctl for device\nbash: no job control in this shell\nok',
      ),
      '10:00:00   result ok (+2 more lines)',
    );
  });

  it('falls back to the noise when that is all there is, and says so of an empty result', () => {
    assert.equal(result('bash: warning: setlocale: x\n'), '10:00:00   result bash: warning: setlocale: x');
    assert.equal(result('\n\n'), '10:00:00   result (empty)');
    assert.equal(result('one\n'), '10:00:00   result one');
    assert.equal(result('one\ntwo\nthree'), '10:00:00   result one (+2 more lines)');
  });
});
