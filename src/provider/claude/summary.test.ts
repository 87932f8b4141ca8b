import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClaudeParser, finalOf } from './stream.js';
import { denialSummary, toolSummary } from './summary.js';

describe("Claude's tools in a few words", () => {
  it('names what each known tool was asked to do', () => {
    assert.equal(toolSummary('Bash', { command: 'df -h /', description: 'disk' }), '$ df -h /  (disk)');
    assert.equal(toolSummary('Bash', { command: 'ls\n  -la' }), '$ ls -la');
    assert.equal(toolSummary('Read', { file_path: '/etc/hosts' }), '/etc/hosts');
    assert.equal(toolSummary('Edit', { file_path: '/srv/a.yml', old_string: 'x' }), '/srv/a.yml');
    assert.equal(toolSummary('Grep', { pattern: 'ERROR', path: '/var/log' }), 'ERROR in /var/log');
    assert.equal(toolSummary('Glob', { pattern: '**/*.md' }), '**/*.md');
    assert.equal(toolSummary('WebFetch', { url: 'https://example.com' }), 'https://example.com');
    assert.equal(toolSummary('Agent', { description: 'look around' }), 'look around');
    assert.equal(toolSummary('Bash', 'x'.repeat(400)), undefined);
    assert.ok(toolSummary('Bash', { command: 'y'.repeat(400) })!.length <= 302);
  });

  it('leaves other tools, MCP ones included, to the generic excerpt', () => {
    assert.equal(toolSummary('mcp__db__query', { sql: 'select 1' }), undefined);
    assert.equal(toolSummary('Read', {}), undefined);
    assert.equal(toolSummary('Bash', undefined), undefined);
  });

  it('names a denied command, and nothing for a denial without one', () => {
    assert.equal(denialSummary({ command: 'rm -rf /' }), 'rm -rf /');
    assert.equal(denialSummary({ file_path: '/etc/passwd' }), undefined);
    assert.equal(denialSummary(undefined), undefined);
    assert.equal(denialSummary({ command: 'z'.repeat(200) })!.length, 120);
  });

  it('puts them on the tool_call events and the denials of the final result', () => {
    const [call] = new ClaudeParser().translate({
      type: 'assistant',
      message: { content: [{ type: 'tool_use', id: 't', name: 'Read', input: { file_path: '/a' } }] },
    });
    assert.deepEqual(call, { kind: 'tool_call', id: 't', name: 'Read', input: { file_path: '/a' }, summary: '/a' });
    const [mcp] = new ClaudeParser().translate({
      type: 'assistant',
      message: { content: [{ type: 'tool_use', id: 'm', name: 'mcp__db__q', input: {} }] },
    });
    assert.equal('summary' in mcp!, false);
    const final = finalOf({
      type: 'result',
      subtype: 'success',
      is_error: false,
      permission_denials: [
        { tool_name: 'Bash', tool_input: { command: 'docker restart web' } },
        { tool_name: 'Write', tool_input: { file_path: '/x' } },
      ],
    });
    assert.deepEqual(final.denials, [
      { tool: 'Bash', input: { command: 'docker restart web' }, summary: 'docker restart web' },
      { tool: 'Write', input: { file_path: '/x' } },
    ]);
  });
});
