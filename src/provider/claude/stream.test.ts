import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Story } from '../../tier/story.js';
import { ClaudeParser, decodeJsonStringPrefix, eventsIn } from './stream.js';

/** The story of stream-json lines, as a tier run tells it: parsed into neutral events, then told. */
const tell = (parser: ClaudeParser, buf: Buffer, story = new Story()) =>
  [...parser.parse(buf)].flatMap(({ event }) => (event ? story.lines(event, t) : []));

const t = new Date('2026-11-21T10:00:00Z');
const lines = (...events: object[]) => Buffer.from(events.map((e) => JSON.stringify(e)).join('\n') + '\n');

describe('the stream-json parser and the run story', () => {
  it('tells one line per message, tool call and result, then the checks of the verdict', () => {
    const out = tell(
      new ClaudeParser(),
      lines(
        {
          type: 'system',
          subtype: 'init',
          model: 'claude-haiku-4-5-20251001',
          tools: ['Bash', 'Read'],
          mcp_servers: [{ name: 'probe', status: 'connected' }],
        },
        { type: 'assistant', message: { content: [{ type: 'text', text: 'Checking disk.' }] } },
        {
          type: 'assistant',
          message: {
            content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'df -h /', description: 'disk' } }],
          },
        },
        {
          type: 'user',
          message: {
            content: [
              { type: 'tool_result', tool_use_id: 't1', content: 'Filesystem Size\n/dev/vda 252G\n', is_error: false },
            ],
          },
        },
        {
          type: 'system',
          subtype: 'api_retry',
          attempt: 1,
          max_retries: 10,
          retry_delay_ms: 500,
          error_status: 529,
          error: 'overloaded',
        },
        {
          type: 'assistant',
          message: {
            content: [
              {
                type: 'tool_use',
                id: 't2',
                name: 'StructuredOutput',
                input: {
                  status: 'healthy',
                  summary: 's',
                  escalate: false,
                  checks: [{ id: 'builtin/disk-space.md', status: 'healthy', service: 'host', detail: '23%' }],
                },
              },
            ],
          },
        },
        {
          type: 'user',
          message: {
            content: [{ type: 'tool_result', tool_use_id: 't2', content: 'Structured output provided successfully' }],
          },
        },
      ),
    );
    assert.deepEqual(out, [
      '10:00:00 session  model claude-haiku-4-5-20251001; tools Bash, Read; MCP probe (connected)',
      '10:00:00 says     Checking disk.',
      '10:00:00 tool     Bash $ df -h /  (disk)',
      '10:00:00   result Filesystem Size (+1 more lines)',
      '10:00:00 retry    API attempt 1/10 failed (529: overloaded), retrying in 0.5 s',
      '10:00:00 check    [healthy] builtin/disk-space.md (host): 23%',
    ]);
  });

  it('reads only the head of a big tool result, and still tells its first line and error flag', () => {
    const output = 'first line of a "big" output\n' + 'x'.repeat(40_000);
    const big = lines({
      type: 'user',
      message: { content: [{ type: 'tool_result', tool_use_id: 'tb', content: output, is_error: true }] },
      tool_use_result: { stdout: output },
    });
    const parser = new ClaudeParser();
    tell(
      parser,
      lines({
        type: 'assistant',
        message: { content: [{ type: 'tool_use', id: 'tb', name: 'Bash', input: { command: 'cat big' } }] },
      }),
    );
    assert.equal([...eventsIn(big)].length, 1, 'one event, from the head');
    const [line] = tell(parser, big);
    assert.equal(line, '10:00:00   error  first line of a "big" output (+1 more lines)');
    assert.ok(line.length < 200);
  });

  it('reads is_error of a big result right, even when the output quotes the key', () => {
    const output = 'log says "is_error":true here\n' + 'z'.repeat(40_000);
    const ok = lines({
      type: 'user',
      message: { content: [{ type: 'tool_result', tool_use_id: 'ta', content: output, is_error: false }] },
      tool_use_result: { stdout: output },
    });
    const [line] = tell(new ClaudeParser(), ok);
    assert.match(line!, /^10:00:00 {3}result log says "is_error":true here/);
  });

  it('decodes the start of a JSON string cut anywhere, even inside an escape', () => {
    assert.equal(decodeJsonStringPrefix('abc\\n def" , "rest'), 'abc\n def');
    assert.equal(decodeJsonStringPrefix('caf\\u00e9 ok'), 'café ok');
    assert.equal(decodeJsonStringPrefix('cut \\u00'), 'cut ');
    assert.equal(decodeJsonStringPrefix('cut \\'), 'cut ');
    assert.equal(decodeJsonStringPrefix('a \\"quoted\\" word"'), 'a "quoted" word');
  });

  it('leaves a giant line out of the story instead of decoding it', () => {
    const giant = Buffer.concat([
      Buffer.from('{"type":"assistant","message":{"content":[{"type":"text","text":"'),
      Buffer.alloc(9 * 1024 * 1024, 0x61),
      Buffer.from('"}]}}\n'),
    ]);
    assert.deepEqual(
      [...eventsIn(giant)],
      [{ text: '(a line of 9.0 MiB, left out of the story; it is in the .jsonl)' }],
    );
  });

  it('passes non-JSON output through as text', () => {
    assert.deepEqual([...eventsIn(Buffer.from('Error: something odd\n'))], [{ text: 'Error: something odd' }]);
  });
});
