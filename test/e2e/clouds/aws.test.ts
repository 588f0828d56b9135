// Machines on an emulated AWS, end to end on the dev cluster with the real kubectl: moto_server holds the EC2
// instances, the operator talks to it through the EC2 fault proxy (ClientToken idempotency, faults, call counts),
// and a hollow kubelet joins for each running instance, named by its private DNS name as on OpenShift.
import assert from 'node:assert/strict';
import { waitFor } from '../../../operators/runtime/wait.ts';
import type { OperatorProcess } from '../../support/operator-process.ts';
import { startAwsCloud, type AwsCloud } from './emulators.ts';
import {
  assertOneInstancePerMachine, deleteMachineSet, NS, runLifecycle, scale, spawnCloudOperator, startCloudCluster, waitForFleet, type CloudCluster,
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

describe('Machines on AWS (moto) end to end, operator killed with SIGKILL mid-create', function () {
  this.timeout(40_000);
  let cloud: AwsCloud;
  let cluster: CloudCluster;
  let operator: OperatorProcess | undefined;

  before(async () => {
    cloud = await startAwsCloud();
    cluster = await startCloudCluster(cloud, { inProcessOperator: false });
  });
  after(async () => {
    await operator?.stop('SIGKILL');
    await cluster?.stop();
    await cloud?.stop();
  });

  it('ends with exactly N instances when the operator dies right after sending RunInstances and is started again', async () => {
    // One Machine at a time, and each EC2 answer 400 ms late: the kill lands while RunInstances is in the proxy's
    // hands, which still hands it to moto, so the instance is made for an operator that never hears of it.
    operator = await spawnCloudOperator(cluster, ['--machine-concurrency', '1']);
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cloud.machineSet('killed', 0)) });
    cloud.proxy.latencyMs = 400;
    cloud.proxy.resetCounts();
    await scale(cluster, 'killed', 3);
    await waitFor(() => cloud.proxy.count('RunInstances') >= 1, { timeoutMs: 15_000, intervalMs: 5, message: 'the operator to send RunInstances' });
    const exit = await operator.stop('SIGKILL');
    operator = undefined;
    assert.equal(exit.signal, 'SIGKILL');

    // The orphaned call completes: an instance exists that no Machine records yet.
    const orphan = await waitFor(async () => (await cloud.instances('killed'))[0], { timeoutMs: 5_000, intervalMs: 50, message: 'the in-flight RunInstances to reach moto' });
    const machines = JSON.parse((await cluster.kubectl(['get', 'machines', '-n', NS, '-o', 'json'])).stdout) as { items: { metadata: { uid: string }; spec?: { providerID?: string } }[] };
    assert.equal(machines.items.find((m) => m.metadata.uid === orphan.uid)?.spec?.providerID, undefined, 'the dead operator never recorded the instance');

    cloud.proxy.latencyMs = 0;
    operator = await spawnCloudOperator(cluster);
    const fleet = await waitForFleet(cluster, 'killed', 3);
    assertOneInstancePerMachine(fleet);
    assert.ok(fleet.instances.some((i) => i.id === orphan.id && i.live), `the orphaned instance ${orphan.id} was adopted by its Machine`);
    // No delete here: an operator process polls a terminating instance every 20 s (the provider's default, which
    // has no flag); the in-process suite above covers deletion.
  });
});
