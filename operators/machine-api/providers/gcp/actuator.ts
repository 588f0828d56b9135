// The GCP Compute Engine provider's Actuator (shared/reference/machine-api.md §1.3, §2.2, §8 note 4). A Machine's
// instance is named after the Machine, labelled with its UID and inserted with a requestId derived from the UID, so
// a crash between the cloud call and the status write neither makes a second instance (GCE answers the repeated
// requestId with the first Operation, and a second name gets 409) nor loses it (name and label find it without a
// providerID). Inserts and deletes wait for their zonal Operation with zoneOperations.wait; one that outlasts
// `operationWaitMs` is resumed on the next call (RequeueAfter). Reads go through a per-connection InstanceCache that
// answers a zone's Machines with one instances.list.
//
// Credentials: only from the Secret the providerSpec names (key service_account.json). A missing Secret is a
// transient error with a clear message, not MAO's InvalidConfiguration (which MAO builds but forgets to return,
// §2.2 "Credentials"): Secrets are often created just after the Machines that use them, and a Machine sent to
// Failed for that is never retried (§6 item 1).
//
// Exists follows MAO: a TERMINATED instance (stopped, or a preempted Spot VM) still exists; only 404 is absence.
import type { Machine, MachineSet, NodeAddress } from '../../../api/machine-v1beta1.ts';
import {
  CLUSTER_ID_LABEL, INSTANCE_TYPE_LABEL, INTERRUPTIBLE_INSTANCE_LABEL, MACHINE_API_GROUP_VERSION, REGION_LABEL, ZONE_LABEL,
} from '../../../api/machine-v1beta1.ts';
import { RequeueAfter, TerminalError } from '../../../runtime/errors.ts';
import type { Actuator, InstanceObservation, ProviderDeps } from '../actuator.ts';
import {
  callOptions, connectionKey, CredentialsSecretError, getInstance, listInstances, newComputeClients, resolveEndpoint, serviceAccountFromSecret,
  type ComputeClients, type ComputeEndpoint, type Instance, type Operation, type ServiceAccountKey,
} from './client.ts';
import { httpStatusOf, isAlreadyExists, isNotFound, operationError, operationFailure, toActuatorError } from './errors.ts';
import { instanceResource, MACHINE_UID_LABEL, requestId } from './insert.ts';
import { InstanceCache, isMachineInstance, type InstanceCacheOptions, type InstanceRef } from './instance-cache.ts';
import { MachineTypeCatalog, type MachineTypeCapacity } from './machine-types.ts';
import { awaitOperation, isDone } from './operations.ts';
import { readCredentialsSecret, readUserDataSecret } from '../secrets.ts';
import { parseGcpProviderSpec, PROVIDER_SPEC_PATH, type GcpMachineProviderSpec } from './provider-spec.ts';

/** The longest create or delete waits for its Operation in one call, in ms; after that it asks to be called again. */
export const DEFAULT_OPERATION_WAIT_MS = 30_000;
/** How soon to look again at an Operation still running, or an instance still going away, in ms (MAO: 20 s). */
export const DEFAULT_OPERATION_POLL_MS = 20_000;
export { USER_DATA_SECRET_KEY } from '../secrets.ts';
/** Connections kept at once; more means credentials rotated, and the oldest are dropped. */
const MAX_CONNECTIONS = 16;
/** GCE instance names (RFC 1035). The instance takes the Machine's name, so the Machine's name must be one. */
const INSTANCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface GcpActuatorOptions extends InstanceCacheOptions {
  /** Compute endpoint (an http(s) URL) for every connection (tests); else $GCP_COMPUTE_ENDPOINT, else Google's. */
  readonly endpoint?: string;
  readonly operationWaitMs?: number;
  readonly operationPollMs?: number;
}

interface Connection {
  readonly clients: ComputeClients;
  readonly instances: InstanceCache;
  readonly machineTypes: MachineTypeCatalog;
  /** The key's project_id, for specs without projectID. */
  readonly defaultProject?: string;
}

interface Scope {
  readonly spec: GcpMachineProviderSpec;
  readonly connection: Connection;
  readonly ref: InstanceRef;
}

