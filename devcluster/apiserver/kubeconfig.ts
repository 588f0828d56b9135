// The kubeconfig the dev cluster writes: usable as is by kubectl and by client-node (apiserver.md §12).
// Over plain HTTP client-node needs insecure-skip-tls-verify, and kubectl would not send a token anyway.
import { stringify } from 'yaml';

export function kubeconfigYaml(input: { server: string; caPem?: string; token?: string; name?: string }): string {
  const name = input.name ?? 'devcluster';
  const cluster: Record<string, unknown> = { server: input.server };
  if (input.caPem) cluster['certificate-authority-data'] = Buffer.from(input.caPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name: `${name}-admin`, user: input.token ? { token: input.token } : {} }],
    contexts: [{ name, context: { cluster: name, user: `${name}-admin`, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
