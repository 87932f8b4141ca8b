import dns from 'node:dns/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { KUBERNETES_ALIAS } from '../kubernetes/kubeconfig.js';
import { forwardToKubernetes, type KubeTarget } from './kube-forward.js';
import { listenOnSocket } from './socket-server.js';

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
  /** The Kubernetes API behind KUBERNETES_ALIAS, with the tier's short-lived token; none: no Kubernetes. */
  kubernetes?: KubeTarget;
  /** The daemon's own ports on loopback (its console): never reached from a run. */
  ownPorts?: number[];
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0|\[?::\]?)$/i;

/** Why a connection to host:port is refused whatever the method: the daemon's own ports. */
export function ownPortRefusal(policy: EgressPolicy, host: string, port: number): string | undefined {
  return LOOPBACK.test(host) && (policy.ownPorts ?? []).includes(port)
    ? `port ${port} on ${host} is the daemon's own (its console): never reachable from a run`
    : undefined;
}

/** The Docker Engine API requests a tier that may act may make: look at containers, and restart one. */
const DOCKER_READS = /^\/(v[\d.]+\/)?(_ping|version|info|containers\/json|containers\/[^/]+\/(json|logs|stats|top))$/;
const DOCKER_WRITES = /^\/(v[\d.]+\/)?containers\/[^/]+\/restart$/;

/**
 * Why a Docker API request is refused, for every tier: only container reads, and restarts
 * from a tier that may act, held by the daemon itself. No exec, attach, create, delete,
 * images, volumes or networks.
 */
export function dockerRefusal(
  policy: EgressPolicy,
  method: string,
  pathname: string,
  upgrade: boolean,
): string | undefined {
  if (upgrade) return 'protocol upgrades to the Docker API (attach, exec) are refused';
  if (READ_METHODS.has(method) && DOCKER_READS.test(pathname)) return undefined;
  if (method === 'POST' && DOCKER_WRITES.test(pathname))
    return policy.readOnly ? 'this run is read-only: POST is refused' : undefined;
  return `the Docker API ${method} ${pathname} is not one a run may use (container reads and restarts only)`;
}

/**
 * Whether an address is this machine's: loopback, unspecified, or one of its interfaces'
 * (the console may listen on all of them), in any spelling (an IPv4-mapped IPv6 address
 * in hex is the IPv4 one).
 */
function isLocal(address: string): boolean {
  const local = new net.BlockList();
  local.addSubnet('127.0.0.0', 8, 'ipv4');
  local.addAddress('0.0.0.0', 'ipv4');
  local.addAddress('::1', 'ipv6');
  local.addAddress('::', 'ipv6');
  for (const i of Object.values(os.networkInterfaces()).flatMap((l) => l ?? []))
    local.addAddress(i.address.split('%')[0]!, i.family === 'IPv6' ? 'ipv6' : 'ipv4');
  const family = net.isIPv6(address) ? 'ipv6' : 'ipv4';
  return local.check(address, family);
}

/**
 * The address a request goes to, resolved once here and used for the connection (so a
 * name cannot resolve one way for the check and another for the connect), or why not:
 * the daemon's own ports are refused on every address of this machine, whatever name
 * leads there (`localhost`, a host name in /etc/hosts, an interface's address).
 */
export async function pinnedAddress(
  policy: EgressPolicy,
  host: string,
  port: number,
): Promise<{ address: string } | { why: string }> {
  let addresses: string[];
  try {
    addresses = (await dns.lookup(host.replace(/^\[|\]$/g, ''), { all: true })).map((a) => a.address);
  } catch (e) {
    return { why: `${host} does not resolve (${(e as NodeJS.ErrnoException).code ?? e})` };
  }
  if (addresses.length === 0) return { why: `${host} does not resolve` };
  if ((policy.ownPorts ?? []).includes(port) && addresses.some(isLocal))
    return { why: `port ${port} on ${host} is the daemon's own (its console): never reachable from a run` };
  return { address: addresses[0]! };
}

