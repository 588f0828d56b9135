import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startUpdateGraphServer, type UpdateGraphServer } from '../../../devcluster/update-graph/server.ts';
import { makeTempDir, writeGraphDir } from '../../../devcluster/update-graph/test-fixtures.ts';
import type { AvailableUpdates, UpdateGraphClient } from '../contracts.ts';
import { createUpdateGraphClient, type UpdateQuery } from './client.ts';
import { UpdateRetrievalError } from './errors.ts';
import { MINIMUM_UPDATE_CHECK_INTERVAL_MS, UPDATES_CACHE_TTL_MS, UpdatePoller, type Timers, type UpdatesState } from './poller.ts';

class FakeTimers implements Timers {
  pending: { id: number; callback: () => void; ms: number }[] = [];
  #next = 1;
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++;
    this.pending.push({ id, callback, ms });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((t) => t.id !== handle);
  }
  /** Runs the single pending timer. */
  fire(): void {
    assert.equal(this.pending.length, 1, 'expected exactly one pending timer');
    const [timer] = this.pending;
    this.pending = [];
    timer.callback();
  }
}

type Answer = AvailableUpdates | Error | Promise<AvailableUpdates>;

/** A client answering from a script, recording the queries it saw. */
function scriptedClient(answers: Answer[]): UpdateGraphClient & { calls: UpdateQuery[] } {
  const calls: UpdateQuery[] = [];
  return {
    calls,
    async fetch(input) {
      calls.push(input as UpdateQuery);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('unexpected fetch');
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const release = (version: string) => ({ version, image: `img:${version}` });
const answer = (...versions: string[]): AvailableUpdates => ({ updates: versions.map(release), conditionalUpdates: [] });
const remoteFailed = () => new UpdateRetrievalError('RemoteFailed', 'GET http://u/graph: fetch failed: connect ECONNREFUSED');
const QUERY: UpdateQuery = { upstream: 'http://u/graph', channel: 'stable-4.16', arch: 'amd64', version: '4.16.0' };

function setup(answers: Answer[], options: { start?: Date } = {}) {
  const timers = new FakeTimers();
  let now = options.start ?? new Date('2024-01-01T00:00:00Z');
  const changes: UpdatesState[] = [];
  const client = scriptedClient(answers);
  const poller = new UpdatePoller({
    client,
    timers,
    now: () => now,
    random: () => 0.5,
    onChange: (s) => changes.push(s),
  });
  return { poller, client, timers, changes, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('UpdatePoller', () => {
  it('fetches at once on start, then again after the jittered 2-4 minute interval', async () => {
    const { poller, client, timers } = setup([answer('4.16.1'), answer('4.16.1', '4.16.2')]);
    poller.setQuery(QUERY);
    poller.start();
    await poller.refresh(); // joins the fetch start() began
    assert.equal(client.calls.length, 1);
    assert.deepEqual(timers.pending.map((t) => t.ms), [MINIMUM_UPDATE_CHECK_INTERVAL_MS * 1.5]);
    timers.fire();
    await poller.refresh();
    assert.equal(client.calls.length, 2);
    assert.deepEqual(poller.current().updates.map((u) => u.version), ['4.16.2', '4.16.1']);
    assert.deepEqual(poller.current().retrievedUpdates, { type: 'RetrievedUpdates', status: 'True' });
    poller.stop();
    assert.deepEqual(timers.pending, []);
  });

  it('refetches at once when the channel or version changes, but not for an equal query', async () => {
    const { poller, client, timers } = setup([answer('4.16.1'), answer('4.17.0'), answer('4.17.1')]);
    poller.setQuery(QUERY);
    poller.start();
    await poller.refresh();
    poller.setQuery({ ...QUERY });
    assert.equal(client.calls.length, 1);
    poller.setQuery({ ...QUERY, channel: 'stable-4.17' });
    await poller.refresh();
    assert.equal(client.calls[1].channel, 'stable-4.17');
    poller.setQuery({ ...QUERY, channel: 'stable-4.17', version: '4.17.0' });
    await poller.refresh();
    assert.equal(client.calls[2].version, '4.17.0');
    assert.deepEqual(poller.current().updates.map((u) => u.version), ['4.17.1']);
    assert.equal(timers.pending.length, 1, 'one timer, not one per change');
    poller.stop();
  });

  it('keeps the last good answer through a transient failure, with RetrievedUpdates False', async () => {
    const { poller, advance } = setup([answer('4.16.1'), remoteFailed()]);
    poller.setQuery(QUERY);
    const good = await poller.refresh();
    advance(180_000);
    const state = await poller.refresh();
    assert.deepEqual(state.updates.map((u) => u.version), ['4.16.1']);
    assert.deepEqual(state.retrievedUpdates, {
      type: 'RetrievedUpdates',
      status: 'False',
      reason: 'RemoteFailed',
      message: 'Unable to retrieve available updates: GET http://u/graph: fetch failed: connect ECONNREFUSED',
    });
    assert.equal(state.lastSuccess, good.lastSuccess);
    assert.equal(state.lastAttempt?.getTime(), good.lastSuccess!.getTime() + 180_000);
  });

  it('drops the last good answer once it is older than 24 hours', async () => {
    const { poller, advance } = setup([answer('4.16.1'), remoteFailed(), remoteFailed()]);
    poller.setQuery(QUERY);
    await poller.refresh();
    advance(UPDATES_CACHE_TTL_MS - 1);
    assert.equal((await poller.refresh()).updates.length, 1);
    advance(1);
    assert.equal((await poller.refresh()).updates.length, 0);
  });

  it('drops the last good answer on VersionNotFound, which is a verdict rather than an outage', async () => {
    const { poller } = setup([answer('4.16.1'), new UpdateRetrievalError('VersionNotFound', 'not found')]);
    poller.setQuery(QUERY);
    await poller.refresh();
    const state = await poller.refresh();
    assert.deepEqual(state.updates, []);
    assert.equal(state.retrievedUpdates.reason, 'VersionNotFound');
  });

  it('does not carry an answer over to another query when the new one fails', async () => {
    const { poller } = setup([answer('4.16.1'), remoteFailed()]);
    poller.setQuery(QUERY);
    await poller.refresh();
    poller.setQuery({ ...QUERY, upstream: 'http://other/graph' });
    assert.deepEqual((await poller.refresh()).updates, []);
  });

  it('reports a non-retrieval error as reason Unknown', async () => {
    const { poller } = setup([new TypeError('boom')]);
    poller.setQuery(QUERY);
    assert.deepEqual((await poller.refresh()).retrievedUpdates, {
      type: 'RetrievedUpdates',
      status: 'False',
      reason: 'Unknown',
      message: 'Unable to retrieve available updates: boom',
    });
  });

  it('calls onChange only when what status shows changes', async () => {
    const { poller, changes } = setup([answer('4.16.1'), answer('4.16.1'), answer('4.16.1', '4.16.2')]);
    poller.setQuery(QUERY);
    await poller.refresh();
    await poller.refresh();
    await poller.refresh();
    assert.deepEqual(changes.map((s) => s.updates.length), [1, 2]);
  });

  it('evaluates conditional updates: an Always risk is not recommended and stays out of updates', async () => {
    const { poller } = setup([
      {
        updates: [release('4.16.1')],
        conditionalUpdates: [{ release: release('4.16.2'), risks: [{ name: 'R', message: 'm', url: 'https://e.invalid/R', matchingRules: [{ type: 'Always' }] }] }],
      },
    ]);
    poller.setQuery(QUERY);
    const state = await poller.refresh();
    assert.deepEqual(state.updates.map((u) => u.version), ['4.16.1']);
    assert.deepEqual(state.conditionalUpdates[0].conditions, [{ type: 'Recommended', status: 'False', reason: 'R', message: 'm https://e.invalid/R' }]);
  });

  it('drops the answer of a fetch superseded by a query change', async () => {
    let resolveSlow!: (a: AvailableUpdates) => void;
    const slow = new Promise<AvailableUpdates>((resolve) => (resolveSlow = resolve));
    const { poller } = setup([slow, answer('4.17.0')]);
    poller.setQuery(QUERY);
    poller.start();
    poller.setQuery({ ...QUERY, channel: 'stable-4.17' });
    const state = await poller.refresh();
    resolveSlow(answer('4.16.1'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(state.updates.map((u) => u.version), ['4.17.0']);
    assert.deepEqual(poller.current().updates.map((u) => u.version), ['4.17.0']);
    poller.stop();
  });

  it('refuses an interval that would poll in a hot loop', () => {
    assert.throws(() => new UpdatePoller({ client: scriptedClient([]), minIntervalMs: 10 }), /minIntervalMs 10 is below 1000 ms/);
  });
});

describe('UpdatePoller with the bundled server', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: UpdateGraphServer;

  before(async () => {
    tmp = await makeTempDir();
    await writeGraphDir(tmp.dir, {
      releases: [{ version: '4.16.0' }, { version: '4.16.1', previous: ['4.16.0'] }],
      channels: { 'stable-4.16': ['4.16.0', '4.16.1'] },
    });
    server = await startUpdateGraphServer({ dir: tmp.dir });
  });

  after(() => tmp.remove());

  it('keeps the last good answer after the server goes down, and says RemoteFailed', async () => {
    const poller = new UpdatePoller({ client: createUpdateGraphClient(), timers: new FakeTimers() });
    poller.setQuery({ upstream: server.url, channel: 'stable-4.16', arch: 'amd64', version: '4.16.0' });
    const good = await poller.refresh();
    assert.deepEqual(good.updates.map((u) => u.version), ['4.16.1']);
    await server.stop();
    const state = await poller.refresh();
    assert.deepEqual(state.updates, good.updates);
    assert.equal(state.retrievedUpdates.status, 'False');
    assert.equal(state.retrievedUpdates.reason, 'RemoteFailed');
    assert.match(state.retrievedUpdates.message!, /^Unable to retrieve available updates: GET http:\/\/127\.0\.0\.1:\d+\/api\/upgrades_info\/v1\/graph\?.*ECONNREFUSED/);
    assert.equal(state.lastSuccess, good.lastSuccess);
  });
});