type Purpose = 'insert' | 'delete';
/** Operation failures that mean the work is done: the instance was already there, or already gone. */
const BENIGN_FAILURES: Readonly<Record<Purpose, string>> = { insert: 'RESOURCE_ALREADY_EXISTS', delete: 'RESOURCE_NOT_FOUND' };

export class GcpActuator implements Actuator {
  readonly #deps: ProviderDeps;
  readonly #options: GcpActuatorOptions;
  readonly #endpoint: ComputeEndpoint | undefined;
  readonly #connections = new Map<string, Connection>();
  /** Operations still running when a call stopped waiting, by `<uid>/<purpose>`: the next call waits on them. */
  readonly #running = new Map<string, string>();
  /** Operations that failed, by `<uid>/<purpose>`: the next request needs a new requestId. */
  readonly #attempts = new Map<string, number>();

  constructor(deps: ProviderDeps, options: GcpActuatorOptions = {}) {
    this.#deps = deps;
    this.#options = options;
    // A bad explicit endpoint is a deployment error: fail at start-up, not per Machine.
    this.#endpoint = options.endpoint === undefined ? undefined : resolveEndpoint(options.endpoint);
  }

  async create(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    const scope = await this.#scope(machine, signal);
    const { spec, connection, ref } = scope;
    let op = this.#resumable(ref, 'insert');
    if (!op) {
      const userData = await this.#userData(machine, spec, signal);
      const resource = instanceResource(spec, { name: ref.name, uid: ref.uid, clusterID: ref.clusterID, project: ref.project, ...(userData === undefined ? {} : { userData }) });
      try {
        const [lro] = await connection.clients.instances.insert(
          { project: ref.project, zone: ref.zone, requestId: this.#requestId(ref, 'insert'), instanceResource: resource },
          callOptions(signal),
        );
        op = lro.latestResponse as Operation;
      } catch (err) {
        if (isAlreadyExists(err)) return this.#adopt(scope, signal);
        throw this.#failure(scope, err, 'instances.insert');
      }
    }
    const done = await this.#settle(scope, 'insert', op, signal);
    if (operationFailure(done)?.code === 'RESOURCE_ALREADY_EXISTS') return this.#adopt(scope, signal);
    const instance = await this.#get(scope, signal);
    if (!instance) {
      // The Operation succeeded (maybe long ago: a replayed requestId) but the instance is gone since.
      this.#nextAttempt(ref, 'insert');
      throw new Error(`Instance ${describe(ref)} made by operation ${done.name} no longer exists; inserting it again`);
    }
    return this.#own(scope, instance);
  }

  async exists(machine: Machine, signal: AbortSignal): Promise<boolean> {
    const scope = await this.#scope(machine, signal);
    return (await this.#lookup(scope, signal)) !== undefined;
  }

  async update(machine: Machine, signal: AbortSignal): Promise<InstanceObservation> {
    const scope = await this.#scope(machine, signal);
    const instance = await this.#lookup(scope, signal);
    if (!instance) throw new Error(`No GCE instance ${describe(scope.ref)} for Machine ${machineKey(machine)}`);
    return observe(instance, scope.spec, scope.ref.project);
  }

  /** Deletes the instance; resolves once GCE answers 404 for it, throws RequeueAfter until then. */
  async delete(machine: Machine, signal: AbortSignal): Promise<void> {
    const scope = await this.#scope(machine, signal);
    const { connection, ref } = scope;
    let op = this.#resumable(ref, 'delete');
    if (!op) {
      // Releasing the finalizer needs the cloud's word now, not a cached one, and a same-named instance of another
      // Machine must not be deleted.
      if (!(await this.#lookup(scope, signal, { fresh: true }))) return this.#gone(scope);
      try {
        const [lro] = await connection.clients.instances.delete(
          { project: ref.project, zone: ref.zone, instance: ref.name, requestId: this.#requestId(ref, 'delete') },
          callOptions(signal),
        );
        op = lro.latestResponse as Operation;
      } catch (err) {
        if (isNotFound(err)) return this.#gone(scope);
        throw this.#failure(scope, err, 'instances.delete');
      }
    }
    await this.#settle(scope, 'delete', op, signal);
    const still = await this.#get(scope, signal);
    if (still && isMachineInstance(still, ref)) {
      connection.instances.remember(ref, still);
      throw new RequeueAfter(this.#pollMs, `Waiting for instance ${describe(ref)} to go (${still.status ?? 'unknown status'})`);
    }
    this.#gone(scope);
  }

  /**
   * Scale-from-zero capacity of one Machine of `machineSet`: its template's machine type from machineTypes.get (the
   * static table when Compute cannot answer), plus the template's own GPUs.
   */
  async instanceTypeCapacity(machineSet: MachineSet, signal: AbortSignal): Promise<MachineTypeCapacity | undefined> {
    const spec = parseGcpProviderSpec(machineSet.spec?.template?.spec?.providerSpec?.value);
    const connection = await this.#connection(spec, machineSet.metadata.namespace ?? '', signal);
    const project = projectOf(spec, connection);
    const capacity = await connection.machineTypes.capacity(project, spec.zone, spec.machineType, signal);
    if (!capacity) return undefined;
    return { ...capacity, GPU: capacity.GPU + spec.gpus.reduce((sum, g) => sum + g.count, 0) };
  }

  get #pollMs(): number {
    return this.#options.operationPollMs ?? DEFAULT_OPERATION_POLL_MS;
  }

  /** The Operation an earlier call left running, to be waited on instead of starting another. */
  #resumable(ref: InstanceRef, purpose: Purpose): Operation | undefined {
    const name = this.#running.get(`${ref.uid}/${purpose}`);
    return name === undefined ? undefined : { name, status: 'RUNNING' };
  }

  /**
   * `op` once DONE and successful (or failed with the purpose's benign code). Still running after the wait:
   * remembered, and RequeueAfter. Failed: the next request gets a new requestId, and the failure is thrown as
   * classified.
   */
  async #settle(scope: Scope, purpose: Purpose, op: Operation, signal: AbortSignal): Promise<Operation> {
    const { ref, connection, spec } = scope;
    const key = `${ref.uid}/${purpose}`;
    let done: Operation;
    try {
      done = await awaitOperation(connection.clients.zoneOperations, ref.project, ref.zone, op, this.#options.operationWaitMs ?? DEFAULT_OPERATION_WAIT_MS, signal);
    } catch (err) {
      if (isNotFound(err)) {
        // GCE keeps finished Operations for a limited time; the next call asks for the instance's state afresh.
        this.#running.delete(key);
        throw new Error(`GCE no longer knows operation ${op.name} (${purpose} of instance ${describe(ref)}); looking again`, { cause: err });
      }
      throw this.#failure(scope, err, 'zoneOperations.wait');
    }
    if (!isDone(done)) {
      this.#running.set(key, done.name ?? '');
      throw new RequeueAfter(this.#pollMs, `Waiting for GCE operation ${done.name} (${purpose} of instance ${describe(ref)}): ${done.status}`);
    }
    this.#running.delete(key);
    const failure = operationFailure(done);
    if (failure && failure.code !== BENIGN_FAILURES[purpose]) {
      this.#nextAttempt(ref, purpose);
      throw operationError(done, `instances.${purpose}`, spec);
    }
    return done;
  }

  #requestId(ref: InstanceRef, purpose: Purpose): string {
    return requestId(ref.uid, purpose, this.#attempts.get(`${ref.uid}/${purpose}`) ?? 0);
  }

  #nextAttempt(ref: InstanceRef, purpose: Purpose): void {
    const key = `${ref.uid}/${purpose}`;
    this.#attempts.set(key, (this.#attempts.get(key) ?? 0) + 1);
  }

  /** The instance is gone: forget what this process kept about the Machine. */
  #gone({ ref, connection }: Scope): void {
    for (const purpose of ['insert', 'delete'] as const) {
      this.#running.delete(`${ref.uid}/${purpose}`);
      this.#attempts.delete(`${ref.uid}/${purpose}`);
    }
    connection.instances.remember(ref, undefined);
  }

  // An insert answered 409: the name is taken. By this Machine's instance (an earlier insert whose requestId GCE
  // no longer keeps, or MAO's) it is success; by another Machine's, a wait until that one is deleted.
  async #adopt(scope: Scope, signal: AbortSignal): Promise<InstanceObservation> {
    const { ref } = scope;
    const instance = await this.#get(scope, signal);
    if (!instance) throw new Error(`Instance ${describe(ref)} was reported to exist but is gone; inserting it again`);
    if (!isMachineInstance(instance, ref)) {
      throw new Error(`Instance name ${describe(ref)} is taken by the instance of another Machine (${MACHINE_UID_LABEL}=${instance.labels?.[MACHINE_UID_LABEL]}); waiting for it to be deleted`);
    }
    return this.#own(scope, instance);
  }

  /** The Machine's instance, as create reports it. */
  #own(scope: Scope, instance: Instance): InstanceObservation {
    const { ref, connection, spec } = scope;
    connection.instances.remember(ref, instance);
    return observe(instance, spec, ref.project);
  }

  async #get(scope: Scope, signal: AbortSignal): Promise<Instance | undefined> {
    const { ref, connection } = scope;
    try {
      return await getInstance(connection.clients.instances, ref.project, ref.zone, ref.name, signal);
    } catch (err) {
      throw this.#failure(scope, err, 'instances.get');
    }
  }

