// The NDJSON events of `claude --print --output-format stream-json --verbose`, and
// their translation into the daemon's provider-neutral events.
import type { EventParser } from '../cli-run.js';
import type { AgentEvent, FinalResult, ModelUsage } from '../provider.js';
import { denialSummary, toolSummary } from './summary.js';

export interface ContentBlock {
  type: string;
  text?: string;
  name?: string;
  id?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
}

export interface ResultEvent {
  type: 'result';
  subtype: string;
  is_error: boolean;
  api_error_status?: number | null;
  duration_ms?: number;
  num_turns?: number;
  result?: string;
  errors?: string[];
  total_cost_usd?: number;
  usage?: Record<string, unknown>;
  modelUsage?: Record<string, ModelUsage>;
  permission_denials?: { tool_name: string; tool_input?: unknown }[];
  structured_output?: unknown;
  terminal_reason?: string;
}

export type StreamEvent =
  | {
      type: 'system';
      subtype: 'init';
      model?: string;
      tools?: string[];
      mcp_servers?: { name: string; status: string }[];
      permissionMode?: string;
    }
  | {
      type: 'system';
      subtype: 'api_retry';
      attempt?: number;
      max_retries?: number;
      retry_delay_ms?: number;
      error_status?: number | null;
      error?: string;
    }
  | { type: 'system'; subtype: string; [k: string]: unknown }
  | { type: 'assistant'; message: { id?: string; content?: ContentBlock[] } }
  | { type: 'user'; message: { content?: ContentBlock[] | string } }
  | ResultEvent
  | { type: string; [k: string]: unknown };

export function parseEventLine(line: string): StreamEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const e = JSON.parse(line);
    return e && typeof e === 'object' && typeof e.type === 'string' ? (e as StreamEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** Lines longer than this are tool results worth not decoding whole (the CLI caps Bash output at 30,000 characters, twice over in each line). */
const BIG_LINE = 16 * 1024;
const USER_PREFIX = Buffer.from('{"type":"user"');
const HEAD = 1024;
/** Past this, a line that is not a tool result is not decoded at all: the daemon's heap is kept small on purpose. */
const MAX_DECODE = 8 * 1024 * 1024;

/**
 * Every event line in a newline-terminated Buffer. A big tool-result line is not
 * decoded and parsed whole: the story only shows its first line, so its head is
 * read and the event rebuilt from that (see toolResultHead).
 */
export function* eventsIn(lines: Buffer): Generator<{ event?: StreamEvent; text?: string }> {
  let start = 0;
  while (start < lines.length) {
    let end = lines.indexOf(0x0a, start);
    if (end < 0) end = lines.length;
    const line = lines.subarray(start, end);
    start = end + 1;
    if (line.length === 0) continue;
    if (line.length > BIG_LINE && line.subarray(0, USER_PREFIX.length).equals(USER_PREFIX)) {
      const event = toolResultHead(line);
      if (event) {
        yield { event };
        continue;
      }
    }
    if (line.length > MAX_DECODE) {
      yield {
        text: `(a line of ${(line.length / 1048576).toFixed(1)} MiB, left out of the story; it is in the .jsonl)`,
      };
      continue;
    }
    const text = line.toString('utf8');
    const event = parseEventLine(text);
    yield event ? { event } : { text };
  }
}

/**
 * A tool-result event rebuilt from the head of its line: the tool_use_id, the start
 * of the content (decoded as a JSON string up to where the head ends), and is_error.
 */
export function toolResultHead(line: Buffer): StreamEvent | undefined {
  const head = line.subarray(0, HEAD).toString('utf8');
  const id = /"tool_use_id":"([^"\\]+)"/.exec(head)?.[1];
  const at = head.search(/"(content|text)":"/);
  if (!id || at < 0) return undefined;
  const content = decodeJsonStringPrefix(head.slice(head.indexOf(':"', at) + 2));
  const isError = errorFlag(line);
  return {
    type: 'user',
    message: { content: [{ type: 'tool_result', tool_use_id: id, content: `${content}…`, is_error: isError }] },
  };
}

const ERROR_KEY = Buffer.from('"is_error":');

/**
 * The tool result's is_error. The key follows the content, and the CLI's only other
 * long field (tool_use_result) comes after it, so the search runs from the end; a key
 * quoted inside an escaped string (preceded by a backslash) is skipped.
 */
function errorFlag(line: Buffer): boolean {
  for (let at = line.lastIndexOf(ERROR_KEY); at >= 0; at = at > 0 ? line.lastIndexOf(ERROR_KEY, at - 1) : -1) {
    if (line[at - 1] !== 0x5c) return line[at + ERROR_KEY.length] === 0x74; // 't' of true
  }
  return false;
}

