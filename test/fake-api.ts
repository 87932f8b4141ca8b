// A fake Anthropic Messages API for end-to-end tests of the real Claude Code CLI.
// It listens on 127.0.0.1, streams SSE like the real API, answers from a per-test
// script, and records every request so tests can assert on what the CLI sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export type Reply =
  | { kind: 'text'; text: string; delayMs?: number }
  | { kind: 'tool_use'; name: string; input: unknown; text?: string; id?: string; delayMs?: number }
  | { kind: 'status'; status: number; message?: string; type?: string; headers?: Record<string, string> }
  /** Accept the request and never answer. */
  | { kind: 'hang' }
  /** Start the stream, then go quiet. */
  | { kind: 'stall' };

/** Decides the reply to one `POST /v1/messages`; `n` counts those requests from 0. */
export type Script = (req: RecordedRequest, n: number) => Reply;

export const text = (t: string): Reply => ({ kind: 'text', text: t });
export const toolUse = (name: string, input: unknown, t?: string): Reply => ({
  kind: 'tool_use',
  name,
  input,
  text: t,
});
export const status = (code: number, message = `fake status ${code}`, headers?: Record<string, string>): Reply => ({
  kind: 'status',
  status: code,
  message,
  headers,
});
export const verdict = (v: Record<string, unknown>, t?: string): Reply => toolUse('StructuredOutput', v, t);
/** The same reply, sent after `ms`. */
export const slowly = (ms: number, reply: Reply): Reply => ({ ...reply, delayMs: ms }) as Reply;

/** The model of a request without its date suffix, e.g. `claude-haiku-4-5`. */
export const modelOf = (req: RecordedRequest): string => String(req.body?.model ?? '');

/** The tool names offered in a request. */
export const toolNames = (req: RecordedRequest): string[] =>
  Array.isArray(req.body?.tools) ? req.body.tools.map((t: { name: string }) => t.name) : [];

/** The system prompt of a request as one string. */
export const systemText = (req: RecordedRequest): string => {
  const s = req.body?.system;
  if (typeof s === 'string') return s;
  if (Array.isArray(s)) return s.map((b: { text?: string }) => b.text ?? '').join('\n');
  return '';
};

/** Every text of the user turns of a request, including tool results. */
export const userText = (req: RecordedRequest): string =>
  (req.body?.messages ?? [])
    .filter((m: { role: string }) => m.role === 'user')
    .flatMap((m: { content: unknown }) => flattenContent(m.content))
    .join('\n');

function flattenContent(c: unknown): string[] {
  if (typeof c === 'string') return [c];
  if (!Array.isArray(c)) return [];
  return c.flatMap((b: any) => {
    if (b?.type === 'text') return [String(b.text)];
    if (b?.type === 'tool_result') return flattenContent(b.content);
    return [];
  });
}

/** Whether the last message of a request carries a tool result (the CLI is answering a tool call). */
export const lastToolResult = (req: RecordedRequest): string | undefined => {
  const msgs = req.body?.messages ?? [];
  const last = msgs[msgs.length - 1];
  if (!last || !Array.isArray(last.content)) return undefined;
  const tr = last.content.find((b: any) => b?.type === 'tool_result');
  return tr ? flattenContent(tr.content).join('\n') : undefined;
};

/**
 * A script that plays one list of replies per model family (matched by substring of
 * the requested model, e.g. `haiku`), in order; when a list runs out the model
 * answers with plain text, which ends the CLI's turn.
 */
export function byModel(lists: Record<string, Reply[]>): Script {
  const cursor = new Map<string, number>();
  return (req) => {
    const model = modelOf(req);
    const key = Object.keys(lists).find((k) => model.includes(k));
    if (!key) return status(404, `fake: no script for model ${model}`);
    const list = lists[key]!;
    const i = cursor.get(key) ?? 0;
    cursor.set(key, i + 1);
    return list[i] ?? text('(fake: script exhausted)');
  };
}

export const sequence =
  (...replies: Reply[]): Script =>
  (_req, n) =>
    replies[n] ?? text('(fake: script exhausted)');

export interface FakeOptions {
  /**
   * `estimated`: report usage as the real API would bill it, from the request's size
   * (about 4 bytes a token) with prompt caching: the longest prefix (system, tools,
   * then whole messages) seen in an earlier request is a cache read, the rest a cache
   * write. Default: a fixed 1,000 input tokens.
   */
  usage?: 'fixed' | 'estimated';
}

const BYTES_PER_TOKEN = 4;

export class FakeApi {
  readonly requests: RecordedRequest[] = [];
  private server: http.Server;
  private sockets = new Set<import('node:net').Socket>();
  private counter = 0;
  private ids = 0;
  /** Prefixes seen, for estimated cache reads. */
  private prefixes = new Set<string>();

