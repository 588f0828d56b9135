// The hollow kubelets of every running instance, Kubemark/KWOK style: each registers a Node and keeps its
// Lease fresh; together they start the pods bound to them and finish those pods' deletion. Built to stay
// cheap at 1,000 nodes:
//   - one timer for all nodes (DeadlineTimer), with a batch window so that renewals fall into shared wake-ups;
//   - one pod watch for all nodes (`spec.nodeName!=`), dispatched by nodeName, not one watch per node;
//   - a cap on concurrent API calls, so a burst of registrations does not open 1,000 connections.
// Instances come from the cloud's change events (same process), never by polling.
import { KubeConfig } from '@kubernetes/client-node';
import PQueue from 'p-queue';
import { createLogger, type Logger } from '../../operators/runtime/log.ts';
import { kubeListerWatcher, watcher } from '../../operators/runtime/watcher.ts';
import { LocalCloud } from '../local-cloud/cloud.ts';
import { DeadlineTimer } from '../local-cloud/deadline-timer.ts';
import { HollowNode, type HollowNodeTiming } from './hollow-node.ts';
import { localCloudSource, type InstanceSource } from './instance-source.ts';
import { KubeletApi } from './kubelet-api.ts';
import type { HollowInstance, NodeSoftware } from './node-object.ts';
import { awaitsStart, computeRunningPodStatus, type Pod } from './pod-status.ts';

/** How often each node renews its Lease, in seconds (the kubelet's default: a quarter of the lease duration). */
export const DEFAULT_LEASE_RENEW_SECONDS = 10;
/** The Lease's leaseDurationSeconds (kubelet nodeLeaseDurationSeconds). */
export const DEFAULT_LEASE_DURATION_SECONDS = 40;
/** How often an unchanged node status is posted anyway, in seconds (kubelet nodeStatusReportFrequency, 5 min). */
export const DEFAULT_STATUS_REPORT_SECONDS = 300;
/** API calls in flight at once, across all nodes. */
export const DEFAULT_MAX_IN_FLIGHT = 32;
/** Retry delay after a failed call, in ms (capped by the lease period). */
const RETRY_MS = 1_000;
/** The batch window is a tenth of the lease period, at most this, in ms. */
const MAX_BATCH_WINDOW_MS = 1_000;

export interface HollowNodeOptions {
  /** Fractions are fine (tests use 0.1). */
  readonly leaseRenewSeconds?: number;
  readonly leaseDurationSeconds?: number;
  readonly statusReportSeconds?: number;
  readonly maxInFlight?: number;
  readonly logger?: Logger;
}

export class HollowNodeManager {
  readonly #timing: HollowNodeTiming;
  readonly #queue: PQueue;
  readonly #log: Logger;
  readonly #timer = new DeadlineTimer(() => this.#runDue());
  /** By instance ID. */
  readonly #nodes = new Map<string, HollowNode>();
  readonly #byNodeName = new Map<string, HollowNode>();
  /** Pods bound to our nodes, by node name, then by UID. */
  readonly #pods = new Map<string, Map<string, Pod>>();
  /** UIDs of pods with a call in flight, so that a burst of watch events makes one call. */
  readonly #podCalls = new Set<string>();
  readonly #busy = new Set<HollowNode>();
  #run: { abort: AbortController; api: KubeletApi; unsubscribe: () => void; podWatch: Promise<void> } | undefined;

