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
