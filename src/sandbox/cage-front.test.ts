import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { claudeApi } from '../provider/claude/api.js';
import { ApiProxy } from './api-proxy.js';
import { CageFront, frontRoute } from './cage-front.js';
import { EgressProxy } from './egress-proxy.js';
import { McpRelay } from './mcp-relay.js';

const HOSTS = { api: '127.0.0.2', mcp: '127.0.0.3' };
const KEY = 'sk-ant-real-key-front-0987654321';

describe('frontRoute', () => {
  it('sends a request in origin form by the host it names, and every proxy request to the egress proxy', () => {
    assert.equal(frontRoute('/v1/messages?beta=true', '127.0.0.2:3128', HOSTS), 'api');
    assert.equal(frontRoute('/0', '127.0.0.3:3128', HOSTS), 'mcp');
    assert.equal(frontRoute('/v1/messages', '127.0.0.1:3128', HOSTS), 'egress');
    assert.equal(frontRoute('/v1/messages', undefined, HOSTS), 'egress');
    assert.equal(frontRoute('/v1/messages', 'not a host', HOSTS), 'egress');
    assert.equal(frontRoute('http://127.0.0.2:3128/v1/messages', '127.0.0.2:3128', HOSTS), 'egress');
    assert.equal(frontRoute('127.0.0.2:443', '127.0.0.2:443', HOSTS), 'egress');
  });
});

describe('the cage front', () => {
  const seen: { path: string; key?: string; auth?: string }[] = [];
  const events: string[] = [];
  let up: http.Server;
  let target: string;
  let front: CageFront;
  let dir: string;
  let sock: string;

  /** One raw HTTP exchange over the front's socket; the answer's text. */
  const exchange = (text: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const s = net.connect(sock, () => s.write(text));
      let answer = '';
      s.on('data', (d) => {
        answer += d;
        if (/\r\n\r\n/.test(answer)) s.end();
      });
      s.on('close', () => resolve(answer));
      s.on('error', reject);
    });

  before(async () => {
    up = http.createServer((req, res) => {
      seen.push({ path: req.url ?? '', key: req.headers['x-api-key'] as string, auth: req.headers.authorization });
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"jsonrpc":"2.0","id":1,"result":{}}');
    });
    await new Promise<void>((resolve) => up.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(up.address() as AddressInfo).port}`;
    const onEvent = (line: string) => void events.push(line);
    const egress = new EgressProxy({ hosts: ['127.0.0.1'], readOnly: true }, onEvent);
    const api = claudeApi({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `http://${target}` }, 'http://127.0.0.2:3128')!;
    const apiProxy = new ApiProxy({ route: api.route, refuse: () => undefined, onEvent });
    const relay = new McpRelay(
      [{ name: 'files', url: `http://${target}/mcp`, headers: { Authorization: 'Bearer real' }, allows: () => true }],
      onEvent,
    );
    front = new CageFront(HOSTS, egress, apiProxy, relay);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claudeops-front-'));
    sock = path.join(dir, 'cage.sock');
    await front.listen(sock);
  });
  after(async () => {
    await front.close();
    up.closeAllConnections();
    up.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('gives the API proxy what names the API: the real key goes on, and only there', async () => {
    const answer = await exchange(
      'POST /v1/messages?beta=true HTTP/1.1\r\nHost: 127.0.0.2:3128\r\nx-api-key: placeholder\r\nContent-Length: 2\r\n\r\n{}',
    );
    assert.match(answer, /^HTTP\/1.1 200/);
    assert.deepEqual(seen.at(-1), { path: '/v1/messages?beta=true', key: KEY, auth: undefined });
  });

  it('gives the MCP relay what names the relay: the server’s real header goes on', async () => {
    const body = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';
    const answer = await exchange(
      `POST /0 HTTP/1.1\r\nHost: 127.0.0.3:3128\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    assert.match(answer, /^HTTP\/1.1 200/);
    assert.deepEqual(seen.at(-1), { path: '/mcp', key: undefined, auth: 'Bearer real' });
  });

  it('applies the egress policy to every proxy request, tunnel and upgrade, whatever address it came to', async () => {
    const before = seen.length;
    assert.match(await exchange(`GET http://${target}/health HTTP/1.1\r\nHost: ${target}\r\n\r\n`), /^HTTP\/1.1 200/);
    assert.equal(seen.at(-1)!.path, '/health');
    const refused = [
      `POST http://${target}/restart HTTP/1.1\r\nHost: 127.0.0.2:3128\r\nContent-Length: 0\r\n\r\n`,
      'GET http://127.0.0.2:3128/v1/models HTTP/1.1\r\nHost: 127.0.0.2:3128\r\n\r\n',
      `CONNECT ${target} HTTP/1.1\r\nHost: 127.0.0.2:3128\r\n\r\n`,
      'GET /v1/messages HTTP/1.1\r\nHost: 127.0.0.2:3128\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    ];
    for (const text of refused) assert.match(await exchange(text), /^HTTP\/1.1 403/, text.split('\r\n')[0]);
    assert.equal(seen.length, before + 1, 'a refused request reached the upstream');
    assert.ok(events.some((e) => /refused GET \/v1\/messages \(protocol upgrade\)/.test(e)));
  });
});
