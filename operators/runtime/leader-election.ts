// Leader election on a coordination.k8s.io/v1 Lease, after client-go tools/leaderelection
// (leaderelection.go tryAcquireOrRenew/renew/release) with OpenShift's timings (library-go
// LeaderElectionDefaulting: 137 s / 107 s / 26 s, which rides out about 78 s of API server downtime
// without losing the lease). client-node has no elector (shared/reference/ts-ecosystem.md §1.4).
//
// Safety comes from three rules: a candidate only takes a lease whose record it has seen unchanged for
// a whole leaseDuration on its own clock (no trust in the holder's timestamps, so clock skew cannot
// cause two leaders); every write is a PUT with the resourceVersion read just before (409: someone
// else wrote first, we lose that round); and a leader that cannot renew within renewDeadline stops
// leading before its lease can expire for the others (renewDeadline < leaseDuration).
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from './errors.ts';
import { kubeJson } from './kube-http.ts';
import { discardLogger, type Logger } from './log.ts';
import { runtimeMetrics } from './metrics.ts';
import { formatMicroTime } from './time.ts';
import { sleep } from './wait.ts';

/** OpenShift's lease duration, in ms: how long a standby waits on an unchanged record. */
export const DEFAULT_LEASE_DURATION_MS = 137_000;
/** OpenShift's renew deadline, in ms: a leader that has not renewed for this long stops leading. */
export const DEFAULT_RENEW_DEADLINE_MS = 107_000;
/** OpenShift's retry period, in ms: how often candidates try to acquire and the leader renews. */
export const DEFAULT_RETRY_PERIOD_MS = 26_000;
/** client-go's JitterFactor for acquire retries: wait retryPeriod × (1 + 1.2 × random). */
const ACQUIRE_JITTER = 1.2;

/** The Lease fields the election reads, as they are on the wire. */
export interface LeaseSnapshot {
  readonly resourceVersion: string;
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions?: number;
}

/** spec of a Lease as written; times are MicroTime strings (`2006-01-02T15:04:05.000000Z`). */
export interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string;
  readonly renewTime: string;
  readonly leaseTransitions: number;
}

/** When this candidate last saw the lease record change, on its own clock (client-go observedTime). */
export interface Observation {
  readonly recordKey: string;
  readonly observedAtMs: number;
}

export type LeaseDecision =
  | { readonly action: 'create'; readonly spec: LeaseSpec }
  | { readonly action: 'update'; readonly resourceVersion: string; readonly spec: LeaseSpec }
  | { readonly action: 'wait'; readonly holder: string };

/**
 * What a candidate does with the lease it just read (client-go tryAcquireOrRenew), and the updated
 * observation. Pure: `nowMs` is the candidate's clock.
 */
export function decideLease(input: {
  readonly lease: LeaseSnapshot | undefined;
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly nowMs: number;
  readonly observation: Observation | undefined;
}): { decision: LeaseDecision; observation: Observation | undefined } {
  const { lease, identity, nowMs } = input;
  const now = formatMicroTime(new Date(nowMs));
  const leaseDurationSeconds = Math.ceil(input.leaseDurationMs / 1000);
  if (!lease) {
    return {
      decision: { action: 'create', spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 } },
      observation: input.observation,
    };
  }
  const recordKey = `${lease.holderIdentity ?? ''}|${lease.renewTime ?? ''}|${lease.resourceVersion}`;
  const observation =
    input.observation?.recordKey === recordKey ? input.observation : { recordKey, observedAtMs: nowMs };
  const holder = lease.holderIdentity ?? '';
  // The holder's own declared duration counts, as in client-go: a holder configured for a longer
  // lease must not be overthrown by a candidate configured for a shorter one.
  const holderDurationMs = (lease.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
  if (holder !== '' && holder !== identity && nowMs < observation.observedAtMs + holderDurationMs) {
    return { decision: { action: 'wait', holder }, observation };
  }
  const renewing = holder === identity;
  return {
    decision: {
      action: 'update',
      resourceVersion: lease.resourceVersion,
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: renewing && lease.acquireTime ? lease.acquireTime : now,
        renewTime: now,
        leaseTransitions: (lease.leaseTransitions ?? 0) + (renewing ? 0 : 1),
      },
    },
    observation,
  };
}

