// A tier's Kubernetes identity for one run: a short-lived token of the tier's ServiceAccount,
// obtained with the TokenRequest API under the daemon's own account. The token stays with the
// daemon (its egress proxy adds it to the run's requests); the run only gets a kubeconfig
// that points at that proxy (kubeconfig.ts).
import fs from 'node:fs/promises';
import https from 'node:https';
import http from 'node:http';
import path from 'node:path';
import { z } from 'zod';
import { safeJson } from '../store/json-state.js';

export interface KubeIdentity {
  /** The API server, e.g. https://kubernetes.default.svc. */
  api: string;
  /** The cluster's CA (PEM), when the credentials directory holds one. */
  ca?: string;
  token: string;
  /** The tier's ServiceAccount as namespace/name. */
  account: string;
  /** The namespace a run's kubectl starts in: the daemon's. */
  namespace: string;
  expiresAt: string;
}

export interface IdentityRequest {
  api: string;
  /** The daemon's own credentials: token, ca.crt and namespace, as a pod has them mounted. */
  credentialsDir: string;
  /** name (in the daemon's namespace) or namespace/name. */
  account: string;
  /** How long the token must last: the run's timeout and a margin; Kubernetes' minimum is 600 s. */
  seconds: number;
}

const TokenResponse = z.object({
  status: z.object({ token: z.string().min(1), expirationTimestamp: z.string() }),
});
const StatusBody = z.object({ message: z.string() });

/** Asks the API server for a token of the tier's account; throws an operator's sentence when it cannot. */
export async function requestIdentity(r: IdentityRequest): Promise<KubeIdentity> {
  const own = await readCredentials(r.credentialsDir);
  const [namespace, name] = r.account.includes('/') ? r.account.split('/', 2) : [own.namespace, r.account];
  const account = `${namespace}/${name}`;
  const url = new URL(
    `${r.api}/api/v1/namespaces/${encodeURIComponent(namespace!)}/serviceaccounts/${encodeURIComponent(name!)}/token`,
  );
  const body = JSON.stringify({
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: Math.max(600, Math.ceil(r.seconds)) },
  });
  const answer = await post(url, body, own.token, own.ca).catch((e: Error) => {
    throw new Error(`the Kubernetes API at ${r.api} could not be reached for ${account}'s token: ${e.message}`);
  });
  if (answer.status !== 201 && answer.status !== 200) {
    const parsed = StatusBody.safeParse(jsonOf(answer.body));
    throw new Error(
      `the Kubernetes API refused a token for ${account} (HTTP ${answer.status}${parsed.success ? `: ${parsed.data.message}` : ''}); the daemon's own ServiceAccount needs "create" on serviceaccounts/token for it (deploy/kubernetes has the Role)`,
    );
  }
  const token = TokenResponse.safeParse(jsonOf(answer.body));
  if (!token.success) throw new Error(`the Kubernetes API answered ${account}'s token request without a token`);
  return {
    api: r.api,
    ...(own.ca ? { ca: own.ca } : {}),
    token: token.data.status.token,
    account,
    namespace: own.namespace,
    expiresAt: token.data.status.expirationTimestamp,
  };
}

async function readCredentials(dir: string): Promise<{ token: string; ca?: string; namespace: string }> {
  const read = (f: string) => fs.readFile(path.join(dir, f), 'utf8').then((t) => t.trim());
  let token: string;
  try {
    token = await read('token');
  } catch (e) {
    throw new Error(
      `the daemon's own Kubernetes credentials are not in ${dir} (${(e as NodeJS.ErrnoException).code}); run it in a pod with a ServiceAccount token mounted, or set CLAUDEOPS_KUBERNETES_CREDENTIALS`,
    );
  }
  const [ca, namespace] = await Promise.all([
    read('ca.crt').catch(() => undefined),
    read('namespace').catch(() => 'default'),
  ]);
  return { token, ...(ca ? { ca } : {}), namespace };
}

function post(
  url: URL,
  body: string,
  token: string,
  ca: string | undefined,
): Promise<{ status: number; body: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        ...(ca ? { ca } : {}),
        timeout: 15_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', reject);
    req.end(body);
  });
}

const jsonOf = (text: string): unknown => {
  const parsed = safeJson(text);
  return parsed.ok ? parsed.value : undefined;
};

/** What of the configuration a tier's identity comes from (the Config has it). */
export interface TierAccounts {
  tiers: Record<1 | 2 | 3, { kubernetesAccount?: string | undefined }>;
  kubernetes: { api: string; credentialsDir: string };
  timeoutMs: number;
}

/**
 * The identity a tier's run gets, or undefined (with why, for the run's warnings) when the
 * tier has no account, runs without the cage (its proxy is what keeps the token from the
 * agent), or the token cannot be had: the run then goes on without Kubernetes.
 */
export async function tierIdentity(
  config: TierAccounts,
  tier: 1 | 2 | 3,
  caged: boolean,
  warn: (text: string) => void,
): Promise<{ tier: number; identity: KubeIdentity } | undefined> {
  const account = config.tiers[tier].kubernetesAccount;
  if (!account) return undefined;
  if (!caged) {
    warn(
      `tier ${tier} has a Kubernetes account (${account}) but runs without the sandbox, which keeps its token from the agent: this run has no Kubernetes access`,
    );
    return undefined;
  }
  try {
    const identity = await requestIdentity({
      api: config.kubernetes.api,
      credentialsDir: config.kubernetes.credentialsDir,
      account,
      seconds: config.timeoutMs / 1000 + 60,
    });
    return { tier, identity };
  } catch (e) {
    warn(`tier ${tier}'s Kubernetes identity: ${(e as Error).message}; this run has no Kubernetes access`);
    return undefined;
  }
}
