// The local cloud's model: instances, their state machine and their persistence. The HTTP API (http-api.ts)
// is the only way the operator reaches it; the hollow nodes, which live in the same process, subscribe to
// its change events directly.
//
//   create ──▶ pending ──(launchTime + bootDelaySeconds)──▶ running      (bootDelaySeconds 0: running at create)
//   terminate (pending|running) ──▶ shutting-down ──(terminateDelayMs)──▶ terminated ──(retention)──▶ removed
//
// Every state change has its deadline stored with the instance, so a restart applies the changes that fell
// due while the process was down, in order, with the timestamps they would have had.
import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '../../operators/runtime/log.ts';
import { DeadlineTimer } from './deadline-timer.ts';
import { allocateIp, FIRST_HOST_INDEX } from './ip-allocator.ts';
import { JournalFile } from './journal-file.ts';
import { CloudError, type CreateInstanceRequest, type Instance, type LocalImage } from './types.ts';

/** How long an instance is shutting-down before it is terminated, in ms. */
export const DEFAULT_TERMINATE_DELAY_MS = 1_000;
/** How long a terminated instance stays listed before it vanishes, in ms (EC2 keeps them about an hour). */
export const DEFAULT_TERMINATED_RETENTION_MS = 10 * 60_000;

export interface LocalCloudOptions {
  /** The JSON file the instances persist to (plus `<file>.journal`); without one they live in memory only. */
  readonly stateFile?: string;
  readonly terminateDelayMs?: number;
  readonly terminatedRetentionMs?: number;
  /** The image catalogue to start with (registerImage adds more). */
  readonly images?: Readonly<Record<string, LocalImage>>;
  readonly logger?: Logger;
}

export interface InstanceEvent {
  /** `removed`: a terminated instance left the listing. */
  readonly type: 'added' | 'modified' | 'removed';
  readonly instance: Instance;
}

/** Called synchronously after each change; must not block. */
export type InstanceListener = (event: InstanceEvent) => void;

/** Describe filters, ANDed; within one, any of the values matches (EC2 DescribeInstances filters). */
export interface InstanceFilter {
  readonly ids?: readonly string[];
  readonly tags?: Readonly<Record<string, readonly string[]>>;
}

interface InstanceRecord {
  instance: Instance;
  /** Epoch ms of the instance's next state change (running, terminated, removed); none while running. */
  dueAt?: number;
}

interface StoredState {
  readonly version: 1;
  readonly ipCursor: number;
  readonly instances: readonly InstanceRecord[];
}

/** One change in the journal: the whole record of an added or modified instance, or the id of a removed one. */
type StoredChange = { readonly ipCursor: number } & ({ readonly record: InstanceRecord } | { readonly removed: string });

export class LocalCloud {
  readonly #records = new Map<string, InstanceRecord>();
  readonly #idByToken = new Map<string, string>();
  /**
   * Image name → what it boots. Not persisted: whoever runs the cloud registers its images at each start (the dev
   * cluster: its releases' boot images); instances keep what they resolved at create.
   */
  readonly #images = new Map<string, LocalImage>();
  readonly #listeners = new Set<InstanceListener>();
  readonly #timer = new DeadlineTimer(() => this.#advance());
  readonly #file: JournalFile<StoredState, StoredChange> | undefined;
  readonly #terminateDelayMs: number;
  readonly #retentionMs: number;
  readonly #log: Logger;
  #ipCursor = FIRST_HOST_INDEX;
  #lastWrite: Promise<void> = Promise.resolve();

  constructor(options: LocalCloudOptions = {}) {
    this.#terminateDelayMs = options.terminateDelayMs ?? DEFAULT_TERMINATE_DELAY_MS;
    this.#retentionMs = options.terminatedRetentionMs ?? DEFAULT_TERMINATED_RETENTION_MS;
    this.#log = options.logger ?? createLogger({ name: 'local-cloud', sink: (line) => process.stderr.write(`${line}\n`) });
    for (const [name, image] of Object.entries(options.images ?? {})) this.registerImage(name, image);
    if (options.stateFile !== undefined) {
      this.#file = new JournalFile(options.stateFile);
      const { snapshot, entries } = this.#file.read();
      if (snapshot) this.#load(snapshot);
      for (const change of entries) this.#replay(change);
    }
    this.#advance();
  }

