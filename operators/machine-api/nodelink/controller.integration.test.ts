// The nodelink controller against the embedded API server: Machines written directly (no machine controller; their
// status says Provisioned, as it would), Nodes registered as a kubelet would, and what ends up on each.
import assert from 'node:assert/strict';
import { NODE_MACHINE_ANNOTATION, type Machine, type Taint } from '../../api/machine-v1beta1.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { resourcePath } from '../../runtime/resource-client.ts';
import { waitFor } from '../../runtime/wait.ts';
import { MACHINES, NODES, type Node } from '../context.ts';
import { reconcileCount, runControllers, startMachineApiTestCluster, type MachineApiTestCluster, type RunningControllers } from '../integration.test-util.ts';
import { nodeLinkController } from './controller.ts';

describe('nodelink controller against the embedded API server', function () {
  this.timeout(15_000);
  let cluster: MachineApiTestCluster;
  let running: RunningControllers | undefined;
  let ns: string;
  let count = 0;

  before(async () => {
    cluster = await startMachineApiTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    ns = await cluster.namespace();
    running = await runControllers(cluster.kc, ns, (ctx) => [nodeLinkController(ctx, { minRequeueAfterMs: 20 })]);
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  const api = <T>(path: string, request?: Parameters<typeof kubeJson>[2]) => kubeJson<T>(cluster.kc, path, request);
  const mergePatch = <T>(path: string, body: unknown) => api<T>(path, { method: 'PATCH', contentType: 'application/merge-patch+json', body });
  const getMachine = (name: string) => api<Machine>(resourcePath(MACHINES, ns, name));
  const getNode = (name: string) => api<Node>(resourcePath(NODES, undefined, name));
  const unique = (prefix: string) => `${prefix}-${process.pid}-${++count}`;

  interface MachineInput {
    readonly providerID?: string;
    readonly internalIP?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly taints?: readonly Taint[];
  }
  async function createMachine(name: string, input: MachineInput): Promise<Machine> {
    const machine = await api<Machine>(resourcePath(MACHINES, ns), {
      method: 'POST',
      body: {
        apiVersion: 'machine.openshift.io/v1beta1',
        kind: 'Machine',
        metadata: { name },
        spec: {
          providerID: input.providerID,
          metadata: { labels: input.labels, annotations: input.annotations },
          taints: input.taints,
          providerSpec: { value: { kind: 'FakeMachineProviderSpec' } },
        },
      },
    });
    // The phase the machine controller writes once it has seen the instance (nodelink waits for a first status).
    const addresses = input.internalIP ? [{ type: 'InternalIP', address: input.internalIP }] : undefined;
    return mergePatch<Machine>(resourcePath(MACHINES, ns, name, 'status'), { status: { phase: 'Provisioned', addresses } });
  }
  async function registerNode(name: string, input: { providerID?: string; internalIP?: string; labels?: Record<string, string> }): Promise<Node> {
    const node = await api<Node>(resourcePath(NODES, undefined), { method: 'POST', body: { metadata: { name, labels: input.labels }, spec: { providerID: input.providerID } } });
    if (!input.internalIP) return node;
    return mergePatch<Node>(resourcePath(NODES, undefined, name, 'status'), { status: { addresses: [{ type: 'InternalIP', address: input.internalIP }] } });
  }
  const waitForNodeRef = (machine: string) =>
    waitFor(async () => (await getMachine(machine)).status?.nodeRef, { message: `nodeRef of ${machine}` });

  it('links a Node to the Machine with the same providerID and copies the Machine metadata and taints onto it', async () => {
    const providerID = `fake:///${unique('i')}`;
    await createMachine('by-id', {
      providerID,
      labels: { 'node-role.kubernetes.io/infra': '' },
      annotations: { 'example.com/owner': 'team-a' },
      taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }],
    });
    const nodeName = unique('node');
    const node = await registerNode(nodeName, { providerID, labels: { 'kubernetes.io/hostname': nodeName } });

    const nodeRef = await waitForNodeRef('by-id');
    assert.deepEqual(nodeRef, { kind: 'Node', name: nodeName, uid: node.metadata?.uid });
    assert.ok((await getMachine('by-id')).status?.lastUpdated);
    const linked = await waitFor(async () => {
      const n = await getNode(nodeName);
      return n.metadata?.annotations?.[NODE_MACHINE_ANNOTATION] && n;
    });
    assert.equal(linked.metadata?.annotations?.[NODE_MACHINE_ANNOTATION], `${ns}/by-id`);
    assert.equal(linked.metadata?.annotations?.['example.com/owner'], 'team-a');
    assert.deepEqual(linked.metadata?.labels, { 'kubernetes.io/hostname': nodeName, 'node-role.kubernetes.io/infra': '' });
    assert.deepEqual(linked.spec?.taints, [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }]);
  });

  it('moves a Provisioned Machine to Running in its nodeRef write, and waits for the first status of a new one', async () => {
    const providerID = `fake:///${unique('i')}`;
    const nodeName = unique('node');
    await registerNode(nodeName, { providerID });
    // As the machine controller leaves it between its providerID patch and its first status write.
    await api<Machine>(resourcePath(MACHINES, ns), {
      method: 'POST',
      body: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'Machine', metadata: { name: 'new' }, spec: { providerID, providerSpec: { value: { kind: 'FakeMachineProviderSpec' } } } },
    });
    await waitFor(async () => (await reconcileCount(running!.registry, 'nodelink-controller')) >= 2, { message: 'nodelink to look at the Node and the Machine' });
    assert.equal((await getMachine('new')).status?.nodeRef, undefined, 'not linked before the first status write');
    await mergePatch(resourcePath(MACHINES, ns, 'new', 'status'), { status: { phase: 'Provisioned' } });
    const linked = await waitFor(async () => {
      const m = await getMachine('new');
      return m.status?.nodeRef && m;
    }, { message: 'nodeRef of new' });
    assert.equal(linked.status?.phase, 'Running');
    assert.equal(linked.status?.nodeRef?.name, nodeName);
  });

  it('falls back to the InternalIP when the Node has no providerID', async () => {
    const address = `10.77.${count % 250}.${(count % 200) + 1}`;
    await createMachine('by-ip', { internalIP: address });
    const nodeName = unique('node');
    await registerNode(nodeName, { internalIP: address });
    const nodeRef = await waitForNodeRef('by-ip');
    assert.equal(nodeRef.name, nodeName);
  });

  it('links a Machine that learns its providerID after its Node joined', async () => {
    const providerID = `fake:///${unique('i')}`;
    const nodeName = unique('node');
    await registerNode(nodeName, { providerID });
    await createMachine('late', {});
    await mergePatch(resourcePath(MACHINES, ns, 'late'), { spec: { providerID } });
    assert.equal((await waitForNodeRef('late')).name, nodeName);
  });

  it('removes from the Node the labels, annotations and taints the Machine no longer has, and only those', async () => {
    const providerID = `fake:///${unique('i')}`;
    await createMachine('shrinking', {
      providerID,
      labels: { keep: 'yes', drop: 'yes' },
      annotations: { 'example.com/drop': 'x' },
      taints: [{ key: 'dedicated', effect: 'NoSchedule' }, { key: 'gpu', effect: 'NoExecute' }],
    });
    const nodeName = unique('node');
    await registerNode(nodeName, { providerID, labels: { 'kubernetes.io/hostname': nodeName } });
    // Another controller's taint, which nodelink must never touch.
    await waitFor(async () => (await getNode(nodeName)).spec?.taints?.length === 2);
    const withForeign = await getNode(nodeName);
    await mergePatch(resourcePath(NODES, undefined, nodeName), { spec: { taints: [...(withForeign.spec?.taints ?? []), { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } });

    await api(resourcePath(MACHINES, ns, 'shrinking'), {
      method: 'PATCH',
      contentType: 'application/json-patch+json',
      body: [
        { op: 'remove', path: '/spec/metadata/labels/drop' },
        { op: 'remove', path: '/spec/metadata/annotations' },
        { op: 'replace', path: '/spec/taints', value: [{ key: 'dedicated', effect: 'NoSchedule' }] },
      ],
    });
    const node = await waitFor(async () => {
      const n = await getNode(nodeName);
      return n.metadata?.labels?.drop === undefined && n.spec?.taints?.length === 2 && n;
    }, { message: 'the removals on the Node' });
    assert.deepEqual(node.metadata?.labels, { 'kubernetes.io/hostname': nodeName, keep: 'yes' });
    assert.equal(node.metadata?.annotations?.['example.com/drop'], undefined);
    assert.equal(node.metadata?.annotations?.[NODE_MACHINE_ANNOTATION], `${ns}/shrinking`);
    assert.deepEqual(node.spec?.taints?.map((t) => `${t.key}:${t.effect}`), ['dedicated:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  });

  it('never moves a nodeRef to another Node', async () => {
    const providerID = `fake:///${unique('i')}`;
    const first = unique('node');
    await registerNode(first, { providerID });
    await createMachine('pinned', { providerID });
    assert.equal((await waitForNodeRef('pinned')).name, first);
    const reconciles = () => reconcileCount(running!.registry, 'nodelink-controller');
    const beforeDelete = await reconciles();
    await api(resourcePath(NODES, undefined, first), { method: 'DELETE' });
    await waitFor(async () => (await reconciles()) > beforeDelete, { message: 'the deleted Node reconciled' });
    const beforeSecond = await reconciles();
    const second = unique('node');
    await registerNode(second, { providerID });
    await waitFor(async () => (await reconciles()) > beforeSecond, { message: 'the second Node reconciled' });
    assert.equal((await getMachine('pinned')).status?.nodeRef?.name, first);
    assert.equal((await getNode(second)).metadata?.annotations?.[NODE_MACHINE_ANNOTATION], undefined);
  });
});
