// A loopback stand-in of the Kubernetes API server, over HTTPS with a certificate made for
// the test: the TokenRequest API (for the daemon's own token only), pods to list and delete,
// and RBAC by token, as a real API server would decide it. It records every request with
// the identity it came under, so tests can assert who asked for what and what changed.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface KubeRequest {
  method: string;
  path: string;
  /** The ServiceAccount the bearer token belongs to, or what was sent instead. */
  as: string;
  body: string;
}

/** What each ServiceAccount may do here: verbs on pods. */
const RBAC: Record<string, string[]> = {
  'claudeops/claudeops-tier1': ['get', 'list'],
  'claudeops/claudeops-tier2': ['get', 'list', 'delete'],
};

export class FakeKubeApi {
  readonly requests: KubeRequest[] = [];
  readonly pods = new Set(['web-1', 'web-2']);
  /** The daemon's own token, as its credentials directory holds it. */
  readonly daemonToken = `daemon-${crypto.randomBytes(12).toString('hex')}`;
  /** Every token issued, by ServiceAccount. */
  readonly issued = new Map<string, string>();
  readonly dir: string;
  private readonly server: https.Server;

  constructor(dir: string) {
    this.dir = dir;
    fs.mkdirSync(dir, { recursive: true });
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'ca.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=kube-apiserver',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    fs.writeFileSync(path.join(dir, 'token'), this.daemonToken);
    fs.writeFileSync(path.join(dir, 'namespace'), 'claudeops');
    this.server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => this.answer(req.method ?? '', req.url ?? '', req.headers.authorization ?? '', body, res));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private who(authorization: string): string {
    const token = authorization.replace(/^Bearer /, '');
    if (token === this.daemonToken) return 'claudeops/claudeops';
    for (const [account, t] of this.issued) if (t === token) return account;
    return authorization ? `unknown token` : 'anonymous';
  }

  private answer(
    method: string,
    url: string,
    authorization: string,
    body: string,
    res: import('node:http').ServerResponse,
  ): void {
    const as = this.who(authorization);
    this.requests.push({ method, path: url, as, body });
    const json = (code: number, value: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const forbidden = (verb: string, what: string) =>
      json(403, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Forbidden',
        code: 403,
        message: `${what} is forbidden: User "system:serviceaccount:${as.replace('/', ':')}" cannot ${verb} it`,
      });
    const token = /^\/api\/v1\/namespaces\/([^/]+)\/serviceaccounts\/([^/]+)\/token$/.exec(url);
    if (token && method === 'POST') {
      const account = `${token[1]}/${token[2]}`;
      if (as !== 'claudeops/claudeops' || !(account in RBAC))
        return forbidden('create', `serviceaccounts "${token[2]}"`);
      const issued = `tier-${token[2]}-${crypto.randomBytes(12).toString('hex')}`;
      this.issued.set(account, issued);
      const seconds = (JSON.parse(body) as { spec?: { expirationSeconds?: number } }).spec?.expirationSeconds ?? 3600;
      return json(201, {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        status: { token: issued, expirationTimestamp: new Date(Date.now() + seconds * 1000).toISOString() },
      });
    }
    const pods = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/?]+))?(?:\?.*)?$/.exec(url);
    // The accounts here are granted pods only: anything else is another resource they may not touch.
    if (!pods) return forbidden(method.toLowerCase(), url.replace(/\?.*$/, ''));
    const verb = method === 'DELETE' ? 'delete' : method === 'GET' ? (pods[2] ? 'get' : 'list') : method.toLowerCase();
    if (!(RBAC[as] ?? []).includes(verb)) return forbidden(verb, pods[2] ? `pods "${pods[2]}"` : 'pods');
    if (verb === 'list')
      return json(200, {
        kind: 'PodList',
        apiVersion: 'v1',
        items: [...this.pods].map((name) => ({ metadata: { name, namespace: pods[1] } })),
      });
    if (!this.pods.has(pods[2]!))
      return json(404, { kind: 'Status', code: 404, message: `pods "${pods[2]}" not found` });
    if (verb === 'delete') this.pods.delete(pods[2]!);
    return json(200, { kind: 'Pod', apiVersion: 'v1', metadata: { name: pods[2], namespace: pods[1] } });
  }
}
