// A fake Docker Engine API on loopback, enough for `docker ps` and `docker restart`:
// it records every method and path, so tests can assert what reached Docker.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class FakeDocker {
  readonly requests: { method: string; path: string }[] = [];
  private server = http.createServer((req, res) => {
    this.requests.push({ method: req.method ?? '', path: req.url ?? '' });
    req.resume();
    const headers = {
      'content-type': 'application/json',
      'api-version': '1.47',
      'docker-experimental': 'false',
      ostype: 'linux',
    };
    const url = (req.url ?? '').replace(/^\/v[\d.]+/, '');
    if (url.startsWith('/_ping')) {
      res.writeHead(200, { ...headers, 'content-type': 'text/plain' });
      return res.end(req.method === 'HEAD' ? undefined : 'OK');
    }
    if (url.startsWith('/containers/json')) {
      res.writeHead(200, headers);
      return res.end(
        JSON.stringify([
          {
            Id: 'abc123',
            Names: ['/web'],
            Image: 'nginx',
            Command: 'nginx',
            Created: 0,
            State: 'running',
            Status: 'Up 2 hours',
            Ports: [],
            Labels: {},
            Mounts: [],
          },
        ]),
      );
    }
    if (req.method === 'POST' && /^\/containers\/[^/]+\/(restart|stop|start|kill)/.test(url)) {
      res.writeHead(204, headers);
      return res.end();
    }
    res.writeHead(404, headers);
    res.end(JSON.stringify({ message: `fake docker: no route for ${req.method} ${url}` }));
  });

  /** Requests that would change something. */
  get writes(): { method: string; path: string }[] {
    return this.requests.filter((r) => !['GET', 'HEAD'].includes(r.method));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `tcp://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
