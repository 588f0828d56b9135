// Machines on an emulated AWS, end to end on the dev cluster with the real kubectl: moto_server holds the EC2
// instances, the operator talks to it through the EC2 fault proxy (ClientToken idempotency, faults, call counts),
// and a hollow kubelet joins for each running instance, named by its private DNS name as on OpenShift.
import { startAwsCloud } from './emulators.ts';
import { describeCloudEndToEnd, describeOperatorKilledMidCreate } from './harness.ts';

describeCloudEndToEnd('AWS (moto)', startAwsCloud,
  'turns a MachineSet into Running Machines on Nodes with their instances\' providerIDs, scales down the annotated one, and deletes everything', {
    title: 'converges to exactly N instances through throttling, 500s, capacity errors and slow responses during a scale-up',
    inject({ proxy }) {
      proxy.resetCounts();
      proxy.latencyMs = 150;
      proxy.failNext('RunInstances', 'RequestLimitExceeded', 2);
      proxy.failNext('RunInstances', 'InsufficientInstanceCapacity', 2);
      proxy.failNext('RunInstances', 'InternalError', 1);
      proxy.failNext('DescribeInstances', 'Unavailable', 2);
      // 5 refused, then 3 that reached moto and made the instances.
      return { call: 'RunInstances', count: () => proxy.count('RunInstances'), atLeast: 8 };
    },
  });

// The proxy counts RunInstances when it takes the call, and hands it to moto 400 ms later: the kill lands while
// the call is in the proxy's hands.
describeOperatorKilledMidCreate('AWS (moto)', startAwsCloud, ({ proxy }) => ({
  name: 'RunInstances',
  count: () => proxy.count('RunInstances'),
  resetCounts: () => proxy.resetCounts(),
  setLatencyMs: (ms) => void (proxy.latencyMs = ms),
}));