  async #lookup(scope: Scope, signal: AbortSignal, options: { fresh?: boolean } = {}): Promise<Instance | undefined> {
    try {
      return await scope.connection.instances.lookup(scope.ref, signal, options);
    } catch (err) {
      throw this.#failure(scope, err, 'instances.list');
    }
  }

  /** A Compute call's error as the actuator throws it. A 401 also drops the token, so the next call gets a new one. */
  #failure(scope: Scope, err: unknown, operation: string): unknown {
    if (httpStatusOf(err) === 401) scope.connection.clients.dropToken();
    return toActuatorError(err, operation, scope.spec);
  }

  async #scope(machine: Machine, signal: AbortSignal): Promise<Scope> {
    const spec = parseGcpProviderSpec(machine.spec?.providerSpec?.value);
    const uid = machine.metadata.uid;
    // Every Machine read from the API server has one; without it create could not be idempotent.
    if (!uid) throw new Error(`Machine ${machineKey(machine)} has no metadata.uid`);
    const clusterID = machine.metadata.labels?.[CLUSTER_ID_LABEL];
    if (!clusterID) throw new TerminalError('InvalidConfiguration', `metadata.labels[${CLUSTER_ID_LABEL}]: Required value: the cluster ID names the kubernetes-io-cluster-<id> label of the instance`);
    const name = machine.metadata.name ?? '';
    if (!INSTANCE_NAME.test(name)) {
      throw new TerminalError('InvalidConfiguration', `metadata.name: Invalid value: ${JSON.stringify(name)}: the instance takes the Machine's name, and a GCE instance name is 1-63 lowercase letters, digits or '-', starting with a letter`);
    }
    const connection = await this.#connection(spec, machine.metadata.namespace ?? '', signal);
    const recorded = Boolean(machine.spec?.providerID) || typeof machine.status?.providerStatus?.instanceId === 'string';
    return { spec, connection, ref: { project: projectOf(spec, connection), zone: spec.zone, clusterID, uid, name, recorded } };
  }

  async #connection(spec: GcpMachineProviderSpec, namespace: string, signal: AbortSignal): Promise<Connection> {
    const key = await this.#credentials(namespace, spec.credentialsSecret, signal);
    const endpoint = this.#endpoint ?? resolveEndpoint(undefined);
    const id = connectionKey(key, endpoint);
    let connection = this.#connections.get(id);
    if (connection) return connection;
    if (this.#connections.size >= MAX_CONNECTIONS) {
      const [oldestId, oldest] = this.#connections.entries().next().value!;
      this.#connections.delete(oldestId);
      void oldest.clients.close();
    }
    const clients = newComputeClients(key, endpoint);
    connection = {
      clients,
      instances: new InstanceCache(
        (project, zone, filter, s) => listInstances(clients.instances, project, zone, filter, s),
        (project, zone, name, s) => getInstance(clients.instances, project, zone, name, s),
        this.#options,
      ),
      machineTypes: new MachineTypeCatalog(clients.machineTypes),
      ...(key.projectId ? { defaultProject: key.projectId } : {}),
    };
    this.#connections.set(id, connection);
    return connection;
  }

  #credentials(namespace: string, name: string, signal: AbortSignal): Promise<ServiceAccountKey> {
    return readCredentialsSecret(this.#deps, { namespace, name }, signal, serviceAccountFromSecret, CredentialsSecretError);
  }

  async #userData(machine: Machine, spec: GcpMachineProviderSpec, signal: AbortSignal): Promise<string | undefined> {
    if (!spec.userDataSecret) return undefined;
    const userData = await readUserDataSecret(this.#deps, { namespace: machine.metadata.namespace ?? '', name: spec.userDataSecret }, signal);
    return userData.toString('utf8');
  }
}

