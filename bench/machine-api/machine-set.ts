// The MachineSet the bench scales: the local worker of examples/local/machineset.yaml, with instances that boot
// at once (bootDelaySeconds 0), so the figures are the operator's and the API server's, not a boot delay.
import {
  CLUSTER_ID_LABEL,
  MACHINE_API_GROUP_VERSION,
  MACHINE_API_NAMESPACE,
  MACHINE_ROLE_LABEL,
  MACHINE_SET_LABEL,
  MACHINE_SET_RESOURCE,
  MACHINE_TYPE_LABEL,
  type Machine,
  type MachineSet,
} from '../../operators/api/machine-v1beta1.ts';
import { LOCAL_PROVIDER_SPEC_KIND } from '../../operators/machine-api/providers/local/index.ts';

export const BENCH_MACHINE_SET = 'bench-worker';
const CLUSTER_ID = 'local';

export const MACHINES_PATH = `/apis/${MACHINE_API_GROUP_VERSION}/namespaces/${MACHINE_API_NAMESPACE}/machines`;
export const MACHINE_SETS_PATH = `/apis/${MACHINE_API_GROUP_VERSION}/namespaces/${MACHINE_API_NAMESPACE}/machinesets`;

export function benchMachineSet(replicas: number): MachineSet {
  const selector = { [CLUSTER_ID_LABEL]: CLUSTER_ID, [MACHINE_SET_LABEL]: BENCH_MACHINE_SET };
  return {
    apiVersion: MACHINE_API_GROUP_VERSION,
    kind: MACHINE_SET_RESOURCE.kind,
    metadata: { name: BENCH_MACHINE_SET, namespace: MACHINE_API_NAMESPACE, labels: { [CLUSTER_ID_LABEL]: CLUSTER_ID } },
    spec: {
      replicas,
      deletePolicy: 'Oldest',
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, [MACHINE_ROLE_LABEL]: 'worker', [MACHINE_TYPE_LABEL]: 'worker' } },
        spec: {
          metadata: { labels: { 'node-role.kubernetes.io/worker': '' } },
          providerSpec: {
            value: {
              apiVersion: MACHINE_API_GROUP_VERSION,
              kind: LOCAL_PROVIDER_SPEC_KIND,
              instanceType: 'local.medium',
              region: 'local',
              zone: 'local-a',
              bootDelaySeconds: 0,
            },
          },
        },
      },
    },
  };
}

/** The figure's finish line for one Machine: Running, and linked to its Node. */
export function isRunningWithNode(machine: Machine): boolean {
  return machine.status?.phase === 'Running' && Boolean(machine.status.nodeRef?.name);
}
