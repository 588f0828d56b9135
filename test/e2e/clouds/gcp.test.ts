// Machines on an emulated GCP, end to end on the dev cluster with the real kubectl: the Compute Engine wire fake holds
// the instances (its Operations, requestId idempotency and faults), the operator uses the real @google-cloud/compute
// client against it, and a hollow kubelet joins for each RUNNING instance, named after it.
import assert from 'node:assert/strict';
import { startGcpCloud, type GcpCloud } from './emulators.ts';
import { assertOneInstancePerMachine, deleteMachineSet, describeOperatorKilledMidCreate, runLifecycle, scale, startCloudCluster, waitForFleet, type CloudCluster } from './harness.ts';

describe('Machines on GCP (Compute Engine fake) end to end', function () {
  this.timeout(40_000);
  let cloud: GcpCloud;
  let cluster: CloudCluster;

  before(async () => {
    cloud = await startGcpCloud();
    cluster = await startCloudCluster(cloud);
  });
  after(async () => {
    await cluster?.stop();
    await cloud?.stop();
  });
  afterEach(() => cloud.clearFaults());

  it('turns a MachineSet into Running Machines on Nodes with their instances\' providerIDs, scales down the annotated one, and deletes everything', async () => {
    await runLifecycle(cluster, 'lifecycle', 3);
  });

  it('converges to exactly N instances through rate limits, 500s, an exhausted zone and slow responses during a scale-up', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cloud.machineSet('faults', 0)) });
    const { fake } = cloud;
    fake.resetCounts();
    fake.latencyMs = 100;
    fake.failNext('instances.insert', 'rateLimitExceeded', 2);
    fake.failNext('instances.insert', 'backendError', 1);
    fake.failNext('instances.list', 'unavailable', 1);
    // Capacity: the insert is accepted, and its Operation ends DONE with ZONE_RESOURCE_POOL_EXHAUSTED.
    fake.failNextOperation('instances.insert', 'ZONE_RESOURCE_POOL_EXHAUSTED', 1);
    await scale(cluster, 'faults', 3);

    const fleet = await waitForFleet(cluster, 'faults', 3);
    assertOneInstancePerMachine(fleet);
    // 3 refused, 1 accepted and failed, 3 that made the instances.
    assert.ok(fake.count('instances.insert') >= 7, `instances.insert calls: ${fake.count('instances.insert')}`);
    await deleteMachineSet(cluster, 'faults', fleet);
  });
});

// The fake counts instances.insert as it makes the instance, after its latency; the operator is killed before the
// answer (and the Operation waits that follow, each 400 ms late) lets it record anything.
describeOperatorKilledMidCreate('GCP (Compute Engine fake)', startGcpCloud, ({ fake }) => ({
  name: 'instances.insert',
  count: () => fake.count('instances.insert'),
  resetCounts: () => fake.resetCounts(),
  setLatencyMs: (ms) => void (fake.latencyMs = ms),
}));
