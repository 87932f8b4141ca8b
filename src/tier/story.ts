import type { AgentEvent } from '../provider/provider.js';
import { clock, oneLine } from '../stream/story-line.js';

const RESULT_WIDTH = 160;
const INPUT_WIDTH = 300;

/**
 * Turns a run's provider-neutral events into its human story: one line per message
 * and per tool call, a short line per tool result, and the verdict's checks.
 */
export class Story {
  lines(event: AgentEvent, now = new Date()): string[] {
    const t = clock(now);
    switch (event.kind) {
      case 'session': {
        const mcp = event.mcp.map((s) => `${s.name} (${s.status})`).join(', ') || 'none';
        return [`${t} session  model ${event.model}; tools ${event.tools.join(', ') || 'none'}; MCP ${mcp}`];
      }
      case 'retry': {
        const wait = typeof event.delayMs === 'number' ? ` in ${(event.delayMs / 1000).toFixed(1)} s` : '';
        return [
          `${t} retry    API attempt ${event.attempt}/${event.of} failed (${event.status ?? 'no status'}: ${oneLine(event.error ?? '', 120)}), retrying${wait}`,
        ];
      }
      case 'notice':
        return [`${t} notice   ${oneLine(event.text, 200)}`];
      case 'text':
        return event.text.trim() ? [`${t} says     ${indent(event.text.trim())}`] : [];
      case 'tool_call':
        return [`${t} tool     ${event.name} ${event.summary ?? describeInput(event.input)}`];
      case 'verdict':
        return verdictLines(t, event.value);
      case 'tool_result': {
        const { first, more } = firstLine(event.text);
        return [
          `${t}   ${event.isError ? 'error ' : 'result'} ${oneLine(first || '(empty)', RESULT_WIDTH)}${more > 0 ? ` (+${more} more lines)` : ''}`,
        ];
      }
      default:
        return [];
    }
  }
}

function verdictLines(t: string, input: unknown): string[] {
  const v = (input ?? {}) as { checks?: Record<string, unknown>[]; remediations?: Record<string, unknown>[] };
  const checks = (v.checks ?? []).map(
    (c) =>
      `${t} check    [${c.status}] ${c.id}${c.service ? ` (${c.service})` : ''}${c.detail ? `: ${oneLine(String(c.detail), RESULT_WIDTH)}` : ''}`,
  );
  const actions = (v.remediations ?? []).map(
    (r) =>
      `${t} action   ${r.action} ${r.service} → ${r.outcome}${r.detail ? ` (${oneLine(String(r.detail), RESULT_WIDTH)})` : ''}`,
  );
  return [...checks, ...actions];
}

/** A tool call's input as an excerpt of its JSON: for a call its provider gave no summary of. */
export function describeInput(input: unknown): string {
  return oneLine(JSON.stringify(input ?? {}), INPUT_WIDTH);
}

/** A shell's complaint about its terminal or locale: true of nearly every caged Bash call, and says nothing. */
const SHELL_NOISE = /^\s*(?:\S*\/)?(?:ba|da)?sh: (?:warning: |cannot set terminal process group|no job control)/;

/**
 * The first line of a text that says something (not blank, not a shell's noise; the first
 * noise line when that is all there is) and how many other lines it has, without
 * splitting all of it.
 */
function firstLine(text: string): { first: string; more: number } {
  let start = 0;
  let noise: string | undefined;
  let skipped = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (line.trim()) {
      if (!SHELL_NOISE.test(line)) return { first: line, more: skipped + linesAfter(text, end) };
      noise ??= line;
      skipped++;
    }
    start = end + 1;
  }
  return { first: noise ?? '', more: Math.max(0, skipped - 1) };
}

/** How many lines follow position `end`, when anything but blanks does. */
function linesAfter(text: string, end: number): number {
  if (!text.slice(end).trim()) return 0;
  let more = 1;
  for (let i = text.indexOf('\n', end + 1); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) more++;
  return more;
}

const indent = (s: string) => s.replace(/\n/g, '\n                  ');
