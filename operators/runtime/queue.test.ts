import assert from 'node:assert/strict';
import { backoffDelayMs, DEFAULT_ITEM_BACKOFF, TokenBucket } from './backoff.ts';
import { WorkQueue } from './queue.ts';
import { waitFor } from './wait.ts';

/** A promise with its resolve function, to hold a key "running" for as long as a test needs. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('WorkQueue', () => {
  let queues: WorkQueue[] = [];
  afterEach(async () => {
    await Promise.all(queues.map((q) => q.shutdown()));
    queues = [];
  });
  function makeQueue(process: (key: string) => Promise<void>, options: Partial<ConstructorParameters<typeof WorkQueue>[1]> = {}) {
    const q = new WorkQueue(process, { name: 'test', ...options });
    queues.push(q);
    return q;
  }

  it('runs a key added many times while it waits only once', async () => {
    const runs: string[] = [];
    const hold = gate();
    const q = makeQueue(async (key) => {
      runs.push(key);
      if (key === 'blocker') await hold.promise;
    });
    q.add('blocker'); // occupies the only worker, so "a" waits
    for (let i = 0; i < 50; i++) q.add('a');
    assert.equal(q.depth, 1);
    hold.open();
    await q.onIdle();
    assert.deepEqual(runs, ['blocker', 'a']);
  });

  it('never runs one key twice at once and runs it once more when added while running', async () => {
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const hold = gate();
    const q = makeQueue(
      async () => {
        runs++;
        running++;
        maxRunning = Math.max(maxRunning, running);
        if (runs === 1) await hold.promise;
        running--;
      },
      { concurrency: 4 },
    );
    q.add('a');
    await waitFor(() => q.processing === 1);
    for (let i = 0; i < 100; i++) q.add('a');
    assert.equal(q.depth, 0, 'a running key is not handed to a second worker');
    hold.open();
    await waitFor(() => runs === 2 && running === 0);
    await q.onIdle();
    assert.equal(runs, 2);
    assert.equal(maxRunning, 1);
  });

  it('processes different keys in parallel up to the configured concurrency', async () => {
    let running = 0;
    let maxRunning = 0;
    const hold = gate();
    const q = makeQueue(
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await hold.promise;
        running--;
      },
      { concurrency: 3 },
    );
    for (const key of ['a', 'b', 'c', 'd', 'e']) q.add(key);
    await waitFor(() => running === 3);
    assert.equal(q.depth, 2);
    hold.open();
    await q.onIdle();
    assert.equal(maxRunning, 3);
  });

  it('doubles the backoff of a failing key and resets it after forget', () => {
    const q = makeQueue(async () => {}, { random: () => 0, backoff: { baseMs: 5, maxMs: 40, jitter: 0.1 } });
    const delays = [1, 2, 3, 4, 5].map(() => q.addRateLimited('a'));
    assert.deepEqual(delays, [5, 10, 20, 40, 40]);
    assert.equal(q.numRequeues('a'), 5);
    assert.equal(q.addRateLimited('b'), 5, 'backoff is per key');
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    assert.equal(q.addRateLimited('a'), 5);
  });

  it('re-adds a rate-limited key once its backoff has passed', async () => {
    const seen: number[] = [];
    const q = makeQueue(async () => void seen.push(performance.now()), { random: () => 0 });
    const start = performance.now();
    q.addRateLimited('a'); // 5 ms
    await waitFor(() => seen.length === 1);
    assert.ok(seen[0]! - start >= 4, `ran after ${seen[0]! - start} ms`);
  });

  it('keeps the earliest deadline when a key is added after several delays', async () => {
    const runs: number[] = [];
    const start = performance.now();
    const q = makeQueue(async () => void runs.push(performance.now() - start));
    q.addAfter('a', 5000);
    q.addAfter('a', 30);
    q.addAfter('a', 2000);
    await waitFor(() => runs.length === 1);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(runs.length, 1, 'the later deadlines were dropped');
    assert.ok(runs[0]! >= 25 && runs[0]! < 1000, `ran after ${runs[0]} ms`);
  });

  it('treats a plain add as the earliest deadline and drops the pending delay', async () => {
    let runs = 0;
    const q = makeQueue(async () => void runs++);
    q.addAfter('a', 40);
    q.add('a');
    await waitFor(() => runs === 1);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(runs, 1);
  });

  it('adds nothing after a delay for a key already queued to run now, which run sees the same state', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const q = makeQueue(async () => {
      runs++;
      await gate;
    });
    q.add('a'); // running, held by the gate
    await waitFor(() => runs === 1);
    q.add('a'); // dirty: runs once more after this run
    q.addAfter('a', 20);
    release();
    await waitFor(() => runs === 2);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(runs, 2, 'the delayed add was covered by the run already due');
  });

  it('limits retries with the global token bucket but not fresh adds', () => {
    let now = 0;
    const q = makeQueue(async () => {}, { now: () => now, random: () => 0, rateLimit: { qps: 10, burst: 2 } });
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((k) => q.addRateLimited(k)),
      [5, 5, 100, 200],
      'two retries pass in the burst, then one per 100 ms',
    );
    now = 1000;
    assert.equal(q.addRateLimited('e'), 5, 'the bucket refills over time');
  });

  it('drops delayed keys and ignores adds after shutdown', async () => {
    let runs = 0;
    const q = makeQueue(async () => void runs++);
    q.addAfter('a', 20);
    await q.shutdown();
    q.add('b');
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(runs, 0);
  });

  it('retries with backoff a processor that throws', async () => {
    let runs = 0;
    const q = makeQueue(
      async () => {
        runs++;
        if (runs === 1) throw new Error('boom');
      },
      { random: () => 0 },
    );
    q.add('a');
    await waitFor(() => runs === 2);
    assert.equal(q.numRequeues('a'), 1);
  });
});

describe('backoffDelayMs', () => {
  it('follows client-go defaults from 5 ms to a 1000 s cap', () => {
    const table: Array<[failures: number, random: number, expected: number]> = [
      [0, 0, 5],
      [1, 0, 10],
      [10, 0, 5120],
      [0, 0.5, 5.25],
      [30, 0, 1_000_000],
      [30, 0.99, 1_000_000],
      [5000, 0, 1_000_000],
    ];
    for (const [failures, random, expected] of table) {
      assert.equal(backoffDelayMs(failures, DEFAULT_ITEM_BACKOFF, random), expected, `failures=${failures}`);
    }
  });
});

describe('TokenBucket', () => {
  it('hands out the burst at once and then spaces reservations at 1/qps', () => {
    const bucket = new TokenBucket({ qps: 2, burst: 3 });
    assert.deepEqual([0, 0, 0, 0, 0].map((t) => bucket.reserve(t)), [0, 0, 0, 500, 1000]);
    assert.equal(bucket.reserve(10_000), 0, 'refilled after a quiet period');
  });
});
