import assert from 'node:assert/strict';
import type { Instance } from './client.ts';
import { InstanceCache, type InstanceRef } from './instance-cache.ts';

const CLUSTER = 'c1';
const OWNED = { 'kubernetes-io-cluster-c1': 'owned' };

function ref(name: string, uid: string, recorded = false): InstanceRef {
  return { project: 'p', zone: 'z', clusterID: CLUSTER, uid, name, recorded };
}

function instance(name: string, labels: Record<string, string>, status = 'RUNNING'): Instance {
  return { name, status, labels };
}

/** A fake Compute over `world`: list returns the owned-labelled instances, get any; both record their calls. */
function fakeCompute(world: Instance[]) {
  const calls: string[] = [];
  const list = async (_p: string, _z: string, filter: string) => {
    calls.push(`list ${filter}`);
    return world.filter((i) => i.labels?.['kubernetes-io-cluster-c1'] === 'owned');
  };
  const get = async (_p: string, _z: string, name: string) => {
    calls.push(`get ${name}`);
    return world.find((i) => i.name === name);
  };
  return { calls, list, get };
}

describe('GCP InstanceCache', function () {
  let clock = 0;
  const signal = () => AbortSignal.timeout(5_000);
  beforeEach(() => (clock = 1_000_000));

  it('answers concurrent lookups of a zone with one filtered list', async function () {
    const { calls, list, get } = fakeCompute([instance('w-1', { ...OWNED, 'machine-uid': 'u1' }), instance('w-2', { ...OWNED, 'machine-uid': 'u2' })]);
    const cache = new InstanceCache(list, get, { batchWindowMs: 1, now: () => clock });
    const found = await Promise.all([cache.lookup(ref('w-1', 'u1'), signal()), cache.lookup(ref('w-2', 'u2'), signal()), cache.lookup(ref('w-3', 'u3'), signal())]);
    assert.deepEqual(found.map((i) => i?.name), ['w-1', 'w-2', undefined]);
    assert.deepEqual(calls, ['list labels.kubernetes-io-cluster-c1 = "owned"']);
    // Within the freshness window the listing answers again without a call.
    assert.equal((await cache.lookup(ref('w-1', 'u1'), signal()))?.name, 'w-1');
    assert.equal(calls.length, 1);
  });

  it("ignores a same-named instance of another Machine and adopts one without a machine-uid label (MAO's)", async function () {
    const { list, get } = fakeCompute([instance('w-1', { ...OWNED, 'machine-uid': 'old' }), instance('w-mao', OWNED)]);
    const cache = new InstanceCache(list, get, { batchWindowMs: 1, now: () => clock });
    assert.equal(await cache.lookup(ref('w-1', 'new'), signal()), undefined);
    assert.equal((await cache.lookup(ref('w-mao', 'u9'), signal()))?.name, 'w-mao');
  });

  it('gets a recorded instance the listing lacks by name, in the same flush', async function () {
    const { calls, list, get } = fakeCompute([instance('w-unlabelled', { 'machine-uid': 'u1' })]);
    const cache = new InstanceCache(list, get, { batchWindowMs: 1, now: () => clock });
    const [recordedOne, neverMade] = await Promise.all([cache.lookup(ref('w-unlabelled', 'u1', true), signal()), cache.lookup(ref('w-new', 'u2'), signal())]);
    assert.equal(recordedOne?.name, 'w-unlabelled');
    assert.equal(neverMade, undefined);
    assert.deepEqual(calls, ['list labels.kubernetes-io-cluster-c1 = "owned"', 'get w-unlabelled']);
  });

  it('lays what an insert or delete answered over an older listing, and a fresh lookup reads again', async function () {
    const world = [instance('w-1', { ...OWNED, 'machine-uid': 'u1' })];
    const { calls, list, get } = fakeCompute(world);
    const cache = new InstanceCache(list, get, { batchWindowMs: 1, now: () => clock });
    assert.ok(await cache.lookup(ref('w-1', 'u1'), signal()));
    clock += 1;
    cache.remember(ref('w-1', 'u1'), undefined);
    assert.equal(await cache.lookup(ref('w-1', 'u1'), signal()), undefined);
    assert.ok(await cache.lookup(ref('w-1', 'u1'), signal(), { fresh: true }));
    assert.equal(calls.length, 2);
  });

  it('hands a failed list to every waiting caller', async function () {
    const cache = new InstanceCache(async () => { throw new Error('throttled'); }, async () => undefined, { batchWindowMs: 1, now: () => clock });
    const results = await Promise.allSettled([cache.lookup(ref('a', 'a'), signal()), cache.lookup(ref('b', 'b'), signal())]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  });
});
