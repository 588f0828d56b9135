// The MachineSet capacity controller against the embedded API server, with the local provider (its documented
// instance types) and a fake provider whose catalogue the tests control and whose capacity calls they count.
import assert from 'node:assert/strict';
import {
  AUTOSCALER_MAX_SIZE_ANNOTATION,
  CAPACITY_LABELS_ANNOTATION,
  GPU_ANNOTATION,
  MACHINE_SET_LABEL,
  MEMORY_MB_ANNOTATION,
  VCPU_ANNOTATION,
  type MachineSet,
} from '../../api/machine-v1beta1.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { resourcePath, type ResourceClient } from '../../runtime/resource-client.ts';
import { sleep, waitFor } from '../../runtime/wait.ts';
import { MACHINE_SETS } from '../context.ts';
import { reconcileCount, runControllers, startMachineApiTestCluster, type MachineApiTestCluster, type RunningControllers } from '../integration.test-util.ts';
import type { Actuator, InstanceTypeCapacity, ProviderFactory } from '../providers/actuator.ts';
import { providerRegistry } from '../providers/index.ts';
import { localProviderFactory } from '../providers/local/index.ts';
import {
  CAPACITY_CONTROLLER_NAME,
  CAPACITY_UNKNOWN_REASON,
  computeCapacityAnnotations,
  machineSetCapacityController,
} from './capacity-annotations.ts';

const FAKE_KIND = 'CapacityFakeProviderSpec';
const NO_CAPACITY_KIND = 'NoCapacityProviderSpec';

/** A provider that knows `catalogue` and counts the capacity questions it is asked. */
class CapacityFake implements Actuator {
  catalogue: Record<string, InstanceTypeCapacity> = { 'gpu.large': { vCPU: 8, memoryMb: 61440, GPU: 2 } };
  asked = 0;
  async instanceTypeCapacity(ms: MachineSet): Promise<InstanceTypeCapacity | undefined> {
    this.asked++;
    const type = (ms.spec?.template?.spec?.providerSpec?.value as { instanceType?: string } | undefined)?.instanceType ?? '';
    return this.catalogue[type];
  }
  create(): never {
    throw new Error('not used');
  }
  exists(): never {
    throw new Error('not used');
  }
  update(): never {
    throw new Error('not used');
  }
  delete(): never {
    throw new Error('not used');
  }
}

/** A provider that serves Machines but has no instance type catalogue. */
const withoutCapacity: Actuator = {
  create: () => Promise.reject(new Error('not used')),
  exists: () => Promise.reject(new Error('not used')),
  update: () => Promise.reject(new Error('not used')),
  delete: () => Promise.reject(new Error('not used')),
};

function machineSet(name: string, providerSpec: Record<string, unknown>, annotations?: Record<string, string>): MachineSet {
  const labels = { [MACHINE_SET_LABEL]: name };
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'MachineSet',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: {
      replicas: 0,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { providerSpec: { value: { apiVersion: 'machine.openshift.io/v1beta1', ...providerSpec } } } },
    },
  };
}

