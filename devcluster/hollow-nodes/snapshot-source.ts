// What the emulated clouds' instance sources share: each can only read its cloud's whole inventory (a
// DescribeInstances answer, the GCE fake's instance list, the ARM fake's VMs), not a stream of per-instance events.
// SnapshotSource turns successive reads into the InstanceSource contract: it keeps the running set of the last
// read and, on each new read, tells listeners which instances started running and which stopped.
import type { InstanceSource } from './instance-source.ts';
import type { HollowInstance } from './node-object.ts';

type Listener = (instance: HollowInstance, running: boolean) => void;

export class SnapshotSource implements InstanceSource {
  /** Running instances of the last read, by instance ID. */
  #running = new Map<string, HollowInstance>();
  readonly #listeners = new Set<Listener>();

  running(): HollowInstance[] {
    return [...this.#running.values()];
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.startObserving();
    return () => {
      if (this.#listeners.delete(listener) && this.#listeners.size === 0) this.stopObserving();
    };
  }

  /** Observation (a poll loop, a fake's subscription) runs only while someone listens: from the first subscribe… */
  protected startObserving(): void {}

  /** …to the last unsubscribe (HollowNodeManager.stop). */
  protected stopObserving(): void {}

  /** Replaces the running set with `instances` (every instance running now) and announces the differences. */
  update(instances: Iterable<HollowInstance>): void {
    const next = new Map<string, HollowInstance>();
    for (const instance of instances) next.set(instance.id, instance);
    const previous = this.#running;
    this.#running = next;
    for (const [id, instance] of previous) if (!next.has(id)) this.#emit(instance, false);
    for (const [id, instance] of next) if (!previous.has(id)) this.#emit(instance, true);
  }

  #emit(instance: HollowInstance, running: boolean): void {
    for (const listener of [...this.#listeners]) listener(instance, running);
  }
}
