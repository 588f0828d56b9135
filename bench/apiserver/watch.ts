// Watch fan-out: W watchers on the ConfigMaps of one namespace while one writer creates M objects and then
// updates each once. Delivery rate = all events received by all watchers / time from the first write to the
// last event received by the last watcher. Latency = receipt time − the writer's receipt of the response to
// that write (0 when the event overtook the response).
import { performance } from 'node:perf_hooks';
import { BenchClient, type Endpoint } from '../http-client.ts';
import { summarize, type LatencySummary } from '../stats.ts';
import { configMapBody, configMapPath } from './configmaps.ts';

export interface WatchRun {
  readonly watchers: number;
  readonly writes: number;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly writesPerSecond: number;
  readonly latencyMs: LatencySummary;
}

const RV_FIELD = '"resourceVersion":"';
const TIMEOUT_MS = 120_000;

/** The resourceVersion of a watch event line, found without parsing it: the load generator must stay cheap. */
function eventResourceVersion(line: string): string {
  const at = line.indexOf(RV_FIELD);
  if (at < 0) throw new Error(`watch event without resourceVersion: ${line.slice(0, 200)}`);
  const start = at + RV_FIELD.length;
  return line.slice(start, line.indexOf('"', start));
}

export async function measureWatchDelivery(endpoint: Endpoint, namespace: string, watchers: number, objects: number): Promise<WatchRun> {
  const writer = new BenchClient(endpoint);
  const streams = new BenchClient(endpoint, watchers);
  const expectedPerWatcher = objects * 2;
  const ackAt = new Map<string, number>();
  const received: Array<[rv: string, at: number]> = [];
  let lastReceipt = 0;
  try {
    const list = JSON.parse(await writer.expect(200, 'GET', configMapPath(namespace))) as { metadata: { resourceVersion: string } };
    let finished = 0;
    let fail: (err: Error) => void = () => {};
    let succeed: () => void = () => {};
    const allDelivered = new Promise<void>((resolve, reject) => {
      succeed = resolve;
      fail = reject;
    });
    const timer = setTimeout(() => fail(new Error(`watch: not every event arrived within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);
    // Every watch starts from the list's resourceVersion, so none can miss an event however late it registers.
    const path = `${configMapPath(namespace)}?watch=true&resourceVersion=${list.metadata.resourceVersion}`;
    const responses = await Promise.all(Array.from({ length: watchers }, () => streams.open('GET', path)));
    for (const res of responses) {
      if (res.statusCode !== 200) throw new Error(`watch: status ${res.statusCode}`);
      res.setEncoding('utf8');
      let pending = '';
      let count = 0;
      res.on('data', (chunk: string) => {
        const now = performance.now();
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          received.push([eventResourceVersion(pending.slice(0, newline)), now]);
          pending = pending.slice(newline + 1);
          if (++count === expectedPerWatcher) {
            lastReceipt = now;
            if (++finished === watchers) succeed();
          }
        }
      });
      res.on('error', (err) => fail(err));
    }

    const started = performance.now();
    const write = async (method: string, name: string, body: string, headers?: Record<string, string>): Promise<void> => {
      const text = await writer.expect(method === 'POST' ? 201 : 200, method, method === 'POST' ? configMapPath(namespace) : configMapPath(namespace, name), body, headers);
      ackAt.set(eventResourceVersion(text), performance.now());
    };
    for (let i = 0; i < objects; i++) await write('POST', `watched-${i}`, configMapBody(`watched-${i}`));
    const patch = { 'Content-Type': 'application/merge-patch+json' };
    for (let i = 0; i < objects; i++) await write('PATCH', `watched-${i}`, JSON.stringify({ data: { 'feature-flags': 'alpha=true,beta=true,gamma=false' } }), patch);
    const writesDone = performance.now();
    await allDelivered;
    clearTimeout(timer);
    for (const res of responses) res.destroy();

    const latencies = received.map(([rv, at]) => {
      const acked = ackAt.get(rv);
      if (acked === undefined) throw new Error(`watch: event at resourceVersion ${rv} matches no write`);
      return Math.max(0, at - acked);
    });
    const seconds = (lastReceipt - started) / 1000;
    return {
      watchers,
      writes: objects * 2,
      events: received.length,
      seconds,
      eventsPerSecond: received.length / seconds,
      writesPerSecond: (objects * 2) / ((writesDone - started) / 1000),
      latencyMs: summarize(latencies),
    };
  } finally {
    writer.close();
    streams.close();
  }
}
