import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** The host name under which sandboxed commands reach the Docker Engine API: DOCKER_HOST=tcp://docker.claudeops:2375. */
export const DOCKER_ALIAS = 'docker.claudeops';
export const DOCKER_ALIAS_HOST = `tcp://${DOCKER_ALIAS}:2375`;

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface EgressPolicy {
  /** Host names, `*.example.com` wildcards, or `*`. */
  hosts: string[];
  /** Only methods that read, and no protocol upgrades (no attach, no exec). */
  readOnly: boolean;
  /** The Docker Engine API behind DOCKER_ALIAS: `unix:///path` or `tcp://host:port`. */
  docker?: string;
  /** Hosts a read-only run may open an HTTPS tunnel to (what passes inside it is not seen). */
  tlsHosts?: string[];
  /** The daemon's own ports on loopback (its console): never reached from a run. */
  ownPorts?: number[];
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0|\[?::\]?)$/i;

/** Why a connection to host:port is refused whatever the method: the daemon's own ports. */
export function ownPortRefusal(policy: EgressPolicy, host: string, port: number): string | undefined {
  return LOOPBACK.test(host) && (policy.ownPorts ?? []).includes(port) ? `port ${port} on ${host} is the daemon's own (its console): never reachable from a run` : undefined;
}

/** Why a CONNECT tunnel is refused: a read-only run gets none, except to a host listed for TLS. */
export function tunnelRefusal(policy: EgressPolicy, host: string, port: number): string | undefined {
  const docker = host.toLowerCase() === DOCKER_ALIAS;
  const base = ownPortRefusal(policy, host, port) ?? refusal(policy, docker ? 'CONNECT' : 'GET', host, false);
  if (base) return base;
  if (policy.readOnly && !hostAllowed(host, policy.tlsHosts ?? [])) return `this run is read-only: a tunnel (CONNECT) would hide its requests; ${host} is not in CLAUDEOPS_READONLY_TLS_HOSTS`;
  return undefined;
}

export const hostAllowed = (host: string, patterns: string[]): boolean =>
  patterns.some((p) => {
    const h = host.toLowerCase();
    const q = p.toLowerCase();
    return q === '*' || h === q || (q.startsWith('*.') && h.endsWith(q.slice(1)));
  });

/** Why a request is refused, or undefined when it may pass; pure, so the policy is testable without sockets. */
export function refusal(policy: EgressPolicy, method: string, host: string, upgrade: boolean): string | undefined {
  const docker = host.toLowerCase() === DOCKER_ALIAS;
  if (docker && !policy.docker) return 'no Docker endpoint is configured (CLAUDEOPS_DOCKER_HOST)';
  if (!docker && !hostAllowed(host, policy.hosts)) return `${host} is not in this tier's network allow list (CLAUDEOPS_TIER<N>_NETWORK)`;
  if (policy.readOnly && (!READ_METHODS.has(method) || upgrade)) return `this run is read-only: ${upgrade ? 'protocol upgrades' : method} ${upgrade ? 'are' : 'is'} refused`;
  return undefined;
}

/**
 * The only way out of the sandbox: the CLI's sandbox sends every HTTP request and
 * CONNECT tunnel of the agent's commands here (settings `network.httpProxyPort`).
 * It applies the tier's host allow list, refuses every method but GET/HEAD/OPTIONS
 * for a read-only run, and forwards DOCKER_ALIAS to the configured Docker endpoint.
 * A tunnel (CONNECT) cannot be inspected, so a read-only run gets one only to a host
 * listed for TLS; the daemon's own ports are never reached.
 */
export class EgressProxy {
  private readonly server: http.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly policy: EgressPolicy,
    private readonly onEvent: (line: string, refused: boolean) => void,
  ) {
    this.server = http.createServer((req, res) => this.request(req, res));
    this.server.on('connect', (req, socket: net.Socket, head) => this.connect(req, socket, head));
    this.server.on('upgrade', (req, socket: net.Socket) => {
      this.onEvent(`refused ${req.method} ${req.url} (protocol upgrade)`, true);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Listens on a Unix socket, which a cage reaches through its bridge. */
  listen(socketPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => resolve());
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private request(req: http.IncomingMessage, res: http.ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return deny(res, 400, 'claudeops egress: expected an absolute URL (this is a proxy)');
    }
    const method = req.method ?? 'GET';
    const why = ownPortRefusal(this.policy, url.hostname, Number(url.port || 80)) ?? refusal(this.policy, method, url.hostname, Boolean(req.headers.upgrade));
    if (why) {
      this.onEvent(`refused ${method} ${url.href}: ${why}`, true);
      return deny(res, 403, `claudeops egress: ${why}\n`);
    }
    const target = url.hostname.toLowerCase() === DOCKER_ALIAS ? dockerTarget(this.policy.docker!) : { host: url.hostname, port: Number(url.port || 80) };
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request({ ...target, method, path: url.pathname + url.search, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      this.onEvent(`${method} ${url.href} failed: ${e.message}`, false);
      if (!res.headersSent) deny(res, 502, `claudeops egress: ${e.message}\n`);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  private connect(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    const docker = host.toLowerCase() === DOCKER_ALIAS;
    const why = tunnelRefusal(this.policy, host, Number(port));
    if (why) {
      this.onEvent(`refused CONNECT ${req.url}: ${why}`, true);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const target = docker ? dockerTarget(this.policy.docker!) : { host, port: Number(port) };
    const upstream = 'socketPath' in target ? net.connect(target.socketPath) : net.connect(target.port, target.host);
    upstream.on('connect', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', (e) => {
      this.onEvent(`CONNECT ${req.url} failed: ${e.message}`, false);
      if (!socket.destroyed) socket.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    socket.on('error', close);
  }
}

function dockerTarget(address: string): { socketPath: string } | { host: string; port: number } {
  if (address.startsWith('unix://')) return { socketPath: address.slice('unix://'.length) };
  const u = new URL(address.replace(/^tcp:/, 'http:'));
  return { host: u.hostname, port: Number(u.port) };
}

function deny(res: http.ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'content-type': 'text/plain' });
  res.end(body);
}
