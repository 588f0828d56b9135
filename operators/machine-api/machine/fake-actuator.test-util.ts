// An in-memory Actuator for the Machine API integration tests, after MAO's testactuator.go: instances keyed by
// the Machine's UID (so create is idempotent as the contract requires), calls that can be blocked and released to
// hold the controller in the middle of one, scripted failures, and a journal of every call for order assertions.
import type { Machine } from '../../api/machine-v1beta1.ts';
import { INSTANCE_TYPE_LABEL, REGION_LABEL, ZONE_LABEL } from '../../api/machine-v1beta1.ts';
import type { Actuator, InstanceObservation, ProviderFactory } from '../providers/actuator.ts';

/** The providerSpec kind the fake serves. */
export const FAKE_PROVIDER_SPEC_KIND = 'FakeMachineProviderSpec';

export type ActuatorCall = 'create' | 'exists' | 'update' | 'delete';

export interface FakeInstance {
  readonly providerID: string;
  readonly internalIP: string;
}

interface Gate {
  readonly released: Promise<void>;
  release(): void;
}

export class FakeActuator implements Actuator {
  /** Instances by Machine UID. */
  readonly instances = new Map<string, FakeInstance>();
  /** Every call, as "<call> <machine name>", in the order they started. */
  readonly journal: string[] = [];
  /** Run at the start of each call of that kind: throwing fails the call with that error. */
  fail: Partial<Record<ActuatorCall, (machine: Machine) => void>> = {};
  readonly #gates = new Map<ActuatorCall, Gate>();
  readonly #waiting = new Map<ActuatorCall, Array<() => void>>();

  /** Calls of this kind wait (after their side effect) until unblock(). */
  block(call: ActuatorCall): void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.#gates.set(call, { released, release });
  }

  unblock(call: ActuatorCall): void {
    this.#gates.get(call)?.release();
    this.#gates.delete(call);
  }

  /** Resolves once a call of this kind is held at its gate. */
  waitUntilBlocked(call: ActuatorCall): Promise<void> {
    return new Promise((resolve) => this.#waiting.set(call, [...(this.#waiting.get(call) ?? []), resolve]));
  }

  calls(call: ActuatorCall): number {
    return this.journal.filter((line) => line.startsWith(`${call} `)).length;
  }

  async create(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    this.#enter('create', machine);
    const uid = machine.metadata.uid ?? '';
    let instance = this.instances.get(uid);
    if (!instance) {
      instance = { providerID: `fake:///${machine.metadata.name}-${uid.slice(0, 8)}`, internalIP: nextInternalIP() };
      this.instances.set(uid, instance);
    }
    await this.#gate('create', signal);
    return observe(instance);
  }

  async exists(machine: Machine): Promise<boolean> {
    this.#enter('exists', machine);
    return this.instances.has(machine.metadata.uid ?? '');
  }

  async update(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    this.#enter('update', machine);
    const instance = this.instances.get(machine.metadata.uid ?? '');
    if (!instance) throw new Error(`no instance for ${machine.metadata.name}`);
    await this.#gate('update', signal);
    return observe(instance);
  }

  async delete(machine: Machine, signal: AbortSignal): Promise<void> {
    this.#enter('delete', machine);
    await this.#gate('delete', signal);
    this.instances.delete(machine.metadata.uid ?? '');
  }

  #enter(call: ActuatorCall, machine: Machine): void {
    this.journal.push(`${call} ${machine.metadata.name}`);
    this.fail[call]?.(machine);
  }

  async #gate(call: ActuatorCall, signal: AbortSignal): Promise<void> {
    const gate = this.#gates.get(call);
    if (!gate) return;
    for (const resolve of this.#waiting.get(call) ?? []) resolve();
    this.#waiting.delete(call);
    await new Promise<void>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      void gate.released.then(resolve);
    });
  }
}

let addressCount = 0;
/** Unique across the test process: Nodes are cluster-scoped and outlive a test, and nodelink matches by InternalIP. */
function nextInternalIP(): string {
  addressCount++;
  return `10.99.${Math.floor(addressCount / 250)}.${(addressCount % 250) + 1}`;
}

export function observe(instance: FakeInstance): InstanceObservation {
  return {
    providerID: instance.providerID,
    addresses: [{ type: 'InternalIP', address: instance.internalIP }],
    instanceState: 'running',
    providerStatus: { instanceState: 'running' },
    labels: { [INSTANCE_TYPE_LABEL]: 'fake.large', [REGION_LABEL]: 'local-1', [ZONE_LABEL]: 'local-1a' },
  };
}

/** A ProviderFactory serving FAKE_PROVIDER_SPEC_KIND with `actuator`. */
export function fakeProviderFactory(actuator: FakeActuator): ProviderFactory {
  return { name: 'fake', kinds: [FAKE_PROVIDER_SPEC_KIND], create: () => actuator };
}
