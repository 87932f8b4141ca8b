// One Unix socket for a cage's servers, so the cage needs one bridge (one socat) instead
// of one per server: a request goes to the model API's proxy or the MCP relay when it
// names their address inside the cage, and to the egress proxy otherwise. All three
// serve the same run with its one policy, and each was reachable from the cage anyway,
// so sending a request to one or the other gives a run nothing it did not have.
import http from 'node:http';
import type net from 'node:net';
import type { ApiProxy } from './api-proxy.js';
import type { EgressProxy } from './egress-proxy.js';
import type { McpRelay } from './mcp-relay.js';
import { listenOnSocket } from './socket-server.js';

export type FrontRoute = 'egress' | 'api' | 'mcp';

/** The host names inside the cage that lead to the API proxy and to the MCP relay. */
export interface FrontHosts {
  api: string;
  mcp: string;
}

/**
 * Which server a request is for: one in origin form (`GET /path`) by the host it names;
 * one in absolute form (`GET http://host/`, a proxy request) always the egress proxy's.
 */
export function frontRoute(url: string | undefined, host: string | undefined, hosts: FrontHosts): FrontRoute {
  if (!url?.startsWith('/') || !host) return 'egress';
  let name: string;
  try {
    name = new URL(`http://${host}`).hostname;
  } catch {
    return 'egress';
  }
  return name === hosts.api ? 'api' : name === hosts.mcp ? 'mcp' : 'egress';
}

export class CageFront {
  private readonly server: http.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(hosts: FrontHosts, egress: EgressProxy, api: ApiProxy | undefined, relay: McpRelay | undefined) {
    this.server = http.createServer((req, res) => {
      const route = frontRoute(req.url, req.headers.host, hosts);
      if (route === 'api' && api) api.forward(req, res);
      else if (route === 'mcp' && relay) void relay.relay(req, res);
      else void egress.request(req, res);
    });
    // A tunnel is the egress proxy's whatever address it came to; so is a protocol upgrade,
    // which it refuses: neither the model API nor MCP over HTTP upgrades.
    this.server.on('connect', (req, socket: net.Socket, head) => void egress.connect(req, socket, head));
    this.server.on('upgrade', (req, socket: net.Socket) => egress.upgrade(req, socket));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  listen(socketPath: string): Promise<void> {
    return listenOnSocket(this.server, socketPath);
  }

  /** Ends every connection, tunnels included, and closes the server. */
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