/** The spec that gives the lease up (client-go release): no holder, a 1 s duration, transitions kept. */
export function releasedLeaseSpec(lease: LeaseSnapshot, nowMs: number): LeaseSpec {
  const now = formatMicroTime(new Date(nowMs));
  return { leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.leaseTransitions ?? 0 };
}

/** True once a leader's last successful renew is older than the renew deadline. */
export function renewDeadlinePassed(lastRenewMs: number, nowMs: number, renewDeadlineMs: number): boolean {
  return nowMs - lastRenewMs >= renewDeadlineMs;
}

/** Reads and writes one Lease. `create` and `update` throw 409 errors when another writer won. */
export interface LeaseClient {
  get(): Promise<LeaseSnapshot | undefined>;
  create(spec: LeaseSpec): Promise<void>;
  update(resourceVersion: string, spec: LeaseSpec): Promise<void>;
}

interface LeaseJson {
  metadata?: { resourceVersion?: string };
  spec?: Omit<LeaseSnapshot, 'resourceVersion'>;
}

/**
 * A LeaseClient over the coordination.k8s.io/v1 REST API. Raw JSON, not CoordinationV1Api: its
 * serializer leaves MicroTime fields as strings on read but types them as Dates, and the format of what
 * we write must be exactly the MicroTime one.
 */
