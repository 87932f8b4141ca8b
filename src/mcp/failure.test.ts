import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { listCatalog } from './catalog.js';
import { httpFailure, mcpFailure } from './failure.js';

/** A server on loopback that answers every request with `status` and `body`. */
async function answering(status: number, body: string): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('why a remote MCP server failed', () => {
  const servers: http.Server[] = [];
  let catalog: Awaited<ReturnType<typeof listCatalog>>;
  let refusedPort: number;

  before(async () => {
    const empty500 = await answering(500, '');
    const denied = await answering(401, 'invalid token\n');
    servers.push(empty500.server, denied.server);
    refusedPort = await closedPort();
    catalog = await listCatalog(
      {
        refused: { type: 'http', url: `http://127.0.0.1:${refusedPort}/mcp` },
        'refused-sse': { type: 'sse', url: `http://127.0.0.1:${refusedPort}/sse` },
        broken: { type: 'http', url: empty500.url },
        'broken-sse': { type: 'sse', url: empty500.url },
        denied: { type: 'http', url: denied.url },
        tls: { type: 'http', url: empty500.url.replace('http:', 'https:') },
        'tls-sse': { type: 'sse', url: empty500.url.replace('http:', 'https:') },
        nowhere: { type: 'http', url: 'http://no-such-host.invalid/mcp' },
      },
      { cwd: '/', timeoutMs: 10_000 },
    );
  });
  after(() => {
    for (const s of servers) s.close();
  });

  const error = (name: string) => {
    const listed = catalog[name]!;
    assert.ok(!listed.ok, `${name} listed`);
    return listed.error;
  };

  it('names a refused connection, over HTTP and SSE', () => {
    assert.equal(error('refused'), `connection refused (connect ECONNREFUSED 127.0.0.1:${refusedPort})`);
    assert.equal(error('refused-sse'), `connection refused (connect ECONNREFUSED 127.0.0.1:${refusedPort})`);
  });

  it('names the HTTP status, and the start of the body or that it was empty', () => {
    assert.equal(error('broken'), 'HTTP 500 Internal Server Error (empty body)');
    assert.equal(error('broken-sse'), 'HTTP 500 Internal Server Error (empty body)');
    assert.equal(error('denied'), 'HTTP 401 Unauthorized: invalid token');
  });

  it('names a TLS failure and a host DNS does not know', () => {
    assert.equal(error('tls'), 'TLS error (ERR_SSL_WRONG_VERSION_NUMBER: wrong version number)');
    assert.equal(
      error('tls-sse'),
      'TLS error (wrong version number)',
      'the SSE transport keeps only the text of the cause',
    );
    assert.match(
      error('nowhere'),
      /^(host not found in DNS \(getaddrinfo ENOTFOUND no-such-host\.invalid\)|DNS lookup failed \(temporary\) .*)$/,
    );
  });

  it('shortens a long body to one line', () => {
    const long = httpFailure(502, `<html>\n<body>${'x'.repeat(500)}</body></html>`);
    assert.ok(long.length < 260, long);
    assert.match(long, /^HTTP 502 Bad Gateway: <html> <body>x+…$/);
    assert.equal(
      mcpFailure(Object.assign(new Error('something odd'), { code: 'EWHATEVER' })),
      'EWHATEVER: something odd',
    );
    assert.equal(mcpFailure(new Error('no answer within 5 s')), 'no answer within 5 s');
  });
});
