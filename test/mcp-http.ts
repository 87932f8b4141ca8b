// Remote MCP servers for end-to-end tests, on 127.0.0.1, made with the real SDK: one
// over streamable HTTP, one over SSE. Each has a `whoami` tool, and both record the
// Authorization headers they were sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

function mcp(kind: string): McpServer {
  const server = new McpServer({ name: `remote-${kind}`, version: '1.0.0' });
  server.registerTool(
    'whoami',
    { description: `Names this ${kind} server`, annotations: { readOnlyHint: true } },
    async () => ({ content: [{ type: 'text', text: `remote ${kind} server answered` }] }),
  );
  return server;
}

export class RemoteMcp {
  readonly authorization: string[] = [];
  private server: http.Server;
  private sse: Record<string, SSEServerTransport> = Object.create(null);

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.headers.authorization) this.authorization.push(req.headers.authorization);
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/mcp') {
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      await mcp('http').connect(transport);
      await transport.handleRequest(req, res);
      return;
    }
    if (url.pathname === '/sse' && req.method === 'GET') {
      const transport = new SSEServerTransport('/messages', res);
      this.sse[transport.sessionId] = transport;
      res.on('close', () => delete this.sse[transport.sessionId]);
      await mcp('sse').connect(transport);
      return;
    }
    if (url.pathname === '/messages' && req.method === 'POST') {
      const transport = this.sse[url.searchParams.get('sessionId') ?? ''];
      if (!transport) {
        res.writeHead(404).end();
        return;
      }
      await transport.handlePostMessage(req, res);
      return;
    }
    res.writeHead(404).end();
  }
}