/** Why a CONNECT tunnel is refused: a read-only run gets none, except to a host listed for TLS. */
export function tunnelRefusal(policy: EgressPolicy, host: string, port: number): string | undefined {
  const docker = host.toLowerCase() === DOCKER_ALIAS;
  const base = ownPortRefusal(policy, host, port) ?? refusal(policy, docker ? 'CONNECT' : 'GET', host, false);
  if (base) return base;
  if (host.toLowerCase() === KUBERNETES_ALIAS)
    return "a tunnel (CONNECT) to the Kubernetes API is refused: the daemon adds the tier's identity to plain HTTP requests (the run's KUBECONFIG points there)";
  // The Docker API's requests must be seen to be filtered: never a tunnel to it.
  if (docker)
    return 'a tunnel (CONNECT) to the Docker API would hide its requests; use plain HTTP (DOCKER_HOST=tcp://docker.claudeops:2375)';
  if (policy.readOnly && !hostAllowed(host, policy.tlsHosts ?? []))
    return `this run is read-only: a tunnel (CONNECT) would hide its requests; ${host} is not in CLAUDEOPS_READONLY_TLS_HOSTS`;
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
  const kubernetes = host.toLowerCase() === KUBERNETES_ALIAS;
  if (docker && !policy.docker) return 'no Docker endpoint is configured (CLAUDEOPS_DOCKER_HOST)';
  if (kubernetes && !policy.kubernetes)
    return 'this tier has no Kubernetes identity (CLAUDEOPS_TIER<N>_KUBERNETES_ACCOUNT, or its token could not be obtained)';
  if (!docker && !kubernetes && !hostAllowed(host, policy.hosts))
    return `${host} is not in this tier's network allow list (CLAUDEOPS_TIER<N>_NETWORK)`;
  if (policy.readOnly && (!READ_METHODS.has(method) || upgrade))
    return `this run is read-only: ${upgrade ? 'protocol upgrades' : method} ${upgrade ? 'are' : 'is'} refused`;
  return undefined;
}

/**
 * The only way out of the sandbox: the CLI's sandbox sends every HTTP request and
 * CONNECT tunnel of the agent's commands here (settings `network.httpProxyPort`).
 * It applies the tier's host allow list, refuses every method but GET/HEAD/OPTIONS
 * for a read-only run, forwards DOCKER_ALIAS to the configured Docker endpoint, and
 * KUBERNETES_ALIAS to the API server under the tier's ServiceAccount.
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
    this.server = http.createServer((req, res) => void this.request(req, res));
    this.server.on('connect', (req, socket: net.Socket, head) => void this.connect(req, socket, head));
    this.server.on('upgrade', (req, socket: net.Socket) => this.upgrade(req, socket));
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
    return listenOnSocket(this.server, socketPath);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A protocol upgrade (attach, exec, WebSocket): never, whatever the policy. */
  upgrade(req: http.IncomingMessage, socket: net.Socket): void {
    this.onEvent(`refused ${req.method} ${req.url} (protocol upgrade)`, true);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  }

  async request(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return deny(res, 400, 'claudeops egress: expected an absolute URL (this is a proxy)');
    }
    const method = req.method ?? 'GET';
    const upgrade = Boolean(req.headers.upgrade);
    const why =
      ownPortRefusal(this.policy, url.hostname, Number(url.port || 80)) ??
      refusal(this.policy, method, url.hostname, upgrade) ??
      (url.hostname.toLowerCase() === DOCKER_ALIAS
        ? dockerRefusal(this.policy, method, url.pathname, upgrade)
        : undefined);
    if (why) {
      this.onEvent(`refused ${method} ${url.href}: ${why}`, true);
      return deny(res, 403, `claudeops egress: ${why}\n`);
    }
    if (url.hostname.toLowerCase() === KUBERNETES_ALIAS) {
      const kube = this.policy.kubernetes!;
      this.onEvent(`kubernetes ${method} ${url.pathname}${url.search} as ${kube.account}`, false);
      return forwardToKubernetes(req, res, url, kube, (e) =>
        this.onEvent(`kubernetes ${method} ${url.pathname} failed: ${e.message}`, false),
      );
    }
    const docker = url.hostname.toLowerCase() === DOCKER_ALIAS;
    const pinned = docker ? undefined : await pinnedAddress(this.policy, url.hostname, Number(url.port || 80));
    if (pinned && 'why' in pinned) {
      this.onEvent(`refused ${method} ${url.href}: ${pinned.why}`, true);
      return deny(res, 403, `claudeops egress: ${pinned.why}\n`);
    }
    const target = docker ? dockerTarget(this.policy.docker!) : { host: pinned!.address, port: Number(url.port || 80) };
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

  async connect(req: http.IncomingMessage, socket: net.Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    const docker = host.toLowerCase() === DOCKER_ALIAS;
    const why = tunnelRefusal(this.policy, host, Number(port));
    if (why) {
      this.onEvent(`refused CONNECT ${req.url}: ${why}`, true);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const pinned = docker ? undefined : await pinnedAddress(this.policy, host, Number(port));
    if (pinned && 'why' in pinned) {
      this.onEvent(`refused CONNECT ${req.url}: ${pinned.why}`, true);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const target = docker ? dockerTarget(this.policy.docker!) : { host: pinned!.address, port: Number(port) };
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
