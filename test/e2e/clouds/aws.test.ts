// Machines on an emulated AWS, end to end on the dev cluster with the real kubectl: moto_server holds the EC2
// instances, the operator talks to it through the EC2 fault proxy (ClientToken idempotency, faults, call counts),
// and a hollow kubelet joins for each running instance, named by its private DNS name as on OpenShift.
import assert from 'node:assert/strict';
import { startAwsCloud, type AwsCloud } from './emulators.ts';
import {
  assertOneInstancePerMachine, deleteMachineSet, describeOperatorKilledMidCreate, runLifecycle, scale, startCloudCluster, waitForFleet, type CloudCluster,
} from './harness.ts';

describe('Machines on AWS (moto) end to end, operator in process', function () {
  this.timeout(40_000);
  let cloud: AwsCloud;
  let cluster: CloudCluster;

  before(async () => {
    cloud = await startAwsCloud();
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

  it('converges to exactly N instances through throttling, 500s, capacity errors and slow responses during a scale-up', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cloud.machineSet('faults', 0)) });
    const { proxy } = cloud;
    proxy.resetCounts();
    proxy.latencyMs = 150;
    proxy.failNext('RunInstances', 'RequestLimitExceeded', 2);
    proxy.failNext('RunInstances', 'InsufficientInstanceCapacity', 2);
    proxy.failNext('RunInstances', 'InternalError', 1);
    proxy.failNext('DescribeInstances', 'Unavailable', 2);
    await scale(cluster, 'faults', 3);

    const fleet = await waitForFleet(cluster, 'faults', 3);
    assertOneInstancePerMachine(fleet);
    // Every planned fault was answered: 3 instances took 3 RunInstances that reached moto, after the 5 refused.
    assert.ok(proxy.count('RunInstances') >= 8, `RunInstances calls: ${proxy.count('RunInstances')}`);
    await deleteMachineSet(cluster, 'faults', fleet);
  });
});

// The proxy counts RunInstances when it takes the call, and hands it to moto 400 ms later: the kill lands while
// the call is in the proxy's hands.
describeOperatorKilledMidCreate('AWS (moto)', startAwsCloud, ({ proxy }) => ({
  name: 'RunInstances',
  count: () => proxy.count('RunInstances'),
  resetCounts: () => proxy.resetCounts(),
  setLatencyMs: (ms) => void (proxy.latencyMs = ms),
}));
