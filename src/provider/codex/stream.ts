// The JSONL events of `codex exec --json` (0.169), and their translation into the
// daemon's provider-neutral events. The verdict is the last agent message (the CLI was
// given --output-schema); tokens come with turn.completed and are priced here.
import { oneLine } from '../../stream/story-line.js';
import type { EventParser } from '../cli-run.js';
import type { AgentEvent, FinalResult } from '../provider.js';
import { costUsd } from './prices.js';

interface Item {
  id?: string;
  type?: string;
  text?: string;
  message?: string;
  command?: string;
  aggregated_output?: string;
  exit_code?: number | null;
  server?: string;
  tool?: string;
  arguments?: unknown;
  result?: { content?: { text?: string }[] } | null;
  error?: { message?: string } | null;
  status?: string;
  changes?: { path?: string; kind?: string }[];
}

/** JSON nulls (the strict schema's stand-in for an absent optional field) dropped, recursively. */
const withoutNulls = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutNulls)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== null)
            .map(([k, x]) => [k, withoutNulls(x)]),
        )
      : v;

export class CodexParser implements EventParser {
  private lastMessage: string | undefined;
  private turns = 0;
  private usage = { input: 0, cached: 0, output: 0 };

  constructor(private readonly model: string) {}

  *parse(lines: Buffer): Generator<{ event?: AgentEvent; text?: string }> {
    for (const line of lines.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      let e: Record<string, any>;
      try {
        e = JSON.parse(line) as Record<string, any>;
      } catch {
        yield { text: line };
        continue;
      }
      for (const event of this.translate(e)) yield { event };
    }
  }

  translate(e: Record<string, any>): AgentEvent[] {
    const item = (e.item ?? {}) as Item;
    switch (e.type) {
      case 'thread.started':
        return [{ kind: 'session', model: this.model, tools: ['shell'], mcp: [] }];
      case 'turn.started':
        this.turns++;
        return [];
      case 'item.started':
        return this.started(item);
      case 'item.completed':
        return this.completed(item);
      case 'error':
        return [{ kind: 'notice', text: String(e.message ?? '') }];
      case 'turn.completed': {
        const u = e.usage ?? {};
        this.usage = {
          input: this.usage.input + (u.input_tokens ?? 0),
          cached: this.usage.cached + (u.cached_input_tokens ?? 0),
          output: this.usage.output + (u.output_tokens ?? 0),
        };
        return this.final();
      }
      case 'turn.failed':
        return this.final(String(e.error?.message ?? 'the turn failed'));
      default:
        return [];
    }
  }

  /** A command or an MCP call begun; a command is summarized as `$ command`. */
  private started(item: Item): AgentEvent[] {
    const id = item.id ?? '';
    if (item.type === 'command_execution') {
      const summary = typeof item.command === 'string' ? { summary: `$ ${oneLine(item.command, 300)}` } : {};
      return [{ kind: 'tool_call', id, name: 'Bash', input: { command: item.command }, ...summary }];
    }
    if (item.type === 'mcp_tool_call')
      return [{ kind: 'tool_call', id, name: `mcp__${item.server}__${item.tool}`, input: item.arguments }];
    return [];
  }

  private completed(item: Item): AgentEvent[] {
    switch (item.type) {
      case 'agent_message':
        this.lastMessage = item.text ?? '';
        return [{ kind: 'text', text: this.lastMessage }];
      case 'command_execution':
        return [
          {
            kind: 'tool_result',
            id: item.id ?? '',
            name: 'Bash',
            text: item.aggregated_output ?? '',
            isError: item.exit_code !== 0,
          },
        ];
      case 'mcp_tool_call': {
        const text = item.error?.message ?? (item.result?.content ?? []).map((c) => c.text ?? '').join('\n');
        return [
          {
            kind: 'tool_result',
            id: item.id ?? '',
            name: `mcp__${item.server}__${item.tool}`,
            text,
            isError: !!item.error || item.status === 'failed',
          },
        ];
      }
      case 'file_change': {
        const files = (item.changes ?? []).map((c) => `${c.kind} ${c.path}`).join(', ');
        return [{ kind: 'tool_call', id: item.id ?? '', name: 'Edit', input: { file_path: files }, summary: files }];
      }
      case 'error':
        return [{ kind: 'notice', text: item.message ?? '' }];
      default:
        return [];
    }
  }

  private final(failure?: string): AgentEvent[] {
    let verdict: unknown;
    if (!failure && this.lastMessage !== undefined) {
      try {
        verdict = withoutNulls(JSON.parse(this.lastMessage));
      } catch {
        verdict = undefined;
      }
    }
    const cost = costUsd(this.model, this.usage);
    const result: FinalResult = {
      verdict,
      text: failure ?? this.lastMessage,
      costUsd: cost,
      turns: this.turns,
      usage: {
        [this.model]: {
          inputTokens: this.usage.input - this.usage.cached,
          cacheReadInputTokens: this.usage.cached,
          outputTokens: this.usage.output,
          ...(cost !== undefined ? { costUSD: cost } : {}),
        },
      },
      denials: [],
      ...(failure ? { failure: { kind: 'turn.failed', text: failure } } : {}),
    };
    return [
      ...(verdict !== undefined ? [{ kind: 'verdict', value: verdict } as AgentEvent] : []),
      { kind: 'final', result },
    ];
  }
}
