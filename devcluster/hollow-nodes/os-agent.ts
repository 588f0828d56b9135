// The node OS agent of the hollow nodes: what the machine-config daemon does on a real node (MCD
// pkg/daemon/{update,drain,daemon}.go, §5.4), following operators/machine-config/PROTOCOL.md. For each hollow node
// whose desiredConfig it does not run yet:
//   state=Working (and cordon) → drain through the eviction API (PodDisruptionBudgets respected, a timeout, the
//   blocking pod and budget named in the reason annotation and a DrainBlocked Event) → "switch the OS" and reboot
//   (HollowNodeManager.reboot: NotReady for rebootSeconds, the per-node update time) → back with the config's
//   osImage, kubelet and runtime versions → currentConfig=desiredConfig, state=Done and uncordon, in one write.
// A failure leaves state=Degraded with a reason; the pool controller then sets desiredConfig back to the previous
// config (a rollback), which this agent applies like any other config. Unlike the MCD, a drain here is the agent's
// own (no drain controller, no desiredDrain handshake): the issue puts it on the node agent.
//
// Level-based, one step per pass (runtime Controller keyed by node name): every decision reads the Node as the
// API shows it, so an agent restarted mid-update resumes. What it keeps in memory only saves work: when the
// current drain began (a restart restarts the drain clock), which config it failed on (a restart retries once,
// as the MCD does), and reboots it asked for that the cache does not show yet.
import { KubeConfig } from '@kubernetes/client-node';
import {
  CURRENT_CONFIG_ANNOTATION,
  DESIRED_CONFIG_ANNOTATION,
  FAIL_OS_UPDATE_KEY,
  REASON_ANNOTATION,
  RELEASE_IMAGE_VERSION_ANNOTATION,
  STATE_ANNOTATION,
  MACHINE_CONFIG_RESOURCE,
  type MachineConfig,
} from '../../operators/api/machineconfiguration-v1.ts';
import type { Pod } from '../../operators/machine-api/context.ts';
import { evictionFailure, formatDuration, planDrain, summarizePods, type EvictionFailure } from '../../operators/machine-api/drain/drain.ts';
import { expectedNodeInfo, nodeInfoMatches } from '../../operators/machine-config/target.ts';
import { createCache, indexByField, type Cache } from '../../operators/runtime/cache.ts';
import { Controller, watch, type Reconciler, type Result } from '../../operators/runtime/controller.ts';
import { errorMessage, isNotFound } from '../../operators/runtime/errors.ts';
import { createRecorder, type EventInput, type Recorder } from '../../operators/runtime/events.ts';
import { enqueueMapped, type Request } from '../../operators/runtime/handlers.ts';
import { createLogger, type Logger } from '../../operators/runtime/log.ts';
import { kubeResourceClient, resourcePath, type ResourceClient, type ResourceRef } from '../../operators/runtime/resource-client.ts';
import type { KubeObject } from '../../operators/runtime/watcher.ts';
import type { HollowNodeManager } from './manager.ts';
import type { NodeSoftware } from './node-object.ts';

/** Default time a node is down for its OS switch and reboot, in seconds: the per-node update time T. */
export const DEFAULT_REBOOT_SECONDS = 10;
/** Default overall drain timeout, in seconds (as the Machine API drain's DEFAULT_DRAIN_TIMEOUT_MS). */
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 600;
/** Default wait before a refused eviction is tried again, in seconds (MAO's drain backoff base, 5 s). */
export const DEFAULT_DRAIN_RETRY_SECONDS = 5;
/** Nodes worked on at once. */
export const DEFAULT_AGENT_CONCURRENCY = 64;
/** The Events' reporting component: the MCD's. */
export const AGENT_EVENT_COMPONENT = 'machine-config-daemon';

const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes' };
const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods' };
const POD_NODE_INDEX = 'nodeName';

