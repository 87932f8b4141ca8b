import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import net from 'node:net';
import os from 'node:os';
import {
  DOCKER_ALIAS,
  dockerRefusal,
  EgressProxy,
  hostAllowed,
  ownPortRefusal,
  pinnedAddress,
  refusal,
  tunnelRefusal,
} from './egress-proxy.js';

/** A request through the proxy, as curl with http_proxy sends it: an absolute URL. */
function viaProxy(port: number, method: string, url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: url, headers: { host: new URL(url).host } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('egress proxy', () => {
  const seen: string[] = [];
  const upstream = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.end('upstream');
  });
  let target = '';

  before(async () => {
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    target = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  after(() => upstream.close());

  it('matches hosts exactly, by *.suffix, or all by *', () => {
    assert.ok(hostAllowed('api.example.com', ['*.example.com']));
    assert.ok(!hostAllowed('example.com.evil', ['*.example.com']));
    assert.ok(hostAllowed('Web', ['web']));
    assert.ok(hostAllowed('anything', ['*']));
    assert.ok(!hostAllowed('web', []));
  });

  it('refuses what a read-only run may not do, and names the reason', () => {
    const ro = { hosts: ['*'], readOnly: true, docker: 'tcp://d:2375' };
    assert.equal(refusal(ro, 'GET', 'web', false), undefined);
    assert.match(refusal(ro, 'POST', 'web', false)!, /read-only: POST is refused/);
    assert.match(refusal(ro, 'GET', DOCKER_ALIAS, true)!, /protocol upgrades are refused/);
    assert.match(refusal({ ...ro, docker: undefined }, 'GET', DOCKER_ALIAS, false)!, /CLAUDEOPS_DOCKER_HOST/);
    assert.match(
      refusal({ hosts: ['web'], readOnly: false }, 'GET', 'db', false)!,
      /db is not in this tier's network allow list/,
    );
    assert.equal(refusal({ hosts: ['web'], readOnly: false }, 'DELETE', 'web', false), undefined);
  });

  it('gives a read-only run no tunnel, except to a host listed for TLS; a tier that may act gets one', () => {
    const ro = { hosts: ['*'], readOnly: true, docker: 'tcp://d:2375', tlsHosts: ['api.example.com'] };
    assert.match(tunnelRefusal(ro, '127.0.0.1', 8080)!, /read-only: a tunnel \(CONNECT\)/);
    assert.match(tunnelRefusal(ro, DOCKER_ALIAS, 2375)!, /read-only/);
    assert.equal(tunnelRefusal(ro, 'api.example.com', 443), undefined);
    assert.equal(tunnelRefusal({ ...ro, readOnly: false }, '127.0.0.1', 8080), undefined);
  });

  it('never reaches the daemon’s own port on loopback, by any method or tunnel', () => {
    const p = { hosts: ['*'], readOnly: false, ownPorts: [9090] };
    for (const host of ['127.0.0.1', 'localhost', '127.1.2.3', '[::1]', '0.0.0.0'])
      assert.match(ownPortRefusal(p, host, 9090)!, /daemon's own/, host);
    assert.match(tunnelRefusal(p, '127.0.0.1', 9090)!, /daemon's own/);
    assert.equal(ownPortRefusal(p, '127.0.0.1', 9091), undefined);
    assert.equal(ownPortRefusal(p, 'web', 9090), undefined);
  });

  it('refuses the daemon’s own port by whatever name or address of this machine leads there, and pins the address it checked', async () => {
    const p = { hosts: ['*'], readOnly: false, ownPorts: [9090] };
    const own = Object.values(os.networkInterfaces())
      .flatMap((l) => l ?? [])
      .map((i) => i.address);
    for (const host of [
      'localhost',
      '127.0.0.1',
      '[::ffff:7f00:1]',
      '::ffff:127.0.0.1',
      '2130706433',
      '0',
      os.hostname(),
      ...own,
    ]) {
      const r = await pinnedAddress(p, host, 9090);
      if ('address' in r && !own.includes(r.address) && !r.address.startsWith('127.')) continue; // a host name that leads elsewhere
      assert.ok('why' in r, `${host} reached the daemon's port`);
    }
    assert.deepEqual(await pinnedAddress(p, '127.0.0.1', 9091), { address: '127.0.0.1' });
    assert.ok('why' in (await pinnedAddress(p, 'no-such-host.invalid', 80)));
  });

  it('lets every tier use the Docker API only for container reads, and only a tier that may act restart one', () => {
    const act = { hosts: [], readOnly: false, docker: 'tcp://d:2375' };
    for (const p of ['/_ping', '/v1.41/containers/json', '/containers/web/json', '/v1.45/containers/web/logs'])
      assert.equal(dockerRefusal(act, 'GET', p, false), undefined, p);
    assert.equal(dockerRefusal(act, 'POST', '/v1.41/containers/web/restart', false), undefined);
    assert.match(dockerRefusal({ ...act, readOnly: true }, 'POST', '/containers/web/restart', false)!, /read-only/);
    for (const [m, p] of [
      ['POST', '/containers/create'],
      ['POST', '/containers/web/exec'],
      ['DELETE', '/containers/web'],
      ['POST', '/containers/web/stop'],
      ['GET', '/images/json'],
      ['POST', '/v1.41/volumes/create'],
    ])
      assert.match(dockerRefusal(act, m!, p!, false)!, /not one a run may use/, `${m} ${p}`);
    assert.match(dockerRefusal(act, 'GET', '/containers/web/attach', true)!, /protocol upgrades/);
    assert.match(tunnelRefusal(act, DOCKER_ALIAS, 2375)!, /would hide its requests/);
  });

  it('refuses a CONNECT from a read-only run before any byte reaches the target', async () => {
    const proxy = new EgressProxy({ hosts: ['*'], readOnly: true }, () => undefined);
    const port = await proxy.start();
    const before = seen.length;
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () =>
          s.write(
            `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\nPOST /tunnel HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
          ),
        );
        let text = '';
        s.on('data', (d) => (text += d));
        s.on('close', () => resolve(text));
        s.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1.1 403/);
      assert.equal(seen.length, before, 'the POST inside the tunnel reached the upstream');
    } finally {
      await proxy.stop();
    }
  });

  it('forwards a read, and stops a write before it reaches the upstream', async () => {
    const events: string[] = [];
    const proxy = new EgressProxy({ hosts: ['127.0.0.1'], readOnly: true }, (e) => events.push(e));
    const port = await proxy.start();
    try {
      assert.deepEqual(await viaProxy(port, 'GET', `http://${target}/health`), { status: 200, body: 'upstream' });
      const post = await viaProxy(port, 'POST', `http://${target}/restart`);
      assert.equal(post.status, 403);
      assert.match(post.body, /read-only: POST is refused/);
      assert.deepEqual(seen, ['GET /health']);
      assert.match(events.join('\n'), /refused POST http:\/\/127\.0\.0\.1:\d+\/restart/);
    } finally {
      await proxy.stop();
    }
  });

  it('sends the Docker alias to the configured Docker endpoint', async () => {
    seen.length = 0;
    const proxy = new EgressProxy({ hosts: [], readOnly: false, docker: `tcp://${target}` }, () => undefined);
    const port = await proxy.start();
    try {
      assert.equal(
        (await viaProxy(port, 'POST', `http://${DOCKER_ALIAS}:2375/v1.47/containers/web/restart`)).status,
        200,
      );
      assert.deepEqual(seen, ['POST /v1.47/containers/web/restart']);
    } finally {
      await proxy.stop();
    }
  });

  it('sends the Kubernetes alias to the API server with the tier’s token instead of any the run sent, never as a tunnel', async () => {
    const auth: (string | undefined)[] = [];
    const api = http.createServer((req, res) => {
      auth.push(`${req.method} ${req.url} ${req.headers.authorization} ${req.headers['impersonate-user'] ?? ''}`);
      res.end('{}');
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const kubernetes = {
      api: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
      token: 'tier-token',
      account: 'ops/claudeops-tier2',
    };
    const events: string[] = [];
    const proxy = new EgressProxy({ hosts: [], readOnly: false, kubernetes }, (l) => void events.push(l));
    const none = new EgressProxy({ hosts: ['*'], readOnly: false }, () => undefined);
    const [port, nonePort] = [await proxy.start(), await none.start()];
    try {
      const sent = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'DELETE',
            path: 'http://kubernetes.claudeops/api/v1/namespaces/ops/pods/web-1',
            headers: { authorization: 'Bearer stolen', 'impersonate-user': 'system:admin' },
          },
          (res) => resolve(res.statusCode ?? 0),
        );
        req.on('error', reject);
        req.end();
      });
      assert.equal(sent, 200);
      assert.deepEqual(auth, ['DELETE /api/v1/namespaces/ops/pods/web-1 Bearer tier-token ']);
      assert.match(
        events.join('\n'),
        /kubernetes DELETE \/api\/v1\/namespaces\/ops\/pods\/web-1 as ops\/claudeops-tier2/,
      );
      assert.match(
        tunnelRefusal({ hosts: ['*'], readOnly: false, kubernetes }, 'kubernetes.claudeops', 443)!,
        /tunnel/,
      );
      const without = await viaProxy(nonePort, 'GET', 'http://kubernetes.claudeops/api/v1/pods');
      assert.equal(without.status, 403);
      assert.match(without.body, /no Kubernetes identity/);
      assert.equal(auth.length, 1);
    } finally {
      await Promise.all([proxy.stop(), none.stop()]);
      api.close();
    }
  });
});