  constructor(options: HollowNodeOptions = {}) {
    const leaseRenewMs = (options.leaseRenewSeconds ?? DEFAULT_LEASE_RENEW_SECONDS) * 1000;
    this.#timing = {
      leaseRenewMs,
      leaseDurationSeconds: options.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS,
      statusReportMs: (options.statusReportSeconds ?? DEFAULT_STATUS_REPORT_SECONDS) * 1000,
      retryMs: Math.min(RETRY_MS, leaseRenewMs),
      batchWindowMs: Math.min(MAX_BATCH_WINDOW_MS, leaseRenewMs / 10),
    };
    this.#queue = new PQueue({ concurrency: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT });
    this.#log = options.logger ?? createLogger({ name: 'hollow-nodes', sink: (line) => process.stderr.write(`${line}\n`) });
  }

  /**
   * Starts a hollow kubelet for every running instance, and for each one that starts running later.
   * `kubeconfig` is a KubeConfig or the path of a kubeconfig file. Resolves once started; nodes register
   * in the background.
   */
  async start(kubeconfig: KubeConfig | string, cloud: LocalCloud | InstanceSource): Promise<void> {
    if (this.#run) throw new Error('HollowNodeManager is already started');
    const kc = typeof kubeconfig === 'string' ? loadKubeConfig(kubeconfig) : kubeconfig;
    const source = cloud instanceof LocalCloud ? localCloudSource(cloud) : cloud;
    const abort = new AbortController();
    const api = new KubeletApi(kc, abort.signal);
    // Subscribe before listing, so that an instance starting in between is not missed (#add is idempotent).
    const unsubscribe = source.subscribe((instance, running) => (running ? this.#add(instance) : this.#remove(instance)));
    this.#run = { abort, api, unsubscribe, podWatch: Promise.resolve() };
    for (const instance of source.running()) this.#add(instance);
    this.#run.podWatch = this.#watchPods(kc, abort.signal);
  }

  /** Stops every hollow kubelet (their Nodes and Leases stay, as when a kubelet process exits). */
  async stop(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    this.#run = undefined;
    run.unsubscribe();
    this.#timer.stop();
    run.abort.abort();
    this.#queue.clear();
    await Promise.all([run.podWatch, this.#queue.onIdle()]);
    await run.api.close();
    for (const node of this.#nodes.values()) node.stop();
    this.#nodes.clear();
    this.#byNodeName.clear();
    this.#pods.clear();
    this.#busy.clear();
  }

  /** Whether `nodeName` is one of the hollow nodes (its pods are this manager's to start and finish). */
  ownsNode(nodeName: string): boolean {
    return this.#byNodeName.has(nodeName);
  }

  nodeNames(): string[] {
    return [...this.#byNodeName.keys()];
  }

  /**
   * The OS agent's hook (os-agent.ts, the node OS update): reboots hollow node `nodeName` into `software` (same OS
   * when omitted). It goes Ready=Unknown now and registers again after `downSeconds` with the new nodeInfo and a new
   * bootID. False when `nodeName` is not a hollow node whose kubelet is up.
   */
  reboot(nodeName: string, downSeconds: number, software?: NodeSoftware): boolean {
    const node = this.#byNodeName.get(nodeName);
    if (!this.#run || !node || !node.reboot(Date.now(), downSeconds * 1000, software)) return false;
    this.#timer.arm(node.dueAt);
    return true;
  }

  #add(instance: HollowInstance): void {
    if (!this.#run || this.#nodes.has(instance.id)) return;
    const node = new HollowNode(instance, this.#timing, Date.now());
    this.#nodes.set(instance.id, node);
    this.#byNodeName.set(instance.nodeName, node);
    this.#timer.arm(node.dueAt);
  }

  // The instance shut down: its kubelet stops; the Node is the machine controller's to delete.
  #remove(instance: HollowInstance): void {
    const node = this.#nodes.get(instance.id);
    if (!node) return;
    node.stop();
    this.#nodes.delete(instance.id);
    if (this.#byNodeName.get(instance.nodeName) === node) this.#byNodeName.delete(instance.nodeName);
    this.#pods.delete(instance.nodeName);
  }

  #runDue(): void {
    const run = this.#run;
    if (!run) return;
    const horizon = Date.now() + this.#timing.batchWindowMs;
    let next = Infinity;
    for (const node of this.#nodes.values()) {
      if (this.#busy.has(node)) continue;
      if (node.dueAt > horizon) {
        next = Math.min(next, node.dueAt);
        continue;
      }
      this.#busy.add(node);
      void this.#queue
        .add(async () => {
          await node.step(run.api, Date.now(), this.#log);
          // After each step: pods that arrived before the node registered, and calls that failed, get their turn.
          this.#handlePodsOf(node);
        })
        .finally(() => {
          this.#busy.delete(node);
          if (this.#run === run) this.#timer.arm(node.dueAt);
        });
    }
    this.#timer.arm(next);
  }

  async #watchPods(kc: KubeConfig, signal: AbortSignal): Promise<void> {
    // Only bound pods concern a kubelet; the field selector leaves the scheduler's queue out.
    const events = watcher(kubeListerWatcher<Pod>(kc, '/api/v1/pods', { fieldSelector: 'spec.nodeName!=' }), signal);
    for await (const event of events) {
      switch (event.type) {
        case 'Init':
          this.#pods.clear();
          break;
        case 'InitApply':
        case 'Apply':
          this.#onPod(event.object);
          break;
        case 'Delete':
          this.#pods.get(event.object.spec?.nodeName ?? '')?.delete(event.object.metadata.uid);
          break;
        case 'Error':
          this.#log.warn('Pod watch failed, retrying', { err: event.error, retryInMs: event.retryInMs });
          break;
      }
    }
  }

  #onPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName ?? '';
    const node = this.#byNodeName.get(nodeName);
    if (!node) return;
    let pods = this.#pods.get(nodeName);
    if (!pods) this.#pods.set(nodeName, (pods = new Map()));
    pods.set(pod.metadata.uid, pod);
    this.#handlePod(node, pod);
  }

  #handlePodsOf(node: HollowNode): void {
    for (const pod of this.#pods.get(node.instance.nodeName)?.values() ?? []) this.#handlePod(node, pod);
  }

  // What a kubelet does with a pod bound to it: finish a deletion the API server only marked (grace 0 means a
  // kubelet already did), or report a new pod Running and Ready.
  #handlePod(node: HollowNode, pod: Pod): void {
    const run = this.#run;
    const { namespace, name, uid } = pod.metadata;
    if (!run || this.#podCalls.has(uid)) return;
    let call: () => Promise<void>;
    if (pod.metadata.deletionTimestamp !== undefined) {
      if (!node.finishesPodDeletion || pod.metadata.deletionGracePeriodSeconds === 0) return;
      call = () => run.api.finishPodDeletion(namespace, name, uid);
    } else if (awaitsStart(pod) && node.startsPods) {
      call = () => run.api.patchPodStatus(namespace, name, computeRunningPodStatus(pod, node.instance.internalIP, new Date().toISOString()));
    } else {
      return;
    }
    this.#podCalls.add(uid);
    void this.#queue
      .add(call)
      .catch((err: unknown) => {
        if (!run.abort.signal.aborted) this.#log.warn('Hollow kubelet pod call failed, retrying at the next heartbeat', { Pod: `${namespace}/${name}`, err });
      })
      .finally(() => this.#podCalls.delete(uid));
  }
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
