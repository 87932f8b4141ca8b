import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claudeApi } from '../provider/claude/api.js';
import { ApiProxy } from './api-proxy.js';

const KEY = 'sk-ant-real-key-1234567890';

/** A stand-in for the model API: records what reached it and answers a stream with usage. */
function upstream(seen: http.IncomingHttpHeaders[]): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(
      `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { model: 'claude-haiku-4-5-20251001', usage: { input_tokens: 1_000_000, output_tokens: 1 } } })}\n\n`,
    );
    res.end(
      `event: message_delta\ndata: ${JSON.stringify({ type: 'message_delta', usage: { output_tokens: 200_000 } })}\n\n`,
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

function ask(socketPath: string, method: string, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath, method, path: p, headers: { 'x-api-key': 'placeholder', 'content-type': 'application/json' } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{"model":"claude-haiku-4-5"}' : undefined);
  });
}

describe('the API proxy', () => {
  const seen: http.IncomingHttpHeaders[] = [];
  const events: string[] = [];
  let up: { url: string; server: http.Server };
  let proxy: ApiProxy;
  let sock: string;
  let dir: string;

  before(async () => {
    up = await upstream(seen);
    const api = claudeApi({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: up.url }, 'http://127.0.0.2:8780')!;
    proxy = new ApiProxy({
      route: api.route,
      refuse: (spent) => (spent >= 1 ? 'the run budget of $1 is spent' : undefined),
      onEvent: (l) => events.push(l),
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-api-proxy-'));
    sock = path.join(dir, 'api.sock');
    await proxy.listen(sock);
  });
  after(async () => {
    await proxy.close();
    up.server.closeAllConnections();
    up.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the CLI no credential: its environment names only the proxy', () => {
    const api = claudeApi({ ANTHROPIC_API_KEY: KEY }, 'http://127.0.0.2:8780')!;
    assert.deepEqual(api.env, { ANTHROPIC_BASE_URL: 'http://127.0.0.2:8780' });
    assert.ok(!JSON.stringify(api.env).includes(KEY));
  });

  it('puts the real key on a Messages request in place of the placeholder, and counts what the answer cost', async () => {
    const r = await ask(sock, 'POST', '/v1/messages?beta=true');
    assert.equal(r.status, 200);
    assert.match(r.body, /message_delta/, 'the stream is passed on');
    assert.equal(seen.at(-1)!['x-api-key'], KEY);
    // Haiku 4.5: 1 M input tokens at $1, 200 k output tokens at $5 per million.
    assert.equal(proxy.spentUsd.toFixed(2), '2.00');
  });

  it('refuses the next request once the budget is spent, before it reaches the API', async () => {
    const before = seen.length;
    const r = await ask(sock, 'POST', '/v1/messages?beta=true');
    assert.equal(r.status, 400);
    assert.match(r.body, /budget of \$1 is spent/);
    assert.equal(seen.length, before);
  });

  it('answers only the API’s own paths', async () => {
    const before = seen.length;
    for (const p of ['/v1/files', '/actions/approve', '/v1/messages/../../admin'])
      assert.equal((await ask(sock, 'POST', p)).status, 403, p);
    assert.equal(seen.length, before);
    assert.ok(events.some((e) => /refused POST \/v1\/files/.test(e)));
  });
});

describe('the API proxy with a credential no header can carry', () => {
  it('fails the request with 502 and goes on, rather than throwing out of the server', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const up = await upstream(seen);
    const api = claudeApi({ ANTHROPIC_API_KEY: 'sk-ant-\u2026', ANTHROPIC_BASE_URL: up.url }, 'http://127.0.0.2:8780')!;
    const events: string[] = [];
    const proxy = new ApiProxy({ route: api.route, refuse: () => undefined, onEvent: (l) => events.push(l) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-api-proxy-'));
    const sock = path.join(dir, 'api.sock');
    await proxy.listen(sock);
    try {
      for (let i = 0; i < 2; i++) {
        const r = await ask(sock, 'POST', '/v1/messages?beta=true');
        assert.equal(r.status, 502);
        assert.match(r.body, /the model API cannot be reached/);
      }
      assert.equal(seen.length, 0);
      assert.ok(
        events.some((e) => /POST \/v1\/messages\?beta=true failed: Invalid character/.test(e)),
        events.join('\n'),
      );
    } finally {
      await proxy.close();
      up.server.closeAllConnections();
      up.server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
