// Stands in for the kubelet and the cloud controller manager of each instance: once a Machine's instance is
// running (its instance-state annotation, the provider's own word), a Ready Node with the Machine's providerID and
// addresses is registered, which nodelink then links to the Machine (nodeRef), the last step to phase Running.
// Driven by the operator's Machine cache, so it reads the API server and never the cloud: the cloud calls counted
// are the operator's alone. (The dev cluster's hollow kubelets follow the emulators' instances too, but bring pods,
// leases and heartbeats the call counts do not need.)
import type { KubeConfig } from '@kubernetes/client-node';
import { INSTANCE_STATE_ANNOTATION, type Machine } from '../../operators/api/machine-v1beta1.ts';
import type { EventSource } from '../../operators/runtime/cache.ts';
import { errorMessage, isAlreadyExists } from '../../operators/runtime/errors.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';

export class NodeJoiner {
  readonly #kc: KubeConfig;
  readonly #joined = new Set<string>();
  readonly #errors: string[] = [];
  #unsubscribe: (() => void) | undefined;

  constructor(kc: KubeConfig) {
    this.#kc = kc;
  }

  /** Registers a Node for every Machine of `machines` whose instance is running, now and from now on. */
  start(machines: EventSource<Machine>): void {
    this.#unsubscribe = machines.subscribe((event) => {
      if (event.type !== 'delete') this.#consider(event.object);
    });
  }

  stop(): void {
    this.#unsubscribe?.();
  }

  /** Registration failures so far (the bench reports them instead of hanging on a Machine that never joins). */
  get errors(): readonly string[] {
    return this.#errors;
  }

  #consider(machine: Machine): void {
    const providerID = machine.spec?.providerID;
    const state = machine.metadata.annotations?.[INSTANCE_STATE_ANNOTATION] ?? '';
    const name = machine.metadata.name ?? '';
    // aws "running", gcp "RUNNING", azure "Running".
    if (!providerID || state.toLowerCase() !== 'running' || machine.metadata.deletionTimestamp || this.#joined.has(providerID)) return;
    this.#joined.add(providerID);
    this.#register(name, providerID, machine).catch((err: unknown) => this.#errors.push(`Node ${name}: ${errorMessage(err)}`));
  }

  async #register(name: string, providerID: string, machine: Machine): Promise<void> {
    try {
      await kubeJson(this.#kc, '/api/v1/nodes', { method: 'POST', body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: { providerID } } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const addresses = (machine.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' || a.type === 'Hostname');
    await kubeJson(this.#kc, `/api/v1/nodes/${name}/status`, {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { status: { addresses, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench node', lastHeartbeatTime: now, lastTransitionTime: now }] } },
    });
  }
}