  /** Creates an instance, or returns the one already created with this clientToken. */
  create(request: CreateInstanceRequest): { readonly instance: Instance; readonly created: boolean } {
    const existingId = this.#idByToken.get(request.clientToken);
    const existing = existingId === undefined ? undefined : this.#records.get(existingId);
    if (existing) return { instance: existing.instance, created: false };
    // EC2 answers InvalidAMIID.NotFound (400) for an AMI it does not have: the spec is at fault, not the cloud.
    const bootImage = request.spec.image === undefined ? undefined : this.#images.get(request.spec.image);
    if (request.spec.image !== undefined && !bootImage) {
      const known = [...this.#images.keys()].sort().map((n) => JSON.stringify(n)).join(', ');
      throw new CloudError(400, 'InvalidImageID.NotFound', `spec.image: Invalid value: ${JSON.stringify(request.spec.image)}: no such image in the local cloud (images: ${known || 'none'})`, 'spec.image');
    }
    // The providerID and the Node name derive from the name, so two live instances may not share it.
    for (const { instance } of this.#records.values()) {
      if (instance.name === request.name && instance.state !== 'terminated') {
        throw new CloudError(409, 'InstanceNameInUse', `name: Duplicate value: "${request.name}": instance ${instance.id} with this name is ${instance.state}`, 'name');
      }
    }
    const { ip, cursor } = allocateIp(this.#ipCursor, this.#ipsInUse());
    this.#ipCursor = cursor;
    const now = Date.now();
    const bootDelayMs = (request.spec.bootDelaySeconds ?? 0) * 1000;
    const instance: Instance = {
      id: `li-${randomBytes(8).toString('hex')}`,
      clientToken: request.clientToken,
      name: request.name,
      tags: { ...request.tags },
      // Instant boot is running at once: a pending state that lasts no time would only cost its observers a
      // second round of writes (the Machine's instance-state annotation and providerStatus).
      state: bootDelayMs > 0 ? 'pending' : 'running',
      providerID: `local:///${request.name}`,
      privateIp: ip,
      hostname: request.name,
      launchTime: new Date(now).toISOString(),
      spec: request.spec,
      ...(bootImage ? { bootImage } : {}),
    };
    const runningAt = bootDelayMs > 0 ? now + bootDelayMs : undefined;
    this.#records.set(instance.id, { instance, dueAt: runningAt });
    this.#idByToken.set(instance.clientToken, instance.id);
    this.#changed([{ type: 'added', instance }]);
    if (runningAt !== undefined) this.#timer.arm(runningAt);
    return { instance, created: true };
  }

  /** Adds (or replaces) an image of the catalogue. */
  registerImage(name: string, image: LocalImage): void {
    this.#images.set(name, { ...image });
  }

  /** The catalogue, by image name. */
  images(): Record<string, LocalImage> {
    return Object.fromEntries(this.#images);
  }

  get(id: string): Instance | undefined {
    return this.#records.get(id)?.instance;
  }

  list(): Instance[] {
    return [...this.#records.values()].map((r) => r.instance);
  }

  describe(filter: InstanceFilter): Instance[] {
    const ids = filter.ids === undefined ? undefined : new Set(filter.ids);
    const tags = Object.entries(filter.tags ?? {});
    return this.list().filter(
      (instance) => (ids === undefined || ids.has(instance.id)) && tags.every(([key, values]) => values.includes(instance.tags[key] as string)),
    );
  }

  /** Starts shutting the instance down; a second call changes nothing (TerminateInstances is idempotent). */
  terminate(id: string): Instance {
    const record = this.#records.get(id);
    if (!record) throw new CloudError(404, 'InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    if (record.instance.state === 'shutting-down' || record.instance.state === 'terminated') return record.instance;
    record.instance = { ...record.instance, state: 'shutting-down' };
    record.dueAt = Date.now() + this.#terminateDelayMs;
    this.#changed([{ type: 'modified', instance: record.instance }]);
    this.#timer.arm(record.dueAt);
    return record.instance;
  }

  /** `listener` hears every change from now on; the returned function unsubscribes. */
  subscribe(listener: InstanceListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves once every change made so far is on disk (at once when ephemeral); rejects if that write failed. */
  persisted(): Promise<void> {
    return this.#lastWrite;
  }

  /** Stops the state machine's timer and waits for the last write. */
  async close(): Promise<void> {
    this.#timer.stop();
    this.#listeners.clear();
    await this.#lastWrite;
  }

  #ipsInUse(): Set<string> {
    return new Set([...this.#records.values()].map((r) => r.instance.privateIp));
  }

  // Applies every state change that is due, then arms the timer for the next one. A change's deadline is
  // the base of the following one, so a restart after a long pause replays them as they would have run.
  #advance(): void {
    const now = Date.now();
    const events: InstanceEvent[] = [];
    let next = Infinity;
    for (const record of [...this.#records.values()]) {
      while (record.dueAt !== undefined && record.dueAt <= now) {
        const event = this.#step(record, record.dueAt);
        events.push(event);
        if (event.type === 'removed') break;
      }
      if (record.dueAt !== undefined) next = Math.min(next, record.dueAt);
    }
    if (events.length > 0) this.#changed(events);
    this.#timer.arm(next);
  }

  #step(record: InstanceRecord, at: number): InstanceEvent {
    const { instance } = record;
    switch (instance.state) {
      case 'pending':
        record.instance = { ...instance, state: 'running' };
        record.dueAt = undefined;
        return { type: 'modified', instance: record.instance };
      case 'shutting-down':
        record.instance = { ...instance, state: 'terminated' };
        record.dueAt = at + this.#retentionMs;
        return { type: 'modified', instance: record.instance };
      default:
        this.#records.delete(instance.id);
        this.#idByToken.delete(instance.clientToken);
        record.dueAt = undefined;
        return { type: 'removed', instance };
    }
  }

  #changed(events: readonly InstanceEvent[]): void {
    if (this.#file) {
      const changes = events.map((event): StoredChange => {
        const record = event.type === 'removed' ? undefined : this.#records.get(event.instance.id);
        // A record copy: the journal is written at the end of the turn, when the record may have moved on.
        return record ? { ipCursor: this.#ipCursor, record: { ...record } } : { ipCursor: this.#ipCursor, removed: event.instance.id };
      });
      const write = this.#file.append(changes, () => this.#snapshot());
      write.catch((err: unknown) => this.#log.error('Cannot persist instances', { path: this.#file?.path, err }));
      this.#lastWrite = write;
    }
    for (const event of events) {
      for (const listener of this.#listeners) {
        try {
          listener(event);
        } catch (err) {
          this.#log.error('Instance listener failed', { instance: event.instance.id, err });
        }
      }
    }
  }

  #snapshot(): StoredState {
    return { version: 1, ipCursor: this.#ipCursor, instances: [...this.#records.values()] };
  }

  #load(stored: StoredState): void {
    if (stored.version !== 1) throw new Error(`${this.#file?.path}: unsupported version ${String(stored.version)}`);
    this.#ipCursor = stored.ipCursor;
    for (const record of stored.instances) {
      this.#records.set(record.instance.id, { instance: record.instance, dueAt: record.dueAt });
      this.#idByToken.set(record.instance.clientToken, record.instance.id);
    }
  }

  #replay(change: StoredChange): void {
    this.#ipCursor = change.ipCursor;
    if ('removed' in change) {
      const record = this.#records.get(change.removed);
      this.#records.delete(change.removed);
      if (record) this.#idByToken.delete(record.instance.clientToken);
      return;
    }
    const { instance, dueAt } = change.record;
    this.#records.set(instance.id, { instance, dueAt });
    this.#idByToken.set(instance.clientToken, instance.id);
  }
}
