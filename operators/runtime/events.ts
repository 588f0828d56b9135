// Kubernetes Events on the objects a controller acts on, as core/v1 Events (what `kubectl describe`
// shows; the embedded server and kube-apiserver serve events.k8s.io/v1 as a view of the same objects).
// Aggregated like client-go's EventCorrelator (tools/record/events_cache.go): repeats of one
// (object, type, reason) update a single Event's count, lastTimestamp and message instead of creating
// new ones, and a per-object token bucket (client-go's spam filter: burst 25, one more per 5 minutes)
// keeps a hot loop from flooding the API server. Suppressed repeats still count, and the next allowed
// write carries the total. Recording never throws: an Event is best effort.
import type { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { TokenBucket, type TokenBucketOptions } from './backoff.ts';
import { errorMessage, isNotFound } from './errors.ts';
import { discardLogger, type Logger } from './log.ts';
import { kubeResourceClient, type ResourceWriter, type ResourceRef } from './resource-client.ts';
import { formatTime } from './time.ts';
import type { KubeObject } from './watcher.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventInput {
  readonly type: EventType;
  /** PascalCase, machine-readable: "Created", "FailedCreate". */
  readonly reason: string;
  /** Human-readable, at most MAX_NOTE_LENGTH characters (longer notes are cut). */
  readonly note: string;
  /** What the controller did or tried: "Create", "Delete", "Drain". */
  readonly action: string;
  /**
   * What the Event is about beyond the object, e.g. the release an update targets. Repeats aggregate per
   * (object, type, reason, series), so Events about different subjects stay apart, as client-go keeps Events
   * with different messages apart. Default: one series per reason.
   */
  readonly series?: string;
}

/** events.k8s.io/v1's limit on `note`, in characters. */
export const MAX_NOTE_LENGTH = 1024;
/** client-go's spam filter: 25 Events per object at once, then one per 5 minutes. */
export const DEFAULT_EVENT_RATE_LIMIT: TokenBucketOptions = { qps: 1 / 300, burst: 25 };
/** Aggregation entries kept (client-go's maxLruCacheEntries); the oldest is forgotten first. */
export const MAX_EVENT_ENTRIES = 4096;

const EVENTS: ResourceRef = { group: '', version: 'v1', plural: 'events' };

export interface RecorderOptions {
  /** reportingComponent and source.component, e.g. "machineset-controller". */
  readonly component: string;
  /** reportingInstance and source.host. Default: the hostname. */
  readonly instance?: string;
  readonly rateLimit?: TokenBucketOptions;
  readonly logger?: Logger;
  readonly now?: () => Date;
}

interface Series {
  /** Name of the Event on the server; undefined until created. */
  name: string | undefined;
  count: number;
  firstTimestamp: string;
  /** Writes for this series run one after another, so a patch never overtakes the create. */
  tail: Promise<void>;
}

export class Recorder {
  readonly #client: ResourceWriter;
  readonly #options: RecorderOptions;
  readonly #log: Logger;
  readonly #now: () => Date;
  readonly #series = new Map<string, Series>();
  readonly #buckets = new Map<string, TokenBucket>();
  #sequence = 0;

  constructor(client: ResourceWriter, options: RecorderOptions) {
    this.#client = client;
    this.#options = options;
    this.#log = (options.logger ?? discardLogger).child('events');
    this.#now = options.now ?? (() => new Date());
  }

  /** Records an Event about `obj` (which needs apiVersion, kind and metadata.name). */
  record(obj: KubeObject, input: EventInput): void {
    const metadata = obj.metadata ?? {};
    const objectId = metadata.uid ?? `${obj.apiVersion}/${obj.kind}/${metadata.namespace ?? ''}/${metadata.name}`;
    const key = `${objectId}|${input.type}|${input.reason}|${input.series ?? ''}`;
    const now = this.#now();
    let series = this.#series.get(key);
    if (series) this.#series.delete(key); // re-inserted below: Map order is the LRU order
    series ??= { name: undefined, count: 0, firstTimestamp: formatTime(now), tail: Promise.resolve() };
    series.count++;
    this.#series.set(key, series);
    this.#evictOldest(this.#series);

    if (!this.#bucketFor(objectId).tryTake(now.getTime())) {
      this.#log.debug('Event suppressed by rate limit', { reason: input.reason, count: series.count });
      return;
    }
    const write = this.#write(series, obj, input, now);
    series.tail = series.tail.then(write, write);
  }

  /** Resolves once every write started so far has finished (for tests and shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.#series.values()].map((s) => s.tail));
  }

  #write(series: Series, obj: KubeObject, input: EventInput, now: Date): () => Promise<void> {
    const metadata = obj.metadata ?? {};
    const namespace = metadata.namespace || 'default';
    const message = input.note.length > MAX_NOTE_LENGTH ? input.note.slice(0, MAX_NOTE_LENGTH - 3) + '...' : input.note;
    return async () => {
      const count = series.count; // read at send time: includes repeats suppressed meanwhile
      const lastTimestamp = formatTime(now);
      try {
        if (series.name !== undefined) {
          try {
            await this.#client.patch(EVENTS, namespace, series.name, 'application/merge-patch+json', { count, lastTimestamp, message });
            return;
          } catch (err) {
            if (!isNotFound(err)) throw err;
            // The Event expired on the server (its TTL is an hour): start the series again.
          }
        }
        // client-go names Events "<object>.<UnixNano in hex>"; the sequence keeps two series created in
        // the same millisecond apart.
        const name = `${metadata.name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(this.#sequence++ % 1_000_000)).toString(16)}`;
        const instance = this.#options.instance ?? hostname();
        await this.#client.create(EVENTS, namespace, {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: metadata.name,
            namespace: metadata.namespace,
            uid: metadata.uid,
            resourceVersion: metadata.resourceVersion,
          },
          type: input.type,
          reason: input.reason,
          action: input.action,
          message,
          count,
          firstTimestamp: series.firstTimestamp,
          lastTimestamp,
          source: { component: this.#options.component, host: instance },
          reportingComponent: this.#options.component,
          reportingInstance: instance,
        });
        series.name = name;
      } catch (err) {
        this.#log.warn('Failed to write Event', { reason: input.reason, error: errorMessage(err) });
      }
    };
  }

  #bucketFor(objectId: string): TokenBucket {
    let bucket = this.#buckets.get(objectId);
    if (bucket) this.#buckets.delete(objectId);
    bucket ??= new TokenBucket(this.#options.rateLimit ?? DEFAULT_EVENT_RATE_LIMIT);
    this.#buckets.set(objectId, bucket);
    this.#evictOldest(this.#buckets);
    return bucket;
  }

  #evictOldest(map: Map<string, unknown>): void {
    if (map.size > MAX_EVENT_ENTRIES) map.delete(map.keys().next().value!);
  }
}

/** A Recorder writing core/v1 Events with the KubeConfig's credentials. */
export function createRecorder(kc: KubeConfig, options: RecorderOptions): Recorder {
  return new Recorder(kubeResourceClient(kc), options);
}
