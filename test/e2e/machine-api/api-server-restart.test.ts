// The API server restarted under a running operator in the middle of a scale-up (same port, same data dir; the
// local cloud, hollow nodes and operator keep running), the second time with its watch history compacted away
// at once: every watch breaks, the caches get 410 Gone for their resourceVersions and relist, and the scale-up
// still ends with exactly N Machines and instances.
import assert from 'node:assert/strict';
import { waitFor } from '../../../operators/runtime/wait.ts';
import {
  apply,
  assertOneInstancePerMachine,
  live,
  instancesOf,
  machineSetManifest,
  machinesOf,
  NS,
  startInProcessCluster,
  waitForFleet,
  type InProcessCluster,
} from './harness.ts';

const RELIST = 'Relisting: resourceVersion expired';

describe('Machine API end to end: API server restarts during a scale-up', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;

  before(async () => {
    cluster = await startInProcessCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  const relists = () => cluster.logs().filter((l) => l.msg === RELIST && String(l.logger).startsWith('machine-api-operator')).length;

  it('completes the scale-up with exactly N Machines after two restarts and a history compaction', async () => {
    await apply(cluster, machineSetManifest('steady', { replicas: 1, providerSpec: { bootDelaySeconds: 2 } }));
    await waitForFleet(cluster, 'steady', 1);
    const relistsBefore = relists();

    await cluster.kubectl(['scale', 'machineset', 'steady', '-n', NS, '--replicas=4']);
    await waitFor(async () => (await machinesOf(cluster, 'steady')).length > 1, { timeoutMs: 5_000, intervalMs: 20, message: 'the scale-up to begin' });
    await cluster.restartApiServer();

    // Midway, with instances booting: again, and this time no watch can resume where it was.
    await waitFor(async () => live(await instancesOf(cluster, 'steady')).length >= 3, { timeoutMs: 10_000, intervalMs: 50, message: 'more instances' });
    assert.ok(live(await instancesOf(cluster, 'steady')).some((i) => i.state === 'pending'), 'the scale-up is still in flight');
    await cluster.restartApiServer();
    await cluster.kubectl(['annotate', 'machineset', 'steady', '-n', NS, 'e2e/restarted=twice']);
    cluster.api.compactHistory();

    const fleet = await waitForFleet(cluster, 'steady', 4);
    await assertOneInstancePerMachine(cluster, 'steady', fleet);
    assert.ok(relists() > relistsBefore, 'the operator caches relisted after 410 Gone');

    // The caches are live again: a scale-down after the restarts is seen and done.
    await cluster.kubectl(['scale', 'machineset', 'steady', '-n', NS, '--replicas=2']);
    await waitForFleet(cluster, 'steady', 2);
  });
});
