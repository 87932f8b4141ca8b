import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger/logger.js';
import type { Metrics } from '../metrics/metrics.js';

export interface HealthSource {
  health(): { ok: boolean; reason: string; [k: string]: unknown };
}

/** `/healthz` (200 alive, 503 stuck, JSON body says why) and `/metrics` (Prometheus text). */
export async function startHttp(options: { host: string; port: number; health: HealthSource; metrics: Metrics; logger: Logger }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (url === '/healthz') {
      const h = options.health.health();
      return send(res, h.ok ? 200 : 503, 'application/json', JSON.stringify({ status: h.ok ? 'ok' : 'unhealthy', ...h }) + '\n');
    }
    if (url === '/metrics') {
      options.metrics.text().then(
        (body) => send(res, 200, options.metrics.contentType, body),
        (e) => send(res, 500, 'text/plain', `metrics failed: ${(e as Error).message}\n`),
      );
      return;
    }
    send(res, 404, 'text/plain', 'not found: try /healthz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  options.logger.info({ host: addr.address, port: addr.port }, `health and metrics on http://${addr.address}:${addr.port}/healthz and /metrics`);
  return server;
}

function send(res: http.ServerResponse, code: number, type: string, body: string): void {
  res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
