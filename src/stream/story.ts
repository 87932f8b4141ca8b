import type { ContentBlock, StreamEvent } from './events.js';

const RESULT_WIDTH = 160;
const INPUT_WIDTH = 300;

/** HH:MM:SS in UTC, the time column of a story line. */
export const clock = (d = new Date()) => d.toISOString().slice(11, 19);

/** The kind column of a timed story line (tool, says, result, VERDICT, …); undefined for header and frame lines. */
export const storyKind = (line: string): string | undefined => /^\d\d:\d\d:\d\d\s+(\S+)/.exec(line)?.[1];

/**
 * Turns stream events into the human story of a run: one line per assistant message
 * and per tool call, a short line per tool result.
 */
export class Story {
  private toolNames = new Map<string, string>();

  lines(event: StreamEvent, now = new Date()): string[] {
    const t = clock(now);
    const e = event as Record<string, any>;
    switch (event.type) {
      case 'system':
        return this.system(t, e);
      case 'assistant':
        return ((e.message?.content ?? []) as ContentBlock[]).flatMap((b) => this.assistantBlock(t, b));
      case 'user': {
        const content = e.message?.content;
        return Array.isArray(content) ? (content as ContentBlock[]).flatMap((b) => this.toolResult(t, b)) : [];
      }
      default:
        return [];
    }
  }

  private system(t: string, e: Record<string, any>): string[] {
    if (e.subtype === 'init') {
      const mcp = ((e.mcp_servers ?? []) as { name: string; status: string }[]).map((s) => `${s.name} (${s.status})`).join(', ') || 'none';
      return [`${t} session  model ${e.model}; tools ${((e.tools ?? []) as string[]).join(', ') || 'none'}; MCP ${mcp}`];
    }
    if (e.subtype === 'api_retry') {
      const wait = typeof e.retry_delay_ms === 'number' ? ` in ${(e.retry_delay_ms / 1000).toFixed(1)} s` : '';
      return [`${t} retry    API attempt ${e.attempt}/${e.max_retries} failed (${e.error_status ?? 'no status'}: ${oneLine(String(e.error ?? ''), 120)}), retrying${wait}`];
    }
    if (e.subtype === 'model_fallback') return [`${t} fallback switched model: ${oneLine(JSON.stringify(e), 200)}`];
    return [];
  }

  private assistantBlock(t: string, b: ContentBlock): string[] {
    if (b.type === 'text' && b.text?.trim()) return [`${t} says     ${indent(b.text.trim())}`];
    if (b.type === 'tool_use') {
      if (b.id) this.toolNames.set(b.id, b.name ?? '?');
      if (b.name === 'StructuredOutput') return verdictLines(t, b.input);
      return [`${t} tool     ${b.name} ${describeInput(b.name ?? '', b.input)}`];
    }
    return [];
  }

  private toolResult(t: string, b: ContentBlock): string[] {
    if (b.type !== 'tool_result') return [];
    const name = (b.tool_use_id && this.toolNames.get(b.tool_use_id)) || 'tool';
    if (name === 'StructuredOutput') return [];
    const { first, more } = firstLine(resultText(b.content));
    const mark = b.is_error ? 'error ' : 'result';
    return [`${t}   ${mark} ${oneLine(first || '(empty)', RESULT_WIDTH)}${more > 0 ? ` (+${more} more lines)` : ''}`];
  }
}

function verdictLines(t: string, input: unknown): string[] {
  const v = (input ?? {}) as { checks?: Record<string, unknown>[]; remediations?: Record<string, unknown>[] };
  const checks = (v.checks ?? []).map(
    (c) => `${t} check    [${c.status}] ${c.id}${c.service ? ` (${c.service})` : ''}${c.detail ? `: ${oneLine(String(c.detail), RESULT_WIDTH)}` : ''}`,
  );
  const actions = (v.remediations ?? []).map(
    (r) => `${t} action   ${r.action} ${r.service} → ${r.outcome}${r.detail ? ` (${oneLine(String(r.detail), RESULT_WIDTH)})` : ''}`,
  );
  return [...checks, ...actions];
}

export function describeInput(tool: string, input: unknown): string {
  const i = (input ?? {}) as Record<string, unknown>;
  if (tool === 'Bash' && typeof i.command === 'string') {
    return `$ ${oneLine(i.command, INPUT_WIDTH)}${typeof i.description === 'string' ? `  (${oneLine(i.description, 80)})` : ''}`;
  }
  if ((tool === 'Read' || tool === 'Write' || tool === 'Edit') && typeof i.file_path === 'string') return i.file_path;
  if ((tool === 'Grep' || tool === 'Glob') && typeof i.pattern === 'string') return `${i.pattern}${typeof i.path === 'string' ? ` in ${i.path}` : ''}`;
  if (tool === 'WebFetch' && typeof i.url === 'string') return i.url;
  if ((tool === 'Task' || tool === 'Agent') && typeof i.description === 'string') return oneLine(i.description, INPUT_WIDTH);
  return oneLine(JSON.stringify(input ?? {}), INPUT_WIDTH);
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (typeof c?.text === 'string' ? c.text : '')).join('\n');
  return '';
}

/** The first non-blank line of a text and how many lines follow it, without splitting all of it. */
function firstLine(text: string): { first: string; more: number } {
  let start = 0;
  let first = '';
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (!first) first = text.slice(start, end).trim() ? text.slice(start, end) : '';
    else if (text.slice(start, end).trim()) {
      let more = 1;
      for (let i = text.indexOf('\n', end); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) more++;
      return { first, more };
    }
    start = end + 1;
  }
  return { first, more: 0 };
}

export function oneLine(s: string, width: number): string {
  const flat = (s.length > width * 4 ? s.slice(0, width * 4) : s).replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

const indent = (s: string) => s.replace(/\n/g, '\n                  ');
