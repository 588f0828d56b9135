import assert from 'node:assert/strict';
import type { Filter, Instance } from '@aws-sdk/client-ec2';
import { InstanceCache, MACHINE_UID_TAG } from './instance-cache.ts';

const CLUSTER = 'c1';

function instance(id: string, uid: string, state: string, launched = 0): Instance {
  return { InstanceId: id, State: { Name: state as 'running' }, LaunchTime: new Date(launched), Tags: [{ Key: MACHINE_UID_TAG, Value: uid }] };
}

/** A fake DescribeInstances over `world`, recording each call's filters. */
function fakeEc2(world: Instance[]) {
  const calls: Filter[][] = [];
  const describe = async (filters: Filter[]) => {
    calls.push(filters);
    const [f] = filters;
    if (f.Name === 'instance-id') return world.filter((i) => f.Values!.includes(i.InstanceId!));
    return world.filter((i) => !i.InstanceId!.startsWith('i-untagged'));
  };
  return { calls, describe };
}

describe('InstanceCache', function () {
  let clock = 0;
  const signal = () => AbortSignal.timeout(5_000);
  beforeEach(() => (clock = 1_000_000));

  it('prefers a live instance over a terminated one for the same Machine', async function () {
    const { describe } = fakeEc2([instance('i-old', 'u1', 'terminated', 2), instance('i-new', 'u1', 'running', 1)]);
    const cache = new InstanceCache(describe, { batchWindowMs: 1, now: () => clock });
    assert.equal((await cache.lookup({ clusterID: CLUSTER, uid: 'u1' }, signal()))?.InstanceId, 'i-new');
  });

  it('looks up recorded IDs missing from the cluster listing in the same flush, with one instance-id call', async function () {
    const { calls, describe } = fakeEc2([instance('i-untagged-1', 'u1', 'running'), instance('i-untagged-2', 'u2', 'running'), instance('i-3', 'u3', 'running')]);
    const cache = new InstanceCache(describe, { batchWindowMs: 1, now: () => clock });
    const found = await Promise.all([
      cache.lookup({ clusterID: CLUSTER, uid: 'u1', instanceId: 'i-untagged-1' }, signal()),
      cache.lookup({ clusterID: CLUSTER, uid: 'u2', instanceId: 'i-untagged-2' }, signal()),
      cache.lookup({ clusterID: CLUSTER, uid: 'u3' }, signal()),
    ]);
    assert.deepEqual(found.map((i) => i?.InstanceId), ['i-untagged-1', 'i-untagged-2', 'i-3']);
    assert.deepEqual(calls, [
      [{ Name: 'tag-key', Values: ['kubernetes.io/cluster/c1'] }],
      [{ Name: 'instance-id', Values: ['i-untagged-1', 'i-untagged-2'] }],
    ]);
  });

  it('keeps answering for an instance it launched while DescribeInstances does not show it yet', async function () {
    const { describe } = fakeEc2([]);
    const cache = new InstanceCache(describe, { batchWindowMs: 1, freshnessMs: 10, launchGraceMs: 60_000, now: () => clock });
    cache.remember('u1', instance('i-1', 'u1', 'pending'), { launched: true });
    clock += 1_000;
    assert.equal((await cache.lookup({ clusterID: CLUSTER, uid: 'u1' }, signal(), { fresh: true }))?.InstanceId, 'i-1');
    clock += 60_000;
    assert.equal(await cache.lookup({ clusterID: CLUSTER, uid: 'u1' }, signal(), { fresh: true }), undefined);
  });

  it('hands a failed describe to every waiting caller', async function () {
    const cache = new InstanceCache(async () => { throw new Error('throttled'); }, { batchWindowMs: 1, now: () => clock });
    const results = await Promise.allSettled([cache.lookup({ clusterID: CLUSTER, uid: 'a' }, signal()), cache.lookup({ clusterID: CLUSTER, uid: 'b' }, signal())]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  });
});
