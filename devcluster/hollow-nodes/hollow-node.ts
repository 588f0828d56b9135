// One hollow kubelet: what it has done and when it must act next. It owns no timer: the manager runs `step`
// when `dueAt` comes (one timer for all nodes), so 1,000 nodes cost one pending timeout.
//
//   joining ──register──▶ posting ──(notReadyAfterSeconds)──▶ stopped (Ready=Unknown posted, Lease left to expire)
//   joining (failToJoin) ──▶ silent                             posting ──(Node deleted)──▶ stopped
//   posting ──reboot()──▶ shuttingDown (Ready=Unknown posted) ──▶ rebooting ──(downMs)──▶ joining (new bootID, new OS)
//   any ──(instance no longer running)──▶ stopped
import type { Logger } from '../../operators/runtime/log.ts';
import type { KubeletApi } from './kubelet-api.ts';
import {
  computeConditions,
  computeLease,
  computeNode,
  computeNodeStatus,
  microTime,
  notReadyAt,
  readinessAt,
  type HollowInstance,
  type NodeCondition,
  type NodeSoftware,
} from './node-object.ts';

export type HollowNodePhase = 'joining' | 'posting' | 'silent' | 'shuttingDown' | 'rebooting' | 'stopped';

export interface HollowNodeTiming {
  readonly leaseRenewMs: number;
  readonly leaseDurationSeconds: number;
  readonly statusReportMs: number;
  /** After a failed call, how soon to try again. */
  readonly retryMs: number;
  /** Work due within this much of now is done now, so that nodes fall into shared wake-ups. */
  readonly batchWindowMs: number;
}

export class HollowNode {
  readonly instance: HollowInstance;
  #phase: HollowNodePhase;
  /** Epoch ms `step` should next run; Infinity when there is nothing left to do. */
  #dueAt: number;
  #conditions: NodeCondition[] = [];
  #nodeUid = '';
  #nextLeaseAt = 0;
  /** Whether this run created (or took over) the Lease; until then renewing means creating. */
  #leaseEnsured = false;
  #nextStatusAt = 0;
  /** Boots since the instance started running (the OS agent's reboots), and the OS it switched to. */
  #boots = 0;
  #software: NodeSoftware | undefined;
  #downMs = 0;
  #bootAt = 0;
  readonly #timing: HollowNodeTiming;

  constructor(instance: HollowInstance, timing: HollowNodeTiming, now: number) {
    this.instance = instance;
    this.#timing = timing;
    this.#phase = instance.failToJoin ? 'silent' : 'joining';
    this.#dueAt = instance.failToJoin ? Infinity : now;
  }

  get phase(): HollowNodePhase {
    return this.#phase;
  }

  get dueAt(): number {
    return this.#dueAt;
  }

  /** A kubelet that posts status finishes the deletion of its pods (even when NotReady: that is its network). */
  get finishesPodDeletion(): boolean {
    return this.#phase === 'posting';
  }

