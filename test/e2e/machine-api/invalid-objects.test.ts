// Invalid MachineSets and Machines on the dev cluster: each gets an error that names the field at fault (a 422 from
// the API server for a schema violation, status.errorReason/errorMessage from the operator for what only it can
// judge), nothing is created for them, and a valid MachineSet in the same namespace keeps working meanwhile.
import assert from 'node:assert/strict';
import { CLUSTER_ID_LABEL, MACHINE_API_GROUP_VERSION, type Machine, type MachineSet } from '../../../operators/api/machine-v1beta1.ts';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { requestsOf } from '../../support/kubectl-requests.ts';
import { listInstances } from '../../support/local-cloud-api.ts';
import {
  apply,
  CLUSTER_ID,
  getJson,
  localProviderSpec,
  machineSetManifest,
  NS,
  startInProcessCluster,
  waitForFleet,
  type InProcessCluster,
} from './harness.ts';

function standaloneMachine(name: string, providerSpec: Record<string, unknown>): Machine {
  return {
    apiVersion: MACHINE_API_GROUP_VERSION,
    kind: 'Machine',
    metadata: { name, namespace: NS, labels: { [CLUSTER_ID_LABEL]: CLUSTER_ID } },
    spec: { providerSpec: { value: providerSpec } },
  } as Machine;
}

describe('Machine API end to end: invalid MachineSets and Machines', function () {
  this.timeout(60_000);
  let cluster: InProcessCluster;

  before(async () => {
    cluster = await startInProcessCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  const failedMachine = (name: string) =>
    waitFor(async () => {
      const m = await getJson<Machine>(cluster, ['machine', name, '-n', NS]);
      return m.status?.phase === 'Failed' ? m : undefined;
    }, { timeoutMs: 10_000, intervalMs: 150, message: `Machine ${name} to be Failed` });

  it('reports each invalid object by field while a valid MachineSet in the namespace scales on', async () => {
    await apply(cluster, machineSetManifest('valid', { replicas: 2, providerSpec: { bootDelaySeconds: 1 } }));

    // A selector that does not select the template's Machines: accepted by the API, refused by the operator.
    const mismatched = machineSetManifest('mismatched', { replicas: 2, selector: { [CLUSTER_ID_LABEL]: CLUSTER_ID, 'machine.openshift.io/cluster-api-machineset': 'elsewhere' } });
    await apply(cluster, mismatched);

    // A schema violation: the API server answers 422 and kubectl prints which field.
    const valid = machineSetManifest('counted', { replicas: 3 });
    const counted = { ...valid, spec: { ...valid.spec, replicas: 'three' } };
    const refused = await apply(cluster, counted, { allowFailure: true, args: ['-v=7'] });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^The MachineSet "counted" is invalid: spec\.replicas: Invalid value: "string": spec\.replicas in body must be of type integer: "string"$/m);
    const post = requestsOf(refused.stderr).find((r) => r.method === 'POST');
    assert.equal(post?.status, 422);

    // Machines whose providerSpec the local provider cannot use, or that no enabled provider serves.
    await apply(cluster, standaloneMachine('bad-boot', localProviderSpec({ bootDelaySeconds: -1 })));
    await apply(cluster, standaloneMachine('bad-kind', { ...localProviderSpec(), kind: 'GalaxyMachineProviderSpec' }));

    const badBoot = await failedMachine('bad-boot');
    assert.equal(badBoot.status?.errorReason, 'InvalidConfiguration');
    assert.equal(badBoot.status?.errorMessage, 'spec.providerSpec.value.bootDelaySeconds: Invalid value: -1: must be greater than or equal to 0');
    const badKind = await failedMachine('bad-kind');
    assert.equal(badKind.status?.errorReason, 'InvalidConfiguration');
    assert.match(badKind.status?.errorMessage ?? '', /^spec\.providerSpec\.value\.kind: Unsupported value: "GalaxyMachineProviderSpec": supported values: "LocalMachineProviderSpec"/);
    const phases = (await cluster.kubectl(['get', 'machines', 'bad-boot', 'bad-kind', '-n', NS, '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,PHASE:.status.phase'])).stdout;
    assert.deepEqual(phases.trim().split('\n').map((l) => l.split(/\s+/)), [['bad-boot', 'Failed'], ['bad-kind', 'Failed']]);

    const invalidSet = await waitFor(async () => {
      const ms = await getJson<MachineSet>(cluster, ['machineset', 'mismatched', '-n', NS]);
      return ms.status?.errorReason ? ms : undefined;
    }, { timeoutMs: 10_000, intervalMs: 150, message: 'the mismatched MachineSet to report an error' });
    assert.equal(invalidSet.status?.errorReason, 'InvalidConfiguration');
    assert.equal(
      invalidSet.status?.errorMessage,
      'spec.selector: Invalid value: {"matchLabels":{"machine.openshift.io/cluster-api-cluster":"e2e","machine.openshift.io/cluster-api-machineset":"elsewhere"}}: selector does not match template labels',
    );

    // The valid set came up alongside, and still scales.
    await waitForFleet(cluster, 'valid', 2);
    await cluster.kubectl(['scale', 'machineset', 'valid', '-n', NS, '--replicas=3']);
    await waitForFleet(cluster, 'valid', 3);

    // Nothing was made for the invalid objects.
    const machines = await getJson<{ items: Machine[] }>(cluster, ['machines', '-n', NS]);
    assert.deepEqual(machines.items.map((m) => m.metadata.name).filter((n) => !n?.startsWith('valid-')).sort(), ['bad-boot', 'bad-kind']);
    assert.ok(machines.items.every((m) => m.metadata.ownerReferences?.every((o) => o.name === 'valid') ?? true), 'no Machine owned by the invalid set');
    const instances = await listInstances(cluster.cloudUrl);
    assert.deepEqual(instances.filter((i) => !i.name.startsWith('valid-')), [], 'no instance for the invalid Machines');
    const none = await cluster.kubectl(['get', 'machineset', 'counted', '-n', NS], { allowFailure: true });
    assert.match(none.stderr, /"counted" not found/);
  });
});
