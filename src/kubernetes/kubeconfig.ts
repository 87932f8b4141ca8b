// The kubeconfig a run's kubectl reads: the cluster is the daemon's egress proxy under a
// name of its own, and the user has no credential, because the daemon adds the tier's
// token on the way. JSON is valid YAML, and kubectl reads it.

/** The host name under which a run reaches the Kubernetes API: plain HTTP to the daemon's proxy. */
export const KUBERNETES_ALIAS = 'kubernetes.claudeops';

export function kubeconfig(tier: number, namespace: string): string {
  const name = `claudeops-tier${tier}`;
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'claudeops', cluster: { server: `http://${KUBERNETES_ALIAS}` } }],
      users: [{ name, user: {} }],
      contexts: [{ name, context: { cluster: 'claudeops', user: name, namespace } }],
      'current-context': name,
    },
    null,
    2,
  )}\n`;
}
