// How one manifest reaches the cluster (§2.5, §2.6). This folder is the only CVO code that writes manifests.
//   - release.openshift.io/delete: "true"  DELETE (non-blocking: issued, not awaited), only while updating
//   - release.openshift.io/create-only     created when absent, never updated
//   - ClusterOperator                      never applied: precreated before its node, then the health gate
//   - everything else                      server-side apply as field manager "cluster-version-operator" with
//                                          force=true (the CVO owns these fields; it overwrites drift), then the
//                                          kind's check: CRD Established, Deployment health, Job completion.
// Deviation: the CVO merges "critical" fields with a GET + UPDATE per object (§2.6); server-side apply gets the
// same drift reset in one request and leaves fields other managers own alone.
import type { ClusterOperator } from '../../api/config-v1.ts';
import { CLUSTER_OPERATOR_RESOURCE, CREATE_ONLY_ANNOTATION, DELETE_ANNOTATION } from '../../api/config-v1.ts';
import type { EventSource } from '../../runtime/cache.ts';
import { isAlreadyExists, isNotFound } from '../../runtime/errors.ts';
import { discardLogger, type Logger } from '../../runtime/log.ts';
import { resourcePath } from '../../runtime/resource-client.ts';
import { sleep } from '../../runtime/wait.ts';
import type { KubeObject, OwnerReference } from '../../runtime/watcher.ts';
import type { ReleaseManifest } from '../contracts.ts';
import type { SyncState } from '../task-graph/graph.ts';
import { checkClusterOperator } from './cluster-operator-gate.ts';
import { deploymentHealthError, isCrdEstablished, jobState } from './health.ts';
import type { KubeRequester } from './requester.ts';
import { RestMapper, type ResourceMapping } from './rest-mapper.ts';
import { NoKindMatchError, UpdateError } from './update-error.ts';

/** The field manager of every server-side apply, so `managedFields` shows which fields the CVO owns. */
export const FIELD_MANAGER = 'cluster-version-operator';

/** Waits inside one apply. All in ms. */
export interface ApplyTiming {
  /** How long a CRD may take to become Established before the apply counts as failed (and is retried). */
  readonly crdEstablishedTimeoutMs: number;
  /**
   * How long a task waits on the ClusterOperator cache for an operator that is still rolling out (effect None)
   * or degraded (FailAfterInterval) before the attempt ends with "waiting on X". Not-available fails at once.
   */
  readonly clusterOperatorWaitMs: number;
  /** Poll interval of CRD and Job checks (no cache watches those). */
  readonly pollIntervalMs: number;
}

export const DEFAULT_APPLY_TIMING: ApplyTiming = { crdEstablishedTimeoutMs: 10_000, clusterOperatorWaitMs: 20_000, pollIntervalMs: 200 };

export interface ApplierDeps {
  readonly request: KubeRequester;
  /** The ClusterOperator cache: the gate reads and waits on it, never polls the API. */
  readonly clusterOperators: EventSource<ClusterOperator>;
  /** The owner every created object points to (ClusterVersion/version), once it is known. */
  readonly owner: () => OwnerReference | undefined;
  readonly timing?: Partial<ApplyTiming>;
  readonly logger?: Logger;
}

export class ManifestApplier {
  readonly #request: KubeRequester;
  readonly #mapper: RestMapper;
  readonly #operators: EventSource<ClusterOperator>;
  readonly #owner: () => OwnerReference | undefined;
  readonly #timing: ApplyTiming;
  readonly #log: Logger;

  constructor(deps: ApplierDeps) {
    this.#request = deps.request;
    this.#mapper = new RestMapper(deps.request);
    this.#operators = deps.clusterOperators;
    this.#owner = deps.owner;
    this.#timing = { ...DEFAULT_APPLY_TIMING, ...deps.timing };
    this.#log = (deps.logger ?? discardLogger).child('apply');
  }