function projectOf(spec: GcpMachineProviderSpec, connection: Connection): string {
  const project = spec.projectID ?? connection.defaultProject;
  if (!project) throw new TerminalError('InvalidConfiguration', `${PROVIDER_SPEC_PATH}.projectID: Required value: neither the providerSpec nor the credentials' service account key (project_id) names a project`);
  return project;
}

function machineKey(machine: Machine): string {
  return `${machine.metadata.namespace ?? ''}/${machine.metadata.name ?? ''}`;
}

function describe(ref: InstanceRef): string {
  return `${ref.project}/${ref.zone}/${ref.name}`;
}

/** What the Machine controller records of an instance (MAO reconciler.go reconcileWithCloudState, §2.2 "Addresses"). */
export function observe(instance: Instance, spec: GcpMachineProviderSpec, project: string): InstanceObservation {
  const name = instance.name ?? '';
  const zone = spec.zone;
  const status = instance.status ?? 'UNKNOWN';
  const scheduling = instance.scheduling;
  const interruptible = spec.preemptible || spec.provisioningModel === 'Spot' || scheduling?.preemptible === true || scheduling?.provisioningModel === 'SPOT';
  return {
    providerID: `gce://${project}/${zone}/${name}`,
    addresses: addressesOf(instance, zone, project),
    instanceState: status,
    providerStatus: { apiVersion: MACHINE_API_GROUP_VERSION, kind: 'GCPMachineProviderStatus', instanceId: name, instanceState: status },
    // From the spec, as MAO does (the instance's machineType is a URL).
    labels: {
      [INSTANCE_TYPE_LABEL]: spec.machineType,
      [REGION_LABEL]: spec.region,
      [ZONE_LABEL]: zone,
      // Preemptible and Spot Machines are selected by the termination handler and its MachineHealthCheck (§2.4).
      ...(interruptible ? { [INTERRUPTIBLE_INSTANCE_LABEL]: '' } : {}),
    },
  };
}

function addressesOf(instance: Instance, zone: string, project: string): NodeAddress[] {
  const out: NodeAddress[] = [];
  const add = (type: NodeAddress['type'], address: string | null | undefined) => {
    if (address && !out.some((a) => a.type === type && a.address === address)) out.push({ type, address });
  };
  const nic = instance.networkInterfaces?.[0];
  add('InternalIP', nic?.networkIP);
  for (const ac of nic?.accessConfigs ?? []) add('ExternalIP', ac.natIP);
  add('InternalIP', nic?.ipv6Address);
  for (const ac of nic?.ipv6AccessConfigs ?? []) add('ExternalIP', ac.externalIpv6);
  const name = instance.name ?? '';
  // Both internal DNS forms: zonal (projects made since 2018) and global (older projects), as MAO.
  add('InternalDNS', `${name}.${zone}.c.${project}.internal`);
  add('InternalDNS', `${name}.c.${project}.internal`);
  add('Hostname', name);
  return out;
}
