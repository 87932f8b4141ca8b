import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { McpRelay, refusedCalls } from './mcp-relay.js';

describe('refusedCalls', () => {
  const allows = (t: string) => t === 'read_file';
  it('names each tools/call of a tool the run may not call, in a single message or a batch', () => {
    assert.deepEqual(
      refusedCalls({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'write_file' } }, allows),
      [{ id: 1, tool: 'write_file' }],
    );
    assert.deepEqual(
      refusedCalls(
        [
          { id: 1, method: 'tools/call', params: { name: 'read_file' } },
          { id: 2, method: 'tools/call', params: { name: 'rm' } },
        ],
        allows,
      ),
      [{ id: 2, tool: 'rm' }],
    );
    assert.deepEqual(refusedCalls({ id: 3, method: 'tools/list' }, allows), []);
  });
});

describe('the MCP relay', () => {
  const seen: { auth?: string; body: string }[] = [];
  let up: http.Server;
  let relay: McpRelay;
  let dir: string;
  const post = (body: unknown) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: path.join(dir, 'mcp.sock'),
          method: 'POST',
          path: '/0',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });

  before(async () => {
    up = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"jsonrpc":"2.0","id":1,"result":{}}');
      });
    });
    await new Promise<void>((resolve) => up.listen(0, '127.0.0.1', resolve));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-relay-'));
    const url = `http://127.0.0.1:${(up.address() as AddressInfo).port}/mcp`;
    relay = new McpRelay(
      [{ name: 'files', url, headers: { Authorization: 'Bearer real-token' }, allows: (t) => t === 'read_file' }],
      () => undefined,
    );
    await relay.listen(path.join(dir, 'mcp.sock'));
  });
  after(async () => {
    await relay.close();
    up.closeAllConnections();
    up.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('forwards an allowed call with the server’s real header, which the caller never had', async () => {
    const r = await post({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file' } });
    assert.equal(r.status, 200);
    assert.equal(seen.at(-1)!.auth, 'Bearer real-token');
  });

  it('answers a call of a tool the run may not call itself: the server never sees it', async () => {
    const before = seen.length;
    const r = await post({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'write_file', arguments: { path: '/x' } },
    });
    assert.equal(seen.length, before);
    assert.match(JSON.parse(r.body).error.message, /write_file of files is not allowed/);
    assert.equal(JSON.parse(r.body).id, 7);
  });
});

describe('the MCP relay, when the server fails', () => {
  const events: string[] = [];
  const ups: http.Server[] = [];
  let relay: McpRelay;
  let dir: string;
  let refusedPort: number;
  const post = (index: number) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          socketPath: path.join(dir, 'mcp.sock'),
          method: 'POST',
          path: `/${index}`,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }));
    });
  const answering = async (status: number, body: string) => {
    const s = http.createServer((req, res) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(body);
    });
    ups.push(s);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/mcp`;
  };

  before(async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    refusedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const servers = [
      { name: 'refused', url: `http://127.0.0.1:${refusedPort}/mcp` },
      { name: 'broken', url: await answering(500, '') },
      { name: 'denied', url: await answering(401, 'invalid token') },
    ];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-relay-'));
    relay = new McpRelay(
      servers.map((s) => ({ ...s, headers: {}, allows: () => true })),
      (line) => events.push(line),
    );
    await relay.listen(path.join(dir, 'mcp.sock'));
  });
  after(async () => {
    await relay.close();
    for (const s of ups) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells the CLI and the run log that the connection was refused, and where', async () => {
    const r = await post(0);
    assert.equal(r.status, 502);
    assert.match(
      r.body,
      new RegExp(
        `MCP server refused cannot be reached: connection refused \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${refusedPort}\\)`,
      ),
    );
    assert.ok(
      events.includes(`MCP refused POST failed: connection refused (connect ECONNREFUSED 127.0.0.1:${refusedPort})`),
      events.join('\n'),
    );
  });

  it('passes an error status on with a body that names it, and logs it with the start of the body', async () => {
    const broken = await post(1);
    assert.equal(broken.status, 500);
    assert.equal(
      broken.body,
      'claudeops: MCP server broken answered HTTP 500 Internal Server Error (empty body)\n',
      'the CLI would otherwise report "Error POSTing to endpoint: " and nothing',
    );
    const denied = await post(2);
    assert.equal(denied.status, 401);
    assert.equal(denied.body, 'invalid token', "the server's own body passes unchanged");
    assert.ok(
      events.includes('MCP broken POST failed: HTTP 500 Internal Server Error (empty body)'),
      events.join('\n'),
    );
    assert.ok(events.includes('MCP denied POST failed: HTTP 401 Unauthorized: invalid token'), events.join('\n'));
  });
});
