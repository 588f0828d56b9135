// The Machine API CustomResourceDefinitions of crds/, installed into a running server through the API, as
// `kubectl apply -f crds/` would, and waited for until their resources are served.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiextensionsV1Api, loadYaml, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { waitFor } from '../../operators/runtime/wait.ts';

const CRD_DIR = join(import.meta.dirname, '..', '..', 'crds');

/**
 * Every CRD manifest in crds/ (Machine, MachineSet, MachineHealthCheck), as client-node models. They must go
 * through client-node's loadYaml: its typed APIs serialize from model property names (`xKubernetesIntOrString`,
 * `_default`, `_enum`), so a plain YAML parse would silently lose every `x-kubernetes-*`, `default` and `enum`.
 */
export function machineCrds(): V1CustomResourceDefinition[] {
  return readdirSync(CRD_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .map((file) => loadYaml<V1CustomResourceDefinition>(readFileSync(join(CRD_DIR, file), 'utf8')));
}

/** Creates the CRDs and resolves once each one reports Established=True. */
export async function installMachineCrds(kc: KubeConfig, timeoutMs = 5_000): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const crds = machineCrds();
  for (const body of crds) await api.createCustomResourceDefinition({ body });
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    await waitFor(async () => {
      const current = await api.readCustomResourceDefinition({ name });
      return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    }, { timeoutMs, intervalMs: 20, message: `CRD ${name} to be Established` });
  }
}
