// Machines on an emulated Azure, end to end on the dev cluster with the real kubectl: the ARM wire fake (HTTPS, its
// own Entra ID) holds the VMs, NICs and disks, the operator uses the real @azure/arm-compute, arm-network and
// identity clients against it, and a hollow kubelet joins for each running VM, named after it.
import { ARM_FAULTS } from '../../fakes/azure/arm-server.ts';
import { startAzureCloud } from './emulators.ts';
import { describeCloudEndToEnd, describeOperatorKilledMidCreate } from './harness.ts';

describeCloudEndToEnd('Azure (ARM fake)', startAzureCloud,
  'turns a MachineSet into Running Machines on Nodes with their VMs\' providerIDs, scales down the annotated one, and deletes VMs, NICs and disks', {
    title: 'converges to exactly N VMs through throttling, 500s, allocation failures and slow responses during a scale-up',
    inject({ fake }) {
      const vmPut = { method: 'PUT', type: 'virtualMachines' };
      fake.resetCounts();
      fake.latencyMs = 50;
      // ARM's real Retry-After for a write throttle is 17 s; 1 s keeps the suite short and still makes the provider wait.
      fake.failNext(vmPut, { ...ARM_FAULTS.TooManyRequests, retryAfterSeconds: 1 }, 1);
      fake.failNext(vmPut, ARM_FAULTS.InternalServerError, 1);
      fake.failNext({ method: 'PUT', type: 'networkInterfaces' }, ARM_FAULTS.InternalServerError, 1);
      // Capacity, refused at the PUT (transient). A VM whose provisioning ends Failed is terminal instead, as in MAO:
      // its Machine goes Failed and only a MachineHealthCheck replaces it, so that is not a convergence case.
      fake.failNext(vmPut, ARM_FAULTS.AllocationFailed, 1);
      fake.failNext(vmPut, ARM_FAULTS.SkuNotAvailable, 1);
      return { call: 'PUT virtualMachines', count: () => fake.count('PUT virtualMachines'), atLeast: 7 };
    },
  });

// The VM PUT is the create call that makes the instance (the NIC before it is only its network card); the fake counts
// it as it stores the VM, after its latency. The operator process trusts the fake's CA through NODE_EXTRA_CA_CERTS
// (the cloud's operatorEnv).
describeOperatorKilledMidCreate('Azure (ARM fake)', startAzureCloud, ({ fake }) => ({
  name: 'PUT virtualMachines',
  count: () => fake.count('PUT virtualMachines'),
  resetCounts: () => fake.resetCounts(),
  setLatencyMs: (ms) => void (fake.latencyMs = ms),
}));