export interface OsAgentOptions {
  /** Default DEFAULT_REBOOT_SECONDS; fractions are fine (tests use 0.3). */
  readonly rebootSeconds?: number;
  readonly drainTimeoutSeconds?: number;
  readonly drainRetrySeconds?: number;
  readonly concurrency?: number;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

interface AgentNode extends KubeObject {
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: {
    readonly conditions?: readonly { readonly type: string; readonly status: string }[];
    readonly nodeInfo?: { readonly osImage?: string; readonly kubeletVersion?: string; readonly containerRuntimeVersion?: string };
  };
}

interface AgentState {
  readonly client: ResourceClient;
  readonly recorder: Recorder;
  readonly nodes: Cache<AgentNode>;
  readonly machineConfigs: Cache<MachineConfig>;
  readonly pods: Cache<Pod>;
  /** Node → the desiredConfig it failed to apply. */
  readonly failedOn: Map<string, string>;
  /** Node → when its current drain began (ms). */
  readonly drainStartedAt: Map<string, number>;
  /** Node → when the reboot into which config was asked for. */
  readonly rebooting: Map<string, { readonly config: string; readonly atMs: number }>;
}

export class HollowOsAgent {
  readonly #nodes: HollowNodeManager;
  readonly #rebootMs: number;
  readonly #drainTimeoutMs: number;
  readonly #drainRetryMs: number;
  readonly #concurrency: number;
  readonly #log: Logger;
  readonly #now: () => Date;
  #run: { readonly abort: AbortController; readonly done: Promise<unknown>; readonly state: AgentState } | undefined;

  constructor(nodes: HollowNodeManager, options: OsAgentOptions = {}) {
    this.#nodes = nodes;
    this.#rebootMs = (options.rebootSeconds ?? DEFAULT_REBOOT_SECONDS) * 1000;
    this.#drainTimeoutMs = (options.drainTimeoutSeconds ?? DEFAULT_DRAIN_TIMEOUT_SECONDS) * 1000;
    this.#drainRetryMs = (options.drainRetrySeconds ?? DEFAULT_DRAIN_RETRY_SECONDS) * 1000;
    this.#concurrency = options.concurrency ?? DEFAULT_AGENT_CONCURRENCY;
    this.#log = options.logger ?? createLogger({ name: 'os-agent', sink: (line) => process.stderr.write(`${line}\n`) });
    this.#now = options.now ?? (() => new Date());
  }

