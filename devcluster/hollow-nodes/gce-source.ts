// The instances of the Compute Engine wire fake (test/fakes/gcp/compute-server.ts, in this process) as hollow-node
// instances. The fake keeps no timers: an instance's status follows its phase times whenever it is read. So this
// reads on the fake's change hook (insert, delete, reset), which also says when the new phases begin, and reads
// again at each of those times: no polling, and a kubelet starts as soon as its instance is RUNNING.
import { staticMachineTypeCapacity } from '../../operators/machine-api/providers/gcp/machine-types.ts';
import { DEFAULT_OS_IMAGE } from '../local-cloud/types.ts';
import type { HollowInstance } from './node-object.ts';
import { SnapshotSource } from './snapshot-source.ts';

/** An instance as the Compute API shows it (the fields read here). */
export type GceInstanceView = Record<string, unknown> & { readonly name: string; readonly status: string };

/** What this needs of the fake (GceFake has it), so that the dev cluster does not depend on test code. */
export interface GceInventory {
  instances(project: string, zone?: string): GceInstanceView[];
  /** `listener(times)`: instances() changed now and changes again at each of `times` (epoch ms). */
  subscribe(listener: (times: readonly number[]) => void): () => void;
}

export class GceInstanceSource extends SnapshotSource {
  readonly #fake: GceInventory;
  readonly #project: string;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  #unsubscribe: (() => void) | undefined;
  #readQueued = false;

  constructor(fake: GceInventory, project: string) {
    super();
    this.#fake = fake;
    this.#project = project;
  }

  protected override startObserving(): void {
    this.#unsubscribe = this.#fake.subscribe((times) => {
      this.#queueRead();
      for (const at of times) this.#readAt(at);
    });
    this.#read();
  }

  protected override stopObserving(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  // The hook fires inside the fake's request handling; reading after it (and once for a burst) sees the whole change.
  #queueRead(): void {
    if (this.#readQueued) return;
    this.#readQueued = true;
    queueMicrotask(() => {
      this.#readQueued = false;
      if (this.#unsubscribe) this.#read();
    });
  }

  // One timer per instant: a burst of inserts in the same millisecond shares it.
  #readAt(at: number): void {
    if (at <= Date.now() || this.#timers.has(at)) return;
    // +1: a phase shows from its time on (`at <= now`), and timers may fire a millisecond early.
    this.#timers.set(at, setTimeout(() => {
      this.#timers.delete(at);
      this.#read();
    }, at - Date.now() + 1));
  }

  #read(): void {
    this.update(this.#fake.instances(this.#project).filter((i) => i.status === 'RUNNING').flatMap((i) => hollowInstanceOfGce(this.#project, i) ?? []));
  }
}

/**
 * A RUNNING GCE instance as its kubelet registers it: the Node is named after the instance (GCE's hostname is
 * `<name>.c.<project>.internal`, and the kubelet uses its first label), the providerID is
 * `gce://<project>/<zone>/<name>` (the provider's observe()). Undefined without a network address.
 */
export function hollowInstanceOfGce(project: string, instance: GceInstanceView): HollowInstance | undefined {
  const nics = Array.isArray(instance.networkInterfaces) ? (instance.networkInterfaces as { networkIP?: string }[]) : [];
  const internalIP = nics[0]?.networkIP;
  if (!internalIP) return undefined;
  const zone = lastSegment(instance.zone);
  const machineType = lastSegment(instance.machineType);
  const size = staticMachineTypeCapacity(machineType) ?? { vCPU: 2, memoryMb: 8192 };
  const created = Date.parse(String(instance.creationTimestamp));
  return {
    // The numeric id differs between two instances of the same name, one deleted and the other created after it.
    id: String(instance.id ?? `${zone}/${instance.name}`),
    nodeName: instance.name,
    providerID: `gce://${project}/${zone}/${instance.name}`,
    internalIP,
    instanceType: machineType,
    // us-central1-a → us-central1
    region: zone.replace(/-[a-z]$/, ''),
    zone,
    cpu: size.vCPU,
    memoryMiB: size.memoryMb,
    osImage: DEFAULT_OS_IMAGE,
    runningSince: Number.isNaN(created) ? Date.now() : created,
    neverReady: false,
    failToJoin: false,
  };
}

function lastSegment(value: unknown): string {
  return typeof value === 'string' ? value.slice(value.lastIndexOf('/') + 1) : '';
}