  constructor(
    public script: Script,
    private readonly options: FakeOptions = {},
  ) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** The requests to the Messages endpoint, in order. */
  get messages(): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === 'POST' && r.path.startsWith('/v1/messages') && !r.path.includes('count_tokens'),
    );
  }

  /** The prompt cache expires (after 5 minutes, as the API's): the next request caches nothing it sent before. */
  forgetCache(): void {
    this.prefixes.clear();
  }

  /** Listens on loopback by default; a compose test gives its container's address. */
  async start(host = '127.0.0.1', port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return this.url;
  }

  get url(): string {
    const addr = this.server.address() as AddressInfo;
    return `http://${addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address}:${addr.port}`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* keep the raw text */
    }
    const path = req.url ?? '/';
    const rec: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body };
    this.requests.push(rec);

    if (rec.method === 'POST' && path.startsWith('/v1/messages/count_tokens')) {
      return json(res, 200, { input_tokens: 100 });
    }
    if (!(rec.method === 'POST' && path.startsWith('/v1/messages'))) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    const reply = this.script(rec, this.counter++);
    // A slow model: the answer comes after a pause.
    if ('delayMs' in reply && reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    this.respond(rec, reply, res);
  }

  private respond(rec: RecordedRequest, reply: Reply, res: http.ServerResponse): void {
    const model = modelOf(rec);
    switch (reply.kind) {
      case 'hang':
        return;
      case 'status':
        return json(
          res,
          reply.status,
          {
            type: 'error',
            error: { type: reply.type ?? errorType(reply.status), message: reply.message ?? 'fake error' },
          },
          reply.headers,
        );
      case 'stall': {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        sse(res, 'message_start', messageStart(this.nextId('msg'), model));
        return;
      }
      case 'text':
      case 'tool_use': {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        sse(
          res,
          'message_start',
          messageStart(this.nextId('msg'), model, this.options.usage === 'estimated' ? this.estimate(rec) : undefined),
        );
        let index = 0;
        const t = reply.kind === 'text' ? reply.text : reply.text;
        if (t) {
          sse(res, 'content_block_start', {
            type: 'content_block_start',
            index,
            content_block: { type: 'text', text: '' },
          });
          sse(res, 'content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'text_delta', text: t },
          });
          sse(res, 'content_block_stop', { type: 'content_block_stop', index });
          index++;
        }
        if (reply.kind === 'tool_use') {
          sse(res, 'content_block_start', {
            type: 'content_block_start',
            index,
            content_block: { type: 'tool_use', id: reply.id ?? this.nextId('toolu'), name: reply.name, input: {} },
          });
          sse(res, 'content_block_delta', {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: JSON.stringify(reply.input) },
          });
          sse(res, 'content_block_stop', { type: 'content_block_stop', index });
        }
        sse(res, 'message_delta', {
          type: 'message_delta',
          delta: { stop_reason: reply.kind === 'tool_use' ? 'tool_use' : 'end_turn', stop_sequence: null },
          usage: {
            output_tokens:
              this.options.usage === 'estimated'
                ? Math.max(10, Math.ceil(JSON.stringify(reply).length / BYTES_PER_TOKEN))
                : 50,
          },
        });
        sse(res, 'message_stop', { type: 'message_stop' });
        res.end();
        return;
      }
    }
  }

  private estimate(rec: RecordedRequest): Usage {
    const body = rec.body ?? {};
    const head = JSON.stringify([body.model, body.system, body.tools]);
    const messages: unknown[] = body.messages ?? [];
    let cached = 0;
    let prefix = head;
    const keys = [head];
    for (const m of messages) keys.push((prefix += JSON.stringify(m)));
    keys.forEach((k, i) => {
      if (this.prefixes.has(k)) cached = k.length;
      // The CLI marks the system prompt, the tools and the latest messages for caching.
      if (i === 0 || i >= keys.length - 2) this.prefixes.add(k);
    });
    const total = prefix.length;
    return {
      input_tokens: 0,
      cache_read_input_tokens: Math.ceil(cached / BYTES_PER_TOKEN),
      cache_creation_input_tokens: Math.ceil((total - cached) / BYTES_PER_TOKEN),
      output_tokens: 1,
    };
  }

  private nextId(prefix: string): string {
    return `${prefix}_fake${String(++this.ids).padStart(6, '0')}`;
  }
}

interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

function messageStart(
  id: string,
  model: string,
  usage: Usage = { input_tokens: 1000, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
) {
  return {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  };
}

function sse(res: http.ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function json(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function errorType(code: number): string {
  if (code === 401) return 'authentication_error';
  if (code === 403) return 'permission_error';
  if (code === 429) return 'rate_limit_error';
  if (code === 529) return 'overloaded_error';
  if (code >= 500) return 'api_error';
  return 'invalid_request_error';
}