  /** Starts watching the hollow nodes; resolves once its caches have synced. */
  async start(kubeconfig: KubeConfig | string): Promise<void> {
    if (this.#run) throw new Error('HollowOsAgent is already started');
    const kc = typeof kubeconfig === 'string' ? loadKubeConfig(kubeconfig) : kubeconfig;
    const logger = this.#log;
    const state: AgentState = {
      client: kubeResourceClient(kc),
      recorder: createRecorder(kc, { component: AGENT_EVENT_COMPONENT, logger, now: this.#now }),
      nodes: createCache<AgentNode>(kc, resourcePath(NODES, undefined), { name: 'os-agent-nodes', logger }),
      machineConfigs: createCache<MachineConfig>(kc, resourcePath(MACHINE_CONFIG_RESOURCE, undefined), { name: 'os-agent-machineconfigs', logger }),
      // Only bound pods concern a node's drain.
      pods: createCache<Pod>(kc, resourcePath(PODS, undefined), {
        name: 'os-agent-pods', logger, fieldSelector: 'spec.nodeName!=', indexers: { [POD_NODE_INDEX]: indexByField((p: Pod) => p.spec?.nodeName) },
      }),
      failedOn: new Map(),
      drainStartedAt: new Map(),
      rebooting: new Map(),
    };
    const owned = (name: string | undefined): Request[] => (name && this.#nodes.ownsNode(name) ? [{ name }] : []);
    const controller = new Controller({
      name: 'hollow-os-agent',
      kind: 'Node',
      reconcile: this.#reconciler(state),
      concurrency: this.#concurrency,
      // Reboots and drain retries ask for short waits in tests; the runtime floor (1 s) would stretch them.
      minRequeueAfterMs: Math.min(this.#drainRetryMs, 100),
      logger,
      watches: [
        watch(state.nodes, enqueueMapped((n: AgentNode) => owned(n.metadata?.name))),
        watch(state.pods, enqueueMapped((p: Pod) => owned(p.spec?.nodeName))),
        watch(state.machineConfigs, enqueueMapped((mc: MachineConfig) =>
          state.nodes.store.list((n) => n.metadata?.annotations?.[DESIRED_CONFIG_ANNOTATION] === mc.metadata?.name).flatMap((n) => owned(n.metadata?.name)))),
      ],
    });
    const abort = new AbortController();
    const caches = [state.nodes, state.machineConfigs, state.pods];
    const done = Promise.allSettled([...caches, controller].map((r) => r.start(abort.signal)));
    this.#run = { abort, done, state };
    await Promise.all(caches.map((c) => c.store.waitForSync(abort.signal)));
  }

  async stop(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    this.#run = undefined;
    run.abort.abort();
    await run.done;
    await run.state.recorder.flush();
  }

  #reconciler(s: AgentState): Reconciler {
    return async (req, { log }): Promise<Result> => {
      const node = s.nodes.store.get(req.name);
      if (!node || !this.#nodes.ownsNode(req.name)) return {};
      const a = node.metadata?.annotations ?? {};
      const desired = a[DESIRED_CONFIG_ANNOTATION];
      const current = a[CURRENT_CONFIG_ANNOTATION];
      const state = a[STATE_ANNOTATION];
      if (!desired) return {};
      if (desired === current && state !== 'Working' && state !== 'Degraded') {
        s.failedOn.delete(req.name);
        return {};
      }
      // Failed on this config: the pool controller decides (it rolls the node back); retrying would reboot again.
      if (state === 'Degraded' && s.failedOn.get(req.name) === desired) return {};
      const now = this.#now().getTime();
      const config = s.machineConfigs.store.get(desired);
      const expected = expectedNodeInfo(config);
      if (!config || !expected) {
        // A config rendered a moment ago may not be in the cache yet; its arrival re-queues the node.
        log.info('Waiting for the desired MachineConfig', { MachineConfig: desired });
        return { requeueAfterMs: 1_000 };
      }
      const booted = nodeInfoMatches(node.status?.nodeInfo, expected);
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      const reboot = s.rebooting.get(req.name);

      if (state !== 'Working') {
        log.info('Starting update', { Node: req.name, from: current, to: desired });
        await this.#annotate(s, req.name, { [STATE_ANNOTATION]: 'Working', [REASON_ANNOTATION]: '' }, booted ? undefined : true);
        return {};
      }
      if (!booted) {
        if (!ready) return {}; // rebooting (or down for another reason): the node's return re-queues it
        // Asked to reboot a moment ago and the cache does not show the node going down yet: not a second reboot.
        if (reboot?.config === desired && now - reboot.atMs < this.#rebootMs + 5_000) return { requeueAfterMs: 100 };
        if (!node.spec?.unschedulable) {
          await this.#patch(s, req.name, { spec: { unschedulable: true } });
          return {};
        }
        const drained = await this.#drain(s, node, desired, now, log);
        if (drained !== true) return drained;
        const software: NodeSoftware = { osImage: expected.osImage, kubeletVersion: expected.kubeletVersion, containerRuntimeVersion: expected.containerRuntimeVersion };
        log.info('Switching OS and rebooting', { Node: req.name, MachineConfig: desired, osImage: expected.osImage, rebootSeconds: this.#rebootMs / 1000 });
        if (!this.#nodes.reboot(req.name, this.#rebootMs / 1000, software)) return { requeueAfterMs: 100 };
        s.drainStartedAt.delete(req.name);
        s.rebooting.set(req.name, { config: desired, atMs: now });
        this.#event(s, node, { type: 'Normal', reason: 'Reboot', note: `Node will reboot into config ${desired}`, action: 'Reboot' });
        return {};
      }
      if (!ready) return {};
      s.rebooting.delete(req.name);
      const release = config.metadata?.annotations?.[RELEASE_IMAGE_VERSION_ANNOTATION];
      const inject = node.metadata?.labels?.[FAIL_OS_UPDATE_KEY] ?? node.metadata?.annotations?.[FAIL_OS_UPDATE_KEY];
      if (desired !== current && inject !== undefined && inject === release) {
        const reason = `Node failed its health check after booting ${desired} (release ${release}): injected by ${FAIL_OS_UPDATE_KEY}=${inject}`;
        return this.#degrade(s, node, desired, reason, log);
      }
      log.info('Update complete', { Node: req.name, MachineConfig: desired });
      // One write: a node is never Done and still cordoned (or uncordoned and still Working) to an observer.
      await this.#patch(s, req.name, {
        metadata: { annotations: { [CURRENT_CONFIG_ANNOTATION]: desired, [STATE_ANNOTATION]: 'Done', [REASON_ANNOTATION]: '' } },
        spec: { unschedulable: false },
      });
      s.failedOn.delete(req.name);
      this.#event(s, node, { type: 'Normal', reason: 'NodeDone', note: `Node is running config ${desired} (${expected.osImage})`, action: 'Update' });
      return {};
    };
  }

  /**
   * One drain pass: evicts what is left (the Machine API drain's planning: DaemonSet and mirror pods stay) and says
   * whether the node is empty. A refused eviction is reported in the reason annotation and as a DrainBlocked Event
   * naming the pod and its PodDisruptionBudget; past the timeout the node goes Degraded with the same detail.
   */
  async #drain(s: AgentState, node: AgentNode, desired: string, now: number, log: Logger): Promise<true | Result> {
    const name = node.metadata?.name ?? '';
    const plan = planDrain(s.pods.store.byIndex(POD_NODE_INDEX, name), false, new Date(now));
    if (plan.evict.length === 0 && plan.terminating.length === 0) return true;
    const startedAt = s.drainStartedAt.get(name) ?? now;
    s.drainStartedAt.set(name, startedAt);
    const failures = (await Promise.all(plan.evict.map((pod) => this.#evict(s, pod, log)))).filter((f): f is EvictionFailure => f !== undefined);
    const blocked = failures.filter((f) => f.blockedByBudget);
    const detail = failures.length > 0
      ? failures.map((f) => f.message).join('; ')
      : `waiting for ${plan.terminating.length} pod(s) to terminate: ${summarizePods(plan.terminating.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`))}`;
    if (now - startedAt >= this.#drainTimeoutMs) {
      s.drainStartedAt.delete(name);
      this.#event(s, node, { type: 'Warning', reason: 'DrainFailed', note: `Drain did not finish within ${formatDuration(this.#drainTimeoutMs)}: ${detail}`, action: 'Drain' });
      return this.#degrade(s, node, desired, `failed to drain node ${name} within ${formatDuration(this.#drainTimeoutMs)}: ${detail}`, log);
    }
    if (failures.length > 0) {
      const reason = `Draining: ${detail}`;
      if (node.metadata?.annotations?.[REASON_ANNOTATION] !== reason) await this.#annotate(s, name, { [REASON_ANNOTATION]: reason });
      this.#event(s, node, { type: 'Warning', reason: blocked.length > 0 ? 'DrainBlocked' : 'DrainError', note: detail, action: 'Drain' });
      return { requeueAfterMs: this.#drainRetryMs };
    }
    return {}; // pods leaving re-queue the node
  }

  async #evict(s: AgentState, pod: Pod, log: Logger): Promise<EvictionFailure | undefined> {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid;
    try {
      await s.client.createSubresource(PODS, namespace, name, 'eviction', {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name, namespace },
        deleteOptions: { preconditions: { uid } },
      });
      log.info('Evicted pod', { Pod: `${namespace}/${name}` });
      return undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      return evictionFailure(`${namespace}/${name}`, err);
    }
  }

  async #degrade(s: AgentState, node: AgentNode, desired: string, reason: string, log: Logger): Promise<Result> {
    const name = node.metadata?.name ?? '';
    log.warn('Update failed', { Node: name, MachineConfig: desired, reason });
    await this.#annotate(s, name, { [STATE_ANNOTATION]: 'Degraded', [REASON_ANNOTATION]: reason });
    s.failedOn.set(name, desired);
    this.#event(s, node, { type: 'Warning', reason: 'OSUpdateFailed', note: reason, action: 'Update' });
    return {};
  }

  async #annotate(s: AgentState, name: string, annotations: Record<string, string>, cordon?: true): Promise<void> {
    await this.#patch(s, name, { metadata: { annotations }, ...(cordon ? { spec: { unschedulable: true } } : {}) });
  }

  async #patch(s: AgentState, name: string, body: Record<string, unknown>): Promise<void> {
    try {
      await s.client.patch(NODES, undefined, name, 'application/merge-patch+json', body);
    } catch (err) {
      throw new Error(`patching Node ${name}: ${errorMessage(err)}`, { cause: err });
    }
  }

  #event(s: AgentState, node: AgentNode, input: EventInput): void {
    s.recorder.record({ ...node, apiVersion: 'v1', kind: 'Node' }, input);
  }
}

function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}
