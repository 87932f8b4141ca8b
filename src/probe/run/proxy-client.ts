// The probes' way out: the daemon's egress proxy on its unix socket, with tier 1's policy.
// A probe goes where tier 1 may go and nowhere else; the proxy's own refusals are told
// apart from the target's answers by the proxy's marker.
import http from 'node:http';
import type net from 'node:net';

/** How the egress proxy words its own answers (403 for a refusal, 502 for a failed connection). */
const PROXY_MARK = 'claudeops egress:';

export type Hop =
  | { ok: true; socket: net.Socket }
  | { ok: false; refused: true; why: string }
  | { ok: false; refused: false; why: string };

/** Whether a response is the proxy speaking for itself, and what it said. */
export function proxyAnswer(status: number, body: string): { refused: boolean; why: string } | undefined {
  if (!body.startsWith(PROXY_MARK)) return undefined;
  return { refused: status === 403, why: body.slice(PROXY_MARK.length).trim() };
}

/** A tunnel through the proxy to host:port (CONNECT), or why there is none. */
export function tunnel(socketPath: string, host: string, port: number, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const req = http.request({ socketPath, method: 'CONNECT', path: authority, headers: { host: authority }, signal });
    req.on('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve({ ok: true, socket });
      socket.destroy();
      // The proxy ends a refused tunnel with a bare status line.
      resolve(
        res.statusCode === 403
          ? { ok: false, refused: true, why: 'refused by the egress policy' }
          : { ok: false, refused: false, why: `the connection failed (proxy answered ${res.statusCode})` },
      );
    });
    req.on('error', reject);
    req.end();
  });
}
