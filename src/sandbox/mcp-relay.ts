import http from 'node:http';
import https from 'node:https';
import { httpFailure, mcpFailure } from '../mcp/failure.js';
import { closeServer, listenOnSocket } from './socket-server.js';

/** One remote MCP server as the daemon reaches it: its real URL and headers, with their secrets. */
export interface RelayedServer {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** Whether a `tools/call` of this tool may pass. */
  allows: (tool: string) => boolean;
}

const MAX_BODY = 1 << 20;

/** The `tools/call` requests of a JSON-RPC body that name a tool the run may not call. */
export function refusedCalls(body: unknown, allows: (tool: string) => boolean): { id: unknown; tool: string }[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages
    .filter(
      (m): m is { method: string; id?: unknown; params?: { name?: unknown } } =>
        typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'tools/call',
    )
    .map((m) => ({ id: m.id ?? null, tool: String(m.params?.name ?? '') }))
    .filter((c) => !allows(c.tool));
}

/**
 * Remote (HTTP) MCP servers as a cage reaches them: the run's MCP config points each at
 * `/<index>` here, and the relay forwards to the real URL with the real headers (their
 * secrets never enter the cage), refusing every `tools/call` of a tool the run may
 * not call, whether the CLI or a command in the cage sent it.
 */
export class McpRelay {
  private readonly server: http.Server;

  constructor(
    private readonly servers: RelayedServer[],
    private readonly onEvent: (line: string, refused: boolean) => void,
  ) {
    this.server = http.createServer((req, res) => void this.relay(req, res));
  }

  listen(socketPath: string): Promise<void> {
    return listenOnSocket(this.server, socketPath);
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  async relay(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const m = /^\/(\d+)(\/[^?]*)?(\?.*)?$/.exec(req.url ?? '');
    const index = Number(m?.[1]);
    const target = this.servers[index];
    if (!m || !target) return end(res, 404, 'claudeops: no such MCP server');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_BODY) return end(res, 413, 'claudeops: MCP request too large');
      chunks.push(c as Buffer);
    }
    const body = Buffer.concat(chunks);
    if (body.length) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return end(res, 400, 'claudeops: an MCP request must be JSON-RPC');
      }
      const refused = refusedCalls(parsed, target.allows);
      if (refused.length) {
        this.onEvent(
          `refused MCP ${target.name} tools/call ${refused.map((r) => r.tool).join(', ')}: not allowed in this run`,
          true,
        );
        const errors = refused.map((r) => ({
          jsonrpc: '2.0',
          id: r.id,
          error: { code: -32001, message: `claudeops: tool ${r.tool} of ${target.name} is not allowed in this run` },
        }));
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify(Array.isArray(parsed) ? errors : errors[0]));
      }
    }
    // `/<i>` is the server's URL; `/<i>/path` a path on its host (an SSE server's message endpoint).
    const base = new URL(target.url);
    const url = m[2]
      ? new URL(m[2] + (m[3] ?? ''), base.origin)
      : new URL(base.href + (m[3] ? (base.search ? '&' : '') + m[3].slice(base.search ? 1 : 0) : ''));
    const headers: http.OutgoingHttpHeaders = {
      ...req.headers,
      ...target.headers,
      host: url.host,
      'content-length': String(body.length),
    };
    delete headers['transfer-encoding'];
    const client = url.protocol === 'https:' ? https : http;
    const up = client.request(url, { method: req.method, headers }, (answer) => {
      if (failed(req.method, answer.statusCode)) return void this.passFailure(target.name, req.method, answer, res);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (!String(answer.headers['content-type'] ?? '').startsWith('text/event-stream')) return void answer.pipe(res);
      // An SSE server names its message endpoint on its own host: point it back here.
      answer.setEncoding('utf8');
      answer.on('data', (text: string) =>
        res.write(
          text.replace(
            /^(event: endpoint\r?\ndata: )(\S+)/gm,
            (_all, head: string, at: string) => head + relayPath(at, base, index),
          ),
        ),
      );
      answer.on('end', () => res.end());
    });
    up.on('error', (e) => {
      const why = mcpFailure(e);
      this.onEvent(`MCP ${target.name} ${req.method} failed: ${why}`, false);
      if (!res.headersSent) end(res, 502, `claudeops: MCP server ${target.name} cannot be reached: ${why}`);
      else res.destroy();
    });
    up.end(body);
  }

  /**
   * An error answer, logged with its status and the start of its body, and passed on; an
   * empty body is filled in, or the CLI's own message would end in nothing
   * ("Error POSTing to endpoint: ").
   */
  private async passFailure(
    name: string,
    method: string | undefined,
    answer: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of answer) {
      size += (c as Buffer).length;
      if (size <= MAX_BODY) chunks.push(c as Buffer);
    }
    const body = Buffer.concat(chunks);
    const why = httpFailure(answer.statusCode!, body.toString('utf8'));
    this.onEvent(`MCP ${name} ${method} failed: ${why}`, false);
    const headers = { ...answer.headers };
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    if (body.length) {
      res.writeHead(answer.statusCode!, headers);
      return void res.end(body);
    }
    res.writeHead(answer.statusCode!, { ...headers, 'content-type': 'text/plain' });
    res.end(`claudeops: MCP server ${name} answered ${why}\n`);
  }
}

/** An answer that says the request failed; a GET or DELETE that the server does not offer (405) is part of the protocol. */
const failed = (method: string | undefined, status: number | undefined): boolean =>
  status !== undefined && status >= 400 && !(status === 405 && method !== 'POST');

function relayPath(endpoint: string, base: URL, index: number): string {
  const u = new URL(endpoint, base);
  return u.origin === base.origin ? `/${index}${u.pathname}${u.search}` : endpoint;
}

function end(res: http.ServerResponse, code: number, message: string): void {
  res.writeHead(code, { 'content-type': 'text/plain' });
  res.end(message + '\n');
}
