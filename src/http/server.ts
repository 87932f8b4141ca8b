import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from 'find-my-way';
import { consoleRoutes, send, type ConsoleDeps } from '../console/console.js';
import type { Logger } from '../logger/logger.js';
import type { Metrics } from '../metrics/metrics.js';

export interface HealthSource {
  health(): { ok: boolean; reason: string; [k: string]: unknown };
}

/**
 * The daemon's HTTP port: `/healthz` (200 alive, 503 stuck, JSON says why), `/metrics`
 * (Prometheus text), and the console when it is given. Routes go through find-my-way,
 * the radix-tree router under Fastify: plain node:http handlers, path parameters and a
 * 404/405 answer without a framework around them.
 */
export async function startHttp(options: {
  host: string;
  port: number;
  health: HealthSource;
  metrics: Metrics;
  logger: Logger;
  console?: ConsoleDeps;
}): Promise<http.Server> {
  const router = Router({
    ignoreTrailingSlash: true,
    defaultRoute: (_req, res) => send(res, 404, 'text/plain', 'not found: try /, /healthz or /metrics\n'),
  });
  router.on(['GET', 'HEAD'], '/healthz', (_req, res) => {
    const h = options.health.health();
    send(res, h.ok ? 200 : 503, 'application/json', JSON.stringify({ status: h.ok ? 'ok' : 'unhealthy', ...h }) + '\n');
  });
  router.on(['GET', 'HEAD'], '/metrics', (_req, res) => {
    options.metrics.text().then(
      (body) => send(res, 200, options.metrics.contentType, body),
      (e) => send(res, 500, 'text/plain', `metrics failed: ${(e as Error).message}\n`),
    );
  });
  if (options.console) consoleRoutes(router, options.console);
  // A handler that throws answers 500 and is logged: no request ends the daemon.
  const failed = (res: http.ServerResponse, e: unknown) => {
    options.logger.error(
      { err: e instanceof Error ? e.stack : String(e) },
      `an HTTP request failed: ${e instanceof Error ? e.message : String(e)}`,
    );
    if (!res.headersSent) send(res, 500, 'text/plain', 'the request failed inside the daemon; its log says why\n');
    else res.destroy();
  };
  const server = http.createServer((req, res) => {
    try {
      const answer: unknown = router.lookup(req, res);
      if (answer instanceof Promise) answer.catch((e: unknown) => failed(res, e));
    } catch (e) {
      failed(res, e);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  options.logger.info(
    { host: addr.address, port: addr.port },
    `console, health and metrics on http://${addr.address}:${addr.port}/ (/healthz, /metrics)`,
  );
  return server;
}