  /** Only a Ready kubelet starts pods. */
  get startsPods(): boolean {
    return this.#phase === 'posting' && this.#conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  }

  /** The instance stopped running: no more calls. Its Node stays, as a real kubelet leaves it. */
  stop(): void {
    this.#phase = 'stopped';
    this.#dueAt = Infinity;
  }

  /**
   * The OS agent's hook (os-agent.ts): the node reboots, into `software` when given. Its kubelet stops posting now
   * (Ready=Unknown is written at once, as for notReadyAfterSeconds) and registers again `downMs` later with a new
   * bootID. False when the kubelet is not up (joining, already rebooting, stopped).
   */
  reboot(now: number, downMs: number, software?: NodeSoftware): boolean {
    if (this.#phase !== 'posting') return false;
    if (software) this.#software = software;
    this.#phase = 'shuttingDown';
    this.#downMs = downMs;
    this.#dueAt = now;
    return true;
  }

  /** Does what is due by now (plus the batch window); never throws: a failed call is retried after retryMs. */
  async step(api: KubeletApi, now: number, log: Logger): Promise<void> {
    const horizon = now + this.#timing.batchWindowMs;
    try {
      if (this.#phase === 'shuttingDown') return await this.#shutDown(api, now);
      // Not within the batch window: the downtime is the update time the OS agent was given.
      if (this.#phase === 'rebooting') {
        if (now < this.#bootAt) return;
        this.#boots++;
        this.#phase = 'joining';
      }
      if (this.#phase === 'joining') await this.#register(api, now);
      if (this.#phase !== 'posting') return;
      if (readinessAt(this.instance, horizon) === 'Unknown') return await this.#stopPosting(api, now);
      if (this.#nextLeaseAt <= horizon) await this.#renewLease(api, now);
      if (this.#phase === 'posting' && this.#nextStatusAt <= horizon) await this.#postStatus(api, now);
      if (this.#phase === 'posting') this.#dueAt = Math.min(this.#nextLeaseAt, this.#nextStatusAt, notReadyAt(this.instance));
    } catch (err) {
      // Stopped meanwhile, or the manager is stopping and cancelled the call.
      if (this.#phase === 'stopped' || (err as Error | undefined)?.name === 'AbortError') return;
      log.warn('Hollow kubelet call failed, retrying', { Node: this.instance.nodeName, phase: this.#phase, err });
      this.#dueAt = now + this.#timing.retryMs;
    }
  }

  async #register(api: KubeletApi, now: number): Promise<void> {
    this.#conditions = computeConditions(readinessAt(this.instance, now), new Date(now).toISOString(), this.#conditions);
    const uid = await api.registerNode(computeNode(this.instance), computeNodeStatus(this.instance, this.#conditions, { count: this.#boots, software: this.#software }));
    if (this.#phase !== 'joining') return; // stopped while the call was in flight
    this.#nodeUid = uid;
    this.#phase = 'posting';
    this.#nextLeaseAt = now;
    this.#nextStatusAt = now + this.#timing.statusReportMs;
  }

  async #renewLease(api: KubeletApi, now: number): Promise<void> {
    const renewTime = microTime(now);
    const lease = () => computeLease(this.instance.nodeName, this.#nodeUid, this.#timing.leaseDurationSeconds, renewTime);
    if (!this.#leaseEnsured) {
      await api.ensureLease(lease());
      this.#leaseEnsured = true;
      this.#nextLeaseAt = now + this.#timing.leaseRenewMs;
      return;
    }
    const nodeExists = await api.renewLease(this.instance.nodeName, renewTime, lease);
    // A kubelet whose Node was deleted cannot post any more and does not register again until restarted.
    if (!nodeExists) this.stop();
    else this.#nextLeaseAt = now + this.#timing.leaseRenewMs;
  }

  async #postStatus(api: KubeletApi, now: number): Promise<void> {
    const conditions = computeConditions(readinessAt(this.instance, now), new Date(now).toISOString(), this.#conditions);
    await api.patchNodeStatus(this.instance.nodeName, { conditions });
    this.#conditions = conditions;
    this.#nextStatusAt = now + this.#timing.statusReportMs;
  }

  // What the node lifecycle controller would write once the Lease expires, written at once so that tests
  // (and MachineHealthChecks) see the node go NotReady without a controller-manager.
  async #stopPosting(api: KubeletApi, now: number): Promise<void> {
    await this.#postUnknown(api, now);
    this.stop();
  }

  async #shutDown(api: KubeletApi, now: number): Promise<void> {
    await this.#postUnknown(api, now);
    if (this.#phase !== 'shuttingDown') return; // stopped while the call was in flight
    // Down for downMs from the moment the node is seen NotReady.
    this.#phase = 'rebooting';
    this.#bootAt = now + this.#downMs;
    this.#dueAt = this.#bootAt;
  }

  async #postUnknown(api: KubeletApi, now: number): Promise<void> {
    const conditions = computeConditions('Unknown', new Date(now).toISOString(), this.#conditions);
    await api.patchNodeStatus(this.instance.nodeName, { conditions });
    this.#conditions = conditions;
  }
}
