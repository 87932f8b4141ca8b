// An http probe: the request goes through the egress proxy (plain http as a proxied
// request, https through a tunnel the daemon itself speaks TLS over), so it reaches only
// what tier 1 may reach, with only the methods that read.
import http from 'node:http';
import tls from 'node:tls';
import { OBSERVATION_LIMITS, type Observation, type ProbeTarget } from '../types.js';
import { proxyAnswer, tunnel } from './proxy-client.js';
import { failureOf } from './failure.js';

type HttpTarget = Extract<ProbeTarget, { kind: 'http' }>;

export async function observeHttp(target: HttpTarget, socketPath: string, signal: AbortSignal): Promise<Observation> {
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  try {
    const url = new URL(target.url);
    if (url.protocol === 'http:') {
      const res = await exchange({ socketPath, path: url.href, method: target.method, host: url.host, signal });
      const proxy = proxyAnswer(res.status, res.body);
      if (proxy?.refused) return { kind: 'http', failure: { reason: 'egress' }, latencyMs: since() };
      if (proxy) return { kind: 'http', failure: { reason: 'error', message: proxy.why }, latencyMs: since() };
      return { kind: 'http', status: res.status, body: res.body, latencyMs: since() };
    }
    const port = Number(url.port || 443);
    const hop = await tunnel(socketPath, url.hostname, port, signal);
    if (!hop.ok)
      return {
        kind: 'http',
        failure: hop.refused ? { reason: 'egress' } : { reason: 'error', message: hop.why },
        latencyMs: since(),
      };
    const secure = await handshake(hop.socket, url.hostname, signal);
    const certDaysLeft = daysLeft(secure.getPeerCertificate().valid_to);
    const res = await exchange({
      createConnection: () => secure,
      path: `${url.pathname}${url.search}`,
      method: target.method,
      host: url.host,
      signal,
    });
    return { kind: 'http', status: res.status, body: res.body, latencyMs: since(), certDaysLeft };
  } catch (e) {
    return { kind: 'http', failure: failureOf(e, signal), latencyMs: since() };
  }
}

function handshake(socket: import('node:net').Socket, servername: string, signal: AbortSignal): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket, servername, ALPNProtocols: ['http/1.1'] });
    const abort = () => secure.destroy(signal.reason as Error);
    signal.addEventListener('abort', abort, { once: true });
    secure.once('secureConnect', () => {
      signal.removeEventListener('abort', abort);
      resolve(secure);
    });
    secure.once('error', reject);
  });
}

interface Exchange {
  socketPath?: string;
  createConnection?: () => tls.TLSSocket;
  path: string;
  method: string;
  host: string;
  signal: AbortSignal;
}

/** One request and its answer, the body cut at the observation limit. */
function exchange(o: Exchange): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...(o.socketPath ? { socketPath: o.socketPath } : { createConnection: o.createConnection }),
        path: o.path,
        method: o.method,
        headers: { host: o.host, 'user-agent': 'claudeops-probe', connection: 'close' },
        signal: o.signal,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < OBSERVATION_LIMITS.bodyChars) body += chunk;
          if (body.length >= OBSERVATION_LIMITS.bodyChars) res.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, body: body.slice(0, OBSERVATION_LIMITS.bodyChars) });
        res.on('end', done);
        res.on('close', done);
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const DAY_MS = 86_400_000;

function daysLeft(validTo: string | undefined): number | undefined {
  const end = validTo ? Date.parse(validTo) : NaN;
  return Number.isFinite(end) ? Math.floor((end - Date.now()) / DAY_MS) : undefined;
}
