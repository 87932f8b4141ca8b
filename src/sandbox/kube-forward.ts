// A run's request to the Kubernetes API, sent on by the daemon under the tier's identity:
// whatever credential the run sent is dropped and the tier's short-lived token is added,
// so the API server's RBAC for that ServiceAccount decides, whatever the model types.
import http from 'node:http';
import https from 'node:https';

export interface KubeTarget {
  api: string;
  token: string;
  ca?: string;
  /** The ServiceAccount the token is for (namespace/name), for the run's story. */
  account: string;
}

/** Headers a run may not pass on: its own credentials, and the proxy's and the connection's. */
const DROPPED = new Set([
  'authorization',
  'proxy-authorization',
  'proxy-connection',
  'host',
  'connection',
  'impersonate-user',
  'impersonate-group',
  'impersonate-uid',
]);

export function forwardToKubernetes(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  target: KubeTarget,
  onError: (e: Error) => void,
): void {
  const api = new URL(target.api);
  const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${target.token}` };
  for (const [k, v] of Object.entries(req.headers))
    if (!DROPPED.has(k) && !k.startsWith('impersonate-extra-') && v !== undefined) headers[k] = v;
  const client = api.protocol === 'https:' ? https : http;
  const upstream = client.request(
    {
      protocol: api.protocol,
      hostname: api.hostname,
      port: api.port || (api.protocol === 'https:' ? 443 : 80),
      method: req.method,
      path: `${api.pathname.replace(/\/$/, '')}${url.pathname}${url.search}`,
      headers,
      ...(target.ca ? { ca: target.ca } : {}),
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    onError(e);
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`claudeops egress: the Kubernetes API: ${e.message}\n`);
    } else res.destroy();
  });
  req.pipe(upstream);
}
