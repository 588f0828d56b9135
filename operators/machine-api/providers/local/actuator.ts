// The local provider's Actuator (shared/reference/machine-api.md §1.3, §8 item 6): instances in the dev
// cluster's local cloud, reached over HTTP. Every instance is found by its Machine's UID (the clientToken on
// create, the machineUID tag on reads), never by a providerID the Machine may not have recorded yet, so a
// crash between the cloud call and the status write neither leaks an instance nor makes a second one.
import type { Machine, MachineSet } from '../../../api/machine-v1beta1.ts';
import { INSTANCE_TYPE_LABEL, MACHINE_API_GROUP_VERSION, REGION_LABEL, ZONE_LABEL } from '../../../api/machine-v1beta1.ts';
import { RequeueAfter } from '../../../runtime/errors.ts';
import type { Actuator, InstanceObservation, InstanceTypeCapacity } from '../actuator.ts';
import { LocalCloudApiError, LocalCloudClient, type LocalInstance } from './client.ts';
import { toActuatorError } from './errors.ts';
import { InstanceCache, MACHINE_UID_TAG, type InstanceCacheOptions } from './instance-cache.ts';
import { LOCAL_INSTANCE_TYPES } from './instance-types.ts';
import { parseLocalProviderSpec } from './provider-spec.ts';

/** The environment variable that gives the local cloud's endpoint when no option does. */
export const LOCAL_CLOUD_ENDPOINT_ENV = 'LOCAL_CLOUD_ENDPOINT';
/** How soon delete looks again at a shutting-down instance, in ms (the local cloud takes about a second). */
export const DEFAULT_DELETE_POLL_MS = 2_000;
/** The tag naming the Machine, `<namespace>/<name>`, for people reading the cloud's listing. */
export const MACHINE_TAG = 'machine';

export interface LocalActuatorOptions extends InstanceCacheOptions {
  /** The local cloud's URL; LOCAL_CLOUD_ENDPOINT when absent. */
  readonly endpoint?: string;
  readonly deletePollMs?: number;
  readonly fetch?: typeof fetch;
}

export class LocalActuator implements Actuator {
  readonly #options: LocalActuatorOptions;
  #connection: { client: LocalCloudClient; cache: InstanceCache } | undefined;

  constructor(options: LocalActuatorOptions = {}) {
    this.#options = options;
  }

  async create(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    const spec = parseLocalProviderSpec(machine.spec?.providerSpec?.value);
    const { client, cache } = this.#connect();
    const uid = machineUID(machine);
    const instance = await guard(() =>
      client.createInstance(
        { clientToken: uid, name: machine.metadata.name ?? '', tags: { [MACHINE_TAG]: machineKey(machine), [MACHINE_UID_TAG]: uid }, spec },
        signal,
      ),
    );
    cache.remember(uid, instance);
    return observe(instance);
  }

  async exists(machine: Machine, signal: AbortSignal): Promise<boolean> {
    const instance = await this.#lookup(machine, signal);
    return instance !== undefined && instance.state !== 'terminated';
  }

  async update(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    const instance = await this.#lookup(machine, signal);
    if (!instance) throw new Error(`No instance found for Machine ${machineKey(machine)} (tag ${MACHINE_UID_TAG}=${machineUID(machine)})`);
    return observe(instance);
  }

  /** Terminates the instance; resolves once it is terminated or gone, throws RequeueAfter until then. */
  async delete(machine: Machine, signal: AbortSignal): Promise<void> {
    const { client, cache } = this.#connect();
    const uid = machineUID(machine);
    // Deciding to release the finalizer needs the cloud's word now, not a cached one.
    cache.forget(uid);
    const instance = await this.#lookup(machine, signal);
    // And what was read goes stale with the terminate below: the controller's Exists right after must ask too.
    cache.forget(uid);
    if (!instance || instance.state === 'terminated') return;
    if (instance.state !== 'shutting-down') {
      try {
        await client.terminateInstance(instance.id, signal);
      } catch (err) {
        if (err instanceof LocalCloudApiError && err.status === 404) return; // vanished since the describe
        throw toActuatorError(err);
      }
    }
    throw new RequeueAfter(this.#options.deletePollMs ?? DEFAULT_DELETE_POLL_MS, `Waiting for instance ${instance.id} to terminate`);
  }

  /** The capacity of the template's instance type, from the local cloud's documented types: no cloud call. */
  async instanceTypeCapacity(machineSet: MachineSet): Promise<InstanceTypeCapacity | undefined> {
    const spec = parseLocalProviderSpec(machineSet.spec?.template?.spec?.providerSpec?.value);
    return LOCAL_INSTANCE_TYPES[spec.instanceType];
  }

  #lookup(machine: Machine, signal: AbortSignal): Promise<LocalInstance | undefined> {
    const { cache } = this.#connect();
    return guard(() => cache.byMachineUID(machineUID(machine), signal));
  }

  // Built on first use: an operator that serves no local Machines must start without a local cloud.
  #connect(): { client: LocalCloudClient; cache: InstanceCache } {
    if (this.#connection) return this.#connection;
    const endpoint = this.#options.endpoint ?? process.env[LOCAL_CLOUD_ENDPOINT_ENV];
    if (!endpoint) throw new Error(`The local provider needs the local cloud's endpoint: set ${LOCAL_CLOUD_ENDPOINT_ENV} (the dev cluster prints it)`);
    const client = new LocalCloudClient({ endpoint, fetch: this.#options.fetch });
    this.#connection = { client, cache: new InstanceCache(client, this.#options) };
    return this.#connection;
  }
}

async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActuatorError(err);
  }
}

function machineUID(machine: Machine): string {
  const uid = machine.metadata.uid;
  // Every Machine read from the API server has one; without it create could not be idempotent.
  if (!uid) throw new Error(`Machine ${machineKey(machine)} has no metadata.uid`);
  return uid;
}

function machineKey(machine: Machine): string {
  return `${machine.metadata.namespace ?? ''}/${machine.metadata.name ?? ''}`;
}

/** What the Machine controller records of an instance. */
export function observe(instance: LocalInstance): InstanceObservation {
  return {
    providerID: instance.providerID,
    addresses: [
      { type: 'InternalIP', address: instance.privateIp },
      { type: 'InternalDNS', address: instance.hostname },
      { type: 'Hostname', address: instance.hostname },
    ],
    instanceState: instance.state,
    providerStatus: { apiVersion: MACHINE_API_GROUP_VERSION, kind: 'LocalMachineProviderStatus', instanceId: instance.id, instanceState: instance.state },
    labels: { [INSTANCE_TYPE_LABEL]: instance.spec.instanceType, [REGION_LABEL]: instance.spec.region, [ZONE_LABEL]: instance.spec.zone },
  };
}
