import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Story } from '../../tier/story.js';
import { CodexParser } from './stream.js';

const t = new Date('2026-11-21T10:00:00Z');
const tell = (...events: object[]) => {
  const parser = new CodexParser('gpt-5-mini');
  const story = new Story();
  return events.flatMap((e) => parser.translate(e as Record<string, unknown>)).flatMap((e) => story.lines(e, t));
};

describe("Codex's tool calls in the story", () => {
  it('tells a command as `$ command`, a file change by its files, an MCP call by its arguments', () => {
    assert.deepEqual(
      tell(
        { type: 'item.started', item: { id: 'c1', type: 'command_execution', command: 'df -h /' } },
        {
          type: 'item.completed',
          item: { id: 'f1', type: 'file_change', changes: [{ kind: 'update', path: '/srv/a' }] },
        },
        {
          type: 'item.started',
          item: { id: 'm1', type: 'mcp_tool_call', server: 'db', tool: 'query', arguments: { sql: 'select 1' } },
        },
      ),
      [
        '10:00:00 tool     Bash $ df -h /',
        '10:00:00 tool     Edit update /srv/a',
        '10:00:00 tool     mcp__db__query {"sql":"select 1"}',
      ],
    );
  });

  it('falls back to the input when a command has no text', () => {
    assert.deepEqual(tell({ type: 'item.started', item: { id: 'c2', type: 'command_execution' } }), [
      '10:00:00 tool     Bash {}',
    ]);
  });
});