describe('computeCapacityAnnotations', () => {
  const capacity = { vCPU: 4, memoryMb: 16384, GPU: 0 };
  const cases: { name: string; current?: Record<string, string>; capacity?: InstanceTypeCapacity; patch: Record<string, string | null> | undefined }[] = [
    {
      name: 'writes the three capacity keys and the arch label on a bare MachineSet',
      capacity,
      patch: { [VCPU_ANNOTATION]: '4', [MEMORY_MB_ANNOTATION]: '16384', [GPU_ANNOTATION]: '0', [CAPACITY_LABELS_ANNOTATION]: 'kubernetes.io/arch=amd64' },
    },
    {
      name: 'changes nothing when the annotations already match',
      current: { [VCPU_ANNOTATION]: '4', [MEMORY_MB_ANNOTATION]: '16384', [GPU_ANNOTATION]: '0', [CAPACITY_LABELS_ANNOTATION]: 'kubernetes.io/arch=amd64' },
      capacity,
      patch: undefined,
    },
    {
      name: 'changes only the keys that differ',
      current: { [VCPU_ANNOTATION]: '2', [MEMORY_MB_ANNOTATION]: '16384', [GPU_ANNOTATION]: '0', [CAPACITY_LABELS_ANNOTATION]: 'kubernetes.io/arch=amd64' },
      capacity,
      patch: { [VCPU_ANNOTATION]: '4' },
    },
    {
      name: 'adds the arch to labels someone else wrote, and keeps an arch they chose',
      current: { [CAPACITY_LABELS_ANNOTATION]: 'tier=gold' },
      capacity: { vCPU: 1, memoryMb: 1, GPU: 0 },
      patch: { [VCPU_ANNOTATION]: '1', [MEMORY_MB_ANNOTATION]: '1', [GPU_ANNOTATION]: '0', [CAPACITY_LABELS_ANNOTATION]: 'tier=gold,kubernetes.io/arch=amd64' },
    },
    {
      name: 'removes stale capacity keys when the type is unknown, leaving the labels',
      current: { [VCPU_ANNOTATION]: '4', [GPU_ANNOTATION]: '0', [CAPACITY_LABELS_ANNOTATION]: 'kubernetes.io/arch=arm64' },
      patch: { [VCPU_ANNOTATION]: null, [GPU_ANNOTATION]: null },
    },
    { name: 'does nothing for an unknown type on a bare MachineSet', patch: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(computeCapacityAnnotations(c.current, c.capacity), c.patch));
});

describe('MachineSet capacity controller', function () {
  this.timeout(20_000);
  let cluster: MachineApiTestCluster;
  let running: RunningControllers | undefined;
  let ns: string;
  let fake: CapacityFake;
  let patches: number;

  before(async () => {
    cluster = await startMachineApiTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    ns = await cluster.namespace();
    fake = new CapacityFake();
    patches = 0;
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  async function start(): Promise<RunningControllers> {
    const factories: ProviderFactory[] = [
      localProviderFactory,
      { name: 'capacity-fake', kinds: [FAKE_KIND], create: () => fake },
      { name: 'no-capacity', kinds: [NO_CAPACITY_KIND], create: () => withoutCapacity },
    ];
    const countPatches = (client: ResourceClient): ResourceClient => ({
      ...client,
      patch: (...args) => {
        if (args[0] === MACHINE_SETS) patches++;
        return client.patch(...args);
      },
    });
    running = await runControllers(
      cluster.kc,
      ns,
      (ctx) => [machineSetCapacityController({ ...ctx, providers: providerRegistry(factories, { readSecret: async () => undefined }) }, { minRequeueAfterMs: 50 })],
      { wrapClient: countPatches },
    );
    return running;
  }
  const api = <T>(path: string, request?: Parameters<typeof kubeJson>[2]) => kubeJson<T>(cluster.kc, path, request);
  const create = (ms: MachineSet) => api<MachineSet>(resourcePath(MACHINE_SETS, ns), { method: 'POST', body: ms });
  const get = (name: string) => api<MachineSet>(resourcePath(MACHINE_SETS, ns, name));
  const mergePatch = (name: string, body: unknown) => api<MachineSet>(resourcePath(MACHINE_SETS, ns, name), { method: 'PATCH', contentType: 'application/merge-patch+json', body });
  const annotationsOf = async (name: string) => (await get(name)).metadata.annotations ?? {};
  const warnings = async (name: string) =>
    (await api<{ items: { reason?: string; count?: number; involvedObject?: { name?: string } }[] }>(`/api/v1/namespaces/${ns}/events`)).items.filter(
      (e) => e.reason === CAPACITY_UNKNOWN_REASON && e.involvedObject?.name === name,
    );

  it('annotates a local MachineSet with its instance type capacity, keeping the autoscaler annotations', async () => {
    await start();
    await create(machineSet('workers', { kind: 'LocalMachineProviderSpec', instanceType: 'local.large' }, { [AUTOSCALER_MAX_SIZE_ANNOTATION]: '6' }));
    const annotations = await waitFor(async () => {
      const a = await annotationsOf('workers');
      return a[VCPU_ANNOTATION] !== undefined && a;
    });
    assert.deepEqual(annotations, {
      [AUTOSCALER_MAX_SIZE_ANNOTATION]: '6',
      [VCPU_ANNOTATION]: '8',
      [MEMORY_MB_ANNOTATION]: '32768',
      [GPU_ANNOTATION]: '0',
      [CAPACITY_LABELS_ANNOTATION]: 'kubernetes.io/arch=amd64',
    });
  });

  it('follows a change of instance type, and writes nothing when the annotations already match', async () => {
    fake.catalogue['cpu.small'] = { vCPU: 2, memoryMb: 4096, GPU: 0 };
    await start();
    await create(machineSet('gpus', { kind: FAKE_KIND, instanceType: 'gpu.large' }));
    await waitFor(async () => (await annotationsOf('gpus'))[GPU_ANNOTATION] === '2');
    assert.equal(patches, 1);

    // An unrelated change (a status write, someone's annotation) asks no question and writes nothing.
    const asked = fake.asked;
    await mergePatch('gpus', { metadata: { annotations: { team: 'ml' } } });
    await sleep(300);
    assert.equal(fake.asked, asked);
    assert.equal(patches, 1);

    const ms = await get('gpus');
    const template = ms.spec!.template!;
    await mergePatch('gpus', { spec: { template: { spec: { providerSpec: { value: { ...template.spec!.providerSpec!.value, instanceType: 'cpu.small' } } } } } });
    const annotations = await waitFor(async () => {
      const a = await annotationsOf('gpus');
      return a[VCPU_ANNOTATION] === '2' && a;
    });
    assert.deepEqual(
      [annotations[VCPU_ANNOTATION], annotations[MEMORY_MB_ANNOTATION], annotations[GPU_ANNOTATION], annotations.team],
      ['2', '4096', '0', 'ml'],
    );
    assert.equal(patches, 2);
  });

  it('leaves an unknown instance type unannotated with one Warning Event, without retrying', async () => {
    const { registry } = await start();
    await create(machineSet('mystery', { kind: FAKE_KIND, instanceType: 'm9.huge' }));
    const [event] = await waitFor(async () => {
      const found = await warnings('mystery');
      return found.length > 0 && found;
    }, { timeoutMs: 8_000 });
    assert.equal(event.count, 1);
    // Touching the MachineSet's annotations asks again (the catalogue may have learnt it) but warns no more.
    await mergePatch('mystery', { metadata: { annotations: { [VCPU_ANNOTATION]: '99' } } });
    await waitFor(async () => (await annotationsOf('mystery'))[VCPU_ANNOTATION] === undefined);
    await sleep(300);
    const reconciles = await reconcileCount(registry, CAPACITY_CONTROLLER_NAME);
    await sleep(500);
    assert.equal(await reconcileCount(registry, CAPACITY_CONTROLLER_NAME), reconciles, 'no requeue loop');
    // Asked on create, on the user's patch, and once more on the echo of the controller's own removal.
    assert.equal(fake.asked, 3);
    assert.deepEqual((await warnings('mystery')).map((e) => e.count), [1]);
    assert.equal((await annotationsOf('mystery'))[CAPACITY_LABELS_ANNOTATION], undefined);
  });

  it('leaves MachineSets of a provider without capacity, or of no enabled provider, alone', async () => {
    await start();
    await create(machineSet('plain', { kind: NO_CAPACITY_KIND }));
    await create(machineSet('elsewhere', { kind: 'VSphereMachineProviderSpec' }));
    await waitFor(async () => (await warnings('elsewhere')).length > 0, { timeoutMs: 8_000 });
    assert.deepEqual(await warnings('plain'), []);
    assert.deepEqual(await annotationsOf('plain'), {});
    assert.deepEqual(await annotationsOf('elsewhere'), {});
    assert.equal(patches, 0);
  });
});
