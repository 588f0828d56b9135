// Machines on an emulated GCP, end to end on the dev cluster with the real kubectl: the Compute Engine wire fake holds
// the instances (its Operations, requestId idempotency and faults), the operator uses the real @google-cloud/compute
// client against it, and a hollow kubelet joins for each RUNNING instance, named after it.
import { startGcpCloud } from './emulators.ts';
import { describeCloudEndToEnd, describeOperatorKilledMidCreate } from './harness.ts';

describeCloudEndToEnd('GCP (Compute Engine fake)', startGcpCloud,
  'turns a MachineSet into Running Machines on Nodes with their instances\' providerIDs, scales down the annotated one, and deletes everything', {
    title: 'converges to exactly N instances through rate limits, 500s, an exhausted zone and slow responses during a scale-up',
    inject({ fake }) {
      fake.resetCounts();
      fake.latencyMs = 100;
      fake.failNext('instances.insert', 'rateLimitExceeded', 2);
      fake.failNext('instances.insert', 'backendError', 1);
      fake.failNext('instances.list', 'unavailable', 1);
      // Capacity: the insert is accepted, and its Operation ends DONE with ZONE_RESOURCE_POOL_EXHAUSTED.
      fake.failNextOperation('instances.insert', 'ZONE_RESOURCE_POOL_EXHAUSTED', 1);
      // 3 refused, 1 accepted and failed, 3 that made the instances.
      return { call: 'instances.insert', count: () => fake.count('instances.insert'), atLeast: 7 };
    },
  });

// The fake counts instances.insert as it makes the instance, after its latency; the operator is killed before the
// answer (and the Operation waits that follow, each 400 ms late) lets it record anything.
describeOperatorKilledMidCreate('GCP (Compute Engine fake)', startGcpCloud, ({ fake }) => ({
  name: 'instances.insert',
  count: () => fake.count('instances.insert'),
  resetCounts: () => fake.resetCounts(),
  setLatencyMs: (ms) => void (fake.latencyMs = ms),
}));