export function coordinationLeaseClient(kc: KubeConfig, namespace: string, name: string): LeaseClient {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const item = `${collection}/${encodeURIComponent(name)}`;
  const body = (spec: LeaseSpec, resourceVersion?: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec,
  });
  return {
    async get() {
      try {
        const lease = await kubeJson<LeaseJson>(kc, item);
        return { ...lease.spec, resourceVersion: lease.metadata?.resourceVersion ?? '' };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(spec) {
      await kubeJson(kc, collection, { method: 'POST', body: body(spec) });
    },
    async update(resourceVersion, spec) {
      await kubeJson(kc, item, { method: 'PUT', body: body(spec, resourceVersion) });
    },
  };
}

export interface LeaderElectionOptions {
  /** Lease name, e.g. "cluster-api-provider-machineset-leader". */
  readonly name: string;
  readonly namespace: string;
  readonly client: LeaseClient;
  /** Default `${hostname}_${uuid}` (the client-go/OpenShift convention). */
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Give the lease up on a clean shutdown so a standby takes over at once. Default true. */
  readonly releaseOnCancel?: boolean;
  readonly logger?: Logger;
  readonly registry?: Registry;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** How leading ended. */
export type LeadershipEnd = 'cancelled' | 'lost';

export class LeaderElector {
  readonly identity: string;
  readonly #options: LeaderElectionOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  #observation: Observation | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.#retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    // client-go validates the same: otherwise the lease could expire for others while we still lead.
    if (!(this.#leaseDurationMs > this.#renewDeadlineMs && this.#renewDeadlineMs > this.#retryPeriodMs * ACQUIRE_JITTER)) {
      throw new RangeError('leader election needs leaseDuration > renewDeadline > 1.2 × retryPeriod');
    }
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.#options = options;
    this.#log = (options.logger ?? discardLogger).child('leader-election', {
      lease: `${options.namespace}/${options.name}`,
      identity: this.identity,
    });
    this.#now = options.now ?? Date.now;
  }

  /**
   * Campaigns until this candidate leads, runs `lead` with a signal that aborts when leadership ends,
   * and resolves once `lead` has returned: 'lost' when a renew deadline passed, 'cancelled' when
   * `signal` aborted (the lease is then released, after `lead` has stopped writing).
   */
  async run(signal: AbortSignal, lead: (leaderSignal: AbortSignal) => Promise<void>): Promise<LeadershipEnd> {
    const random = this.#options.random ?? Math.random;
    const setStatus = (leading: boolean) =>
      this.#options.registry && runtimeMetrics(this.#options.registry).leaderElectionStatus.set({ name: this.#options.name }, leading ? 1 : 0);
    setStatus(false);
    this.#log.info('Attempting to acquire leader lease');
    for (;;) {
      if (signal.aborted) return 'cancelled';
      if (await this.#tryAcquireOrRenew()) break;
      try {
        await sleep(this.#retryPeriodMs * (1 + ACQUIRE_JITTER * random()), signal);
      } catch {
        return 'cancelled';
      }
    }
    this.#log.info('Successfully acquired lease');
    setStatus(true);
    const leading = new AbortController();
    const work = lead(leading.signal);
    const end = await this.#renewLoop(signal);
    leading.abort(new Error(`leadership ${end}`));
    setStatus(false);
    await work.catch(() => {}); // its failure is the caller's to report; here only its end matters
    if (end === 'lost') {
      this.#log.error('Leader lease lost: renew deadline passed', { renewDeadlineMs: this.#renewDeadlineMs });
    } else if (this.#options.releaseOnCancel ?? true) {
      await this.#release();
    }
    return end;
  }

  async #renewLoop(signal: AbortSignal): Promise<LeadershipEnd> {
    let lastRenewMs = this.#now();
    for (;;) {
      try {
        await sleep(this.#retryPeriodMs, signal);
      } catch {
        return 'cancelled';
      }
      // Keep retrying within the deadline; a request still hanging at the deadline counts as failed.
      for (;;) {
        const remainingMs = this.#renewDeadlineMs - (this.#now() - lastRenewMs);
        const renewed = await raceDeadline(this.#tryAcquireOrRenew(), remainingMs, signal);
        if (signal.aborted) return 'cancelled';
        if (renewed) {
          lastRenewMs = this.#now();
          break;
        }
        if (renewDeadlinePassed(lastRenewMs, this.#now(), this.#renewDeadlineMs)) return 'lost';
        try {
          await sleep(Math.min(this.#retryPeriodMs, remainingMs), signal);
        } catch {
          return 'cancelled';
        }
      }
    }
  }

  /** One read-decide-write round; false when another holder is valid or another writer won. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const client = this.#options.client;
    try {
      const lease = await client.get();
      const { decision, observation } = decideLease({
        lease,
        identity: this.identity,
        leaseDurationMs: this.#leaseDurationMs,
        nowMs: this.#now(),
        observation: this.#observation,
      });
      this.#observation = observation;
      switch (decision.action) {
        case 'wait':
          this.#log.debug('Lease is held by another candidate', { holder: decision.holder });
          return false;
        case 'create':
          await client.create(decision.spec);
          return true;
        case 'update':
          await client.update(decision.resourceVersion, decision.spec);
          return true;
      }
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) {
        this.#log.debug('Lost a race for the lease', { error: errorMessage(err) });
      } else {
        this.#log.warn('Failed to update lease', { error: err });
      }
      return false;
    }
  }

  async #release(): Promise<void> {
    try {
      const lease = await this.#options.client.get();
      if (!lease || lease.holderIdentity !== this.identity) return;
      await this.#options.client.update(lease.resourceVersion, releasedLeaseSpec(lease, this.#now()));
      this.#log.info('Released leader lease');
    } catch (err) {
      // The lease then simply expires: the standby takes over after leaseDuration instead of at once.
      this.#log.warn('Failed to release leader lease', { error: err });
    }
  }
}

/** Resolves with the attempt's result, or false once `ms` pass or `signal` aborts. */
async function raceDeadline(attempt: Promise<boolean>, ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return false;
  const deadline = new AbortController();
  const onAbort = () => deadline.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([attempt, sleep(ms, deadline.signal).then(() => false, () => false)]);
  } finally {
    deadline.abort();
    signal.removeEventListener('abort', onAbort);
  }
}

/** How an operator's options tune its election; every field defaults as in LeaderElectionOptions. */
export interface LeaderElectionSettings {
  /** Default `${hostname}_${uuid}`. */
  readonly identity?: string;
  /** Defaults: OpenShift's 137 s / 107 s / 26 s (DEFAULT_LEASE_DURATION_MS and the two below it). */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

/**
 * The elector of an operator whose options say `leaderElection: true | settings` (compete for the Lease `name` in
 * `namespace`), or undefined when they leave it off (false or unset: this replica always leads).
 */
export function leaderElectorFor(
  kc: KubeConfig,
  options: {
    readonly name: string;
    readonly namespace: string;
    readonly settings: boolean | LeaderElectionSettings | undefined;
    readonly logger: Logger;
    readonly registry: Registry;
  },
): LeaderElector | undefined {
  const { name, namespace, settings, logger, registry } = options;
  const election = settings === true ? {} : settings || undefined;
  if (!election) return undefined;
  return new LeaderElector({ name, namespace, client: coordinationLeaseClient(kc, namespace, name), ...election, logger, registry });
}
