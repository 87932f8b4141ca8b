// The NDJSON events of `claude --print --output-format stream-json --verbose`.

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

export interface ModelUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  costUSD?: number;
}

export type StreamEvent =
  | { type: 'system'; subtype: 'init'; model?: string; tools?: string[]; mcp_servers?: { name: string; status: string }[]; permissionMode?: string }
  | { type: 'system'; subtype: 'api_retry'; attempt?: number; max_retries?: number; retry_delay_ms?: number; error_status?: number | null; error?: string }
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

export const isResult = (e: StreamEvent): e is ResultEvent => e.type === 'result';
