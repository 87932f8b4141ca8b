// A fake OpenAI Responses API for end-to-end tests of the real Codex CLI. It listens
// on 127.0.0.1, streams SSE as the real API does (response.created, output items,
// response.completed with usage), answers from a per-test script, and records every
// request so tests can assert on what the CLI sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenAiRequest {
  path: string;
  body: any;
}

export type OpenAiReply =
  /** A shell command through Codex's exec_command tool. */
  | { kind: 'command'; cmd: string }
  /** A call of any function tool the CLI offered (MCP tools among them). */
  | { kind: 'call'; name: string; args: unknown; namespace?: string }
  /** The final message: the verdict, as JSON text (the CLI passes --output-schema). */
  | { kind: 'message'; text: string }
  | { kind: 'status'; status: number; message?: string }
  /** Accept the request and never answer. */
  | { kind: 'hang' };

export type OpenAiScript = (req: OpenAiRequest, n: number) => OpenAiReply;

export const command = (cmd: string): OpenAiReply => ({ kind: 'command', cmd });
export const answer = (verdict: Record<string, unknown>): OpenAiReply => ({
  kind: 'message',
  text: JSON.stringify(verdict),
});

/** The outputs of the function calls the CLI sends back, in order. */
export const callOutputs = (req: OpenAiRequest): string[] =>
  (req.body?.input ?? [])
    .filter((i: { type?: string }) => i?.type === 'function_call_output')
    .map((i: { output: unknown }) => (typeof i.output === 'string' ? i.output : JSON.stringify(i.output)));

/** Every text of the request's input messages. */
export const inputText = (req: OpenAiRequest): string =>
  (req.body?.input ?? [])
    .filter((i: { type?: string }) => i?.type === 'message')
    .flatMap((i: { content?: { text?: string }[] }) => (i.content ?? []).map((c) => c.text ?? ''))
    .join('\n');

export class FakeOpenAi {
  readonly requests: OpenAiRequest[] = [];
  private server = http.createServer((req, res) => void this.handle(req, res));
  private counter = 0;

  constructor(public script: OpenAiScript) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || !req.url?.endsWith('/responses')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"fake: only POST /v1/responses"}}');
      return;
    }
    const rec: OpenAiRequest = { path: req.url, body: raw ? JSON.parse(raw) : undefined };
    this.requests.push(rec);
    const n = this.counter++;
    const reply = this.script(rec, n);
    if (reply.kind === 'hang') return;
    if (reply.kind === 'status') {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: reply.message ?? `fake status ${reply.status}`, type: 'fake_error' } }),
      );
      return;
    }
    const id = `resp_fake${n}`;
    const item =
      reply.kind === 'message'
        ? {
            type: 'message',
            role: 'assistant',
            id: `msg_fake${n}`,
            content: [{ type: 'output_text', text: reply.text }],
          }
        : reply.kind === 'command'
          ? {
              type: 'function_call',
              id: `fc_fake${n}`,
              call_id: `call_fake${n}`,
              name: 'exec_command',
              arguments: JSON.stringify({ cmd: reply.cmd }),
            }
          : {
              type: 'function_call',
              id: `fc_fake${n}`,
              call_id: `call_fake${n}`,
              name: reply.name,
              ...(reply.namespace ? { namespace: reply.namespace } : {}),
              arguments: JSON.stringify(reply.args),
            };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const sse = (type: string, data: object) =>
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    const input = Math.ceil(raw.length / 4);
    sse('response.created', { response: { id } });
    sse('response.output_item.added', { output_index: 0, item });
    sse('response.output_item.done', { output_index: 0, item });
    sse('response.completed', {
      response: {
        id,
        usage: {
          input_tokens: input,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 50,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: input + 50,
        },
      },
    });
    res.end();
  }
}