  /**
   * One try at one manifest. Throws an UpdateError for a verdict (a gate, a broken workload: not retried) and
   * anything else for an API failure (retried by the task runner).
   */
  async apply(manifest: ReleaseManifest, state: SyncState, signal: AbortSignal): Promise<void> {
    const object = manifest.object;
    if (object.apiVersion === CLUSTER_OPERATOR_RESOURCE.apiVersion && object.kind === CLUSTER_OPERATOR_RESOURCE.kind) {
      await this.#gateClusterOperator(object as ClusterOperator, state, signal);
      return;
    }
    const annotations = object.metadata?.annotations ?? {};
    if (annotations[DELETE_ANNOTATION] === 'true') {
      // Deletions are acted on during updates only (dev-guide object-deletion.md); reconciling leaves them be.
      if (state !== 'Reconciling') await this.#delete(object, signal);
      return;
    }
    const mapping = await this.#mapper.mappingFor(object.apiVersion ?? '', object.kind ?? '', signal);
    const path = this.#objectPath(manifest, mapping);
    if (annotations[CREATE_ONLY_ANNOTATION] === 'true') {
      await this.#createIfAbsent(object, mapping, path, signal);
      return;
    }
    const applied = await this.#request<KubeObject>(path, {
      method: 'PATCH',
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: FIELD_MANAGER, force: true },
      body: this.#withOwner(object, true),
      signal,
    });
    await this.#check(applied, mapping, path, state, signal);
  }

  /**
   * Creates the ClusterOperator of a manifest if it does not exist yet, with the manifest's relatedObjects, so
   * must-gather finds the component's objects before its operator runs (operatorstatus.go PrecreatingMode).
   */
  async precreateClusterOperator(manifest: ReleaseManifest, signal: AbortSignal): Promise<void> {
    const expected = manifest.object as ClusterOperator;
    const name = expected.metadata?.name ?? '';
    if (this.#operators.store.get(name)) return;
    const ref = CLUSTER_OPERATOR_RESOURCE;
    try {
      await this.#request(resourcePath(ref, undefined), {
        method: 'POST',
        body: this.#withOwner({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name, annotations: expected.metadata?.annotations }, spec: {} }, true),
        signal,
      });
    } catch (err) {
      if (isAlreadyExists(err)) return;
      throw err;
    }
    const relatedObjects = expected.status?.relatedObjects;
    if (relatedObjects?.length) {
      await this.#request(resourcePath(ref, undefined, name, 'status'), {
        method: 'PATCH',
        contentType: 'application/merge-patch+json',
        body: { status: { relatedObjects } },
        signal,
      });
    }
  }

  #objectPath(manifest: ReleaseManifest, mapping: ResourceMapping): string {
    const { name, namespace } = manifest.object.metadata ?? {};
    if (!name) throw new UpdateError({ reason: 'UpdatePayloadResourceInvalid', message: `Manifest ${manifest.file} has no metadata.name` });
    if (mapping.namespaced && !namespace) {
      throw new UpdateError({ reason: 'UpdatePayloadResourceInvalid', message: `Manifest ${manifest.file}: ${manifest.object.kind} ${name} is namespaced but has no metadata.namespace` });
    }
    return resourcePath(mapping, mapping.namespaced ? namespace : undefined, name);
  }

  /**
   * Objects the CVO creates point to ClusterVersion/version unless the manifest names owners of its own
   * (ownerReferenceModifier); create-only objects without `controller: true`, so others may adopt them.
   */
  #withOwner<T extends KubeObject>(object: T, controller: boolean): T {
    const owner = this.#owner();
    if (!owner || (object.metadata?.ownerReferences?.length ?? 0) > 0) return object;
    const ref: OwnerReference = controller ? { ...owner, controller: true } : { ...owner };
    return { ...object, metadata: { ...object.metadata, ownerReferences: [ref] } };
  }

  async #createIfAbsent(object: KubeObject, mapping: ResourceMapping, path: string, signal: AbortSignal): Promise<void> {
    try {
      await this.#request(path, { signal });
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const namespace = mapping.namespaced ? object.metadata?.namespace : undefined;
    try {
      await this.#request(resourcePath(mapping, namespace), { method: 'POST', body: this.#withOwner(object, false), signal });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async #delete(object: KubeObject, signal: AbortSignal): Promise<void> {
    let mapping: ResourceMapping;
    try {
      mapping = await this.#mapper.mappingFor(object.apiVersion ?? '', object.kind ?? '', signal);
    } catch (err) {
      if (err instanceof NoKindMatchError) return; // the kind itself is gone, so is the object
      throw err;
    }
    const { name, namespace } = object.metadata ?? {};
    try {
      await this.#request(resourcePath(mapping, mapping.namespaced ? namespace : undefined, name), {
        method: 'DELETE',
        body: { propagationPolicy: 'Background' },
        signal,
      });
      this.#log.info('Deleted object marked for deletion', { [object.kind ?? 'Object']: namespace ? `${namespace}/${name}` : name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async #check(applied: KubeObject, mapping: ResourceMapping, path: string, state: SyncState, signal: AbortSignal): Promise<void> {
    switch (`${mapping.group}/${applied.kind}`) {
      case 'apiextensions.k8s.io/CustomResourceDefinition':
        await this.#poll(applied, path, signal, this.#timing.crdEstablishedTimeoutMs, (crd) => {
          if (isCrdEstablished(crd)) return 'done';
          return new Error(`CustomResourceDefinition ${crd.metadata?.name ?? ''} is not yet established`);
        });
        return;
      case 'apps/Deployment': {
        if (state === 'Initializing') return;
        const error = deploymentHealthError(applied);
        if (error) throw error;
        return;
      }
      case 'batch/Job':
        // A Job is a barrier: nothing after it starts before it succeeded. Bounded by the attempt's timeout.
        await this.#poll(applied, path, signal, Number.POSITIVE_INFINITY, (job) => {
          const state = jobState(job);
          if (state instanceof UpdateError) throw state;
          return state === 'done' ? 'done' : new Error(`Job ${job.metadata?.name ?? ''} has not yet succeeded`);
        });
        return;
    }
  }

  /** Re-reads `path` until `verdict` says done; after `timeoutMs` its last error is thrown. */
  async #poll(first: KubeObject, path: string, signal: AbortSignal, timeoutMs: number, verdict: (obj: KubeObject) => 'done' | Error): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let current = first;
    for (;;) {
      const result = verdict(current);
      if (result === 'done') return;
      if (performance.now() >= deadline) throw result;
      await sleep(this.#timing.pollIntervalMs, signal);
      current = await this.#request<KubeObject>(path, { signal });
    }
  }

  /**
   * The gate of §1.5, read from the cache. A gate that fails only because the operator is still rolling out or
   * degraded is re-checked on every change of that ClusterOperator for up to clusterOperatorWaitMs.
   */
  async #gateClusterOperator(expected: ClusterOperator, state: SyncState, signal: AbortSignal): Promise<void> {
    const name = expected.metadata?.name ?? '';
    const check = () => checkClusterOperator(expected, this.#operators.store.get(name), state);
    const first = check();
    if (!first) return;
    if (first.effect !== 'None' && first.effect !== 'FailAfterInterval') throw first;
    signal.throwIfAborted();
    let last: UpdateError | undefined = first;
    await new Promise<void>((resolve) => {
      let unsubscribe: (() => void) | undefined;
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        unsubscribe?.();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.#timing.clusterOperatorWaitMs);
      signal.addEventListener('abort', done, { once: true });
      // subscribe() replays the current objects first, so a change between check() and here is not missed.
      unsubscribe = this.#operators.subscribe((event) => {
        if (finished || event.object.metadata?.name !== name) return;
        last = check();
        if (!last) done();
      });
      if (finished) unsubscribe();
    });
    if (last) throw last;
  }
}