/** Decodes the start of a JSON string literal (without its opening quote) up to its closing quote or a cut escape. */
export function decodeJsonStringPrefix(raw: string): string {
  let end = 0;
  while (end < raw.length) {
    const c = raw.charCodeAt(end);
    if (c === 0x22) break;
    if (c !== 0x5c) {
      end++;
      continue;
    }
    const width = raw[end + 1] === 'u' ? 6 : 2;
    if (end + width > raw.length) break;
    end += width;
  }
  try {
    return JSON.parse(`"${raw.slice(0, end)}"`) as string;
  } catch {
    return raw.slice(0, end);
  }
}

export const isResult = (e: StreamEvent): e is ResultEvent => e.type === 'result';

/** The CLI's tool for the verdict (--json-schema). */
const VERDICT_TOOL = 'StructuredOutput';

/** What the final result event says, in neutral terms. */
export function finalOf(r: ResultEvent): FinalResult {
  const failed = r.is_error || r.subtype !== 'success';
  // The CLI's own diagnostics ("[ede_diagnostic] … stop_reason=tool_use") are for its authors, not operators.
  const errors = (r.errors ?? []).filter((e) => !e.startsWith('[ede_diagnostic]'));
  return {
    verdict: r.structured_output,
    text: r.result ?? (errors.length ? errors.join('; ') : undefined),
    costUsd: r.total_cost_usd,
    turns: r.num_turns,
    usage: r.modelUsage ?? {},
    denials: (r.permission_denials ?? []).map((d) => ({
      tool: d.tool_name,
      input: d.tool_input,
      ...summarized(denialSummary(d.tool_input)),
    })),
    ...(failed
      ? {
          failure: {
            kind: r.subtype,
            status: r.api_error_status,
            text: `${r.result ?? ''} ${errors.join(' ')}`.trim(),
          },
        }
      : {}),
  };
}

/** The `summary` field, when there is one: left out rather than undefined. */
const summarized = (summary: string | undefined) => (summary === undefined ? {} : { summary });

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (typeof c?.text === 'string' ? c.text : '')).join('\n');
  return '';
}

/** Reads stream-json output into neutral events; remembers tool names so results can be told apart. */
export class ClaudeParser implements EventParser {
  private toolNames = new Map<string, string>();

  *parse(lines: Buffer): Generator<{ event?: AgentEvent; text?: string }> {
    for (const { event, text } of eventsIn(lines)) {
      if (!event) {
        yield { text };
        continue;
      }
      for (const e of this.translate(event)) yield { event: e };
    }
  }

  translate(event: StreamEvent): AgentEvent[] {
    const e = event as Record<string, any>;
    if (isResult(event)) return [{ kind: 'final', result: finalOf(event) }];
    if (event.type === 'system') {
      if (e.subtype === 'init')
        return [
          {
            kind: 'session',
            model: String(e.model ?? ''),
            tools: (e.tools ?? []) as string[],
            mcp: (e.mcp_servers ?? []) as { name: string; status: string }[],
          },
        ];
      if (e.subtype === 'api_retry')
        return [
          {
            kind: 'retry',
            attempt: e.attempt,
            of: e.max_retries,
            delayMs: e.retry_delay_ms,
            status: e.error_status,
            error: e.error === undefined ? undefined : String(e.error),
          },
        ];
      if (e.subtype === 'model_fallback') return [{ kind: 'notice', text: `switched model: ${JSON.stringify(e)}` }];
      return [];
    }
    if (event.type === 'assistant')
      return ((e.message?.content ?? []) as ContentBlock[]).flatMap((b) => this.assistantBlock(b));
    if (event.type === 'user' && Array.isArray(e.message?.content)) {
      return (e.message.content as ContentBlock[]).flatMap((b): AgentEvent[] => {
        if (b.type !== 'tool_result') return [];
        const name = (b.tool_use_id && this.toolNames.get(b.tool_use_id)) || 'tool';
        return name === VERDICT_TOOL
          ? []
          : [
              {
                kind: 'tool_result',
                id: b.tool_use_id ?? '',
                name,
                text: resultText(b.content),
                isError: b.is_error === true,
              },
            ];
      });
    }
    return [];
  }

  /** A message's text, a tool call with its summary, or the verdict. */
  private assistantBlock(b: ContentBlock): AgentEvent[] {
    if (b.type === 'text' && b.text?.trim()) return [{ kind: 'text', text: b.text }];
    if (b.type !== 'tool_use') return [];
    if (b.id) this.toolNames.set(b.id, b.name ?? '?');
    if (b.name === VERDICT_TOOL) return [{ kind: 'verdict', value: b.input }];
    const name = b.name ?? '?';
    return [{ kind: 'tool_call', id: b.id ?? '', name, input: b.input, ...summarized(toolSummary(name, b.input)) }];
  }
}
