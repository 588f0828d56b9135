// The machine, drain and nodelink controllers against the embedded API server, with a fake in-memory actuator
// (fake-actuator.test-util.ts) that can be blocked mid-call: user stories from creation to Running, the failure
// classes, a controller restart in the middle of a create, and the deletion order.
import assert from 'node:assert/strict';
import {
  CLUSTER_ID_LABEL,
  EXCLUDE_NODE_DRAINING_ANNOTATION,
  INSTANCE_STATE_ANNOTATION,
  INSTANCE_TYPE_LABEL,
  MACHINE_FINALIZER,
  REGION_LABEL,
  ZONE_LABEL,
  type Machine,
} from '../../api/machine-v1beta1.ts';
import { TerminalError } from '../../runtime/errors.ts';
import { kubeJson } from '../../runtime/kube-http.ts';
import { createLogger } from '../../runtime/log.ts';
import { resourcePath, type ResourceClient } from '../../runtime/resource-client.ts';
import { waitFor } from '../../runtime/wait.ts';
import { MACHINES, NODES, PODS, type MachineApiContext } from '../context.ts';
import { drainController } from '../drain/controller.ts';
import { DRAIN_TIMEOUT_ANNOTATION } from '../drain/drain.ts';
import { runControllers, startMachineApiTestCluster, type MachineApiTestCluster, type RunningControllers } from '../integration.test-util.ts';
import { nodeLinkController } from '../nodelink/controller.ts';
import { providerRegistry } from '../providers/index.ts';
import { machineController } from './controller.ts';
import { FAKE_PROVIDER_SPEC_KIND, FakeActuator, fakeProviderFactory } from './fake-actuator.test-util.ts';

const fast = { minRequeueAfterMs: 20, backoff: { baseMs: 20, maxMs: 200, jitter: 0 } };

interface EventItem {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly involvedObject: { readonly name: string };
}

describe('machine controller (with drain and nodelink) against the embedded API server', function () {
  this.timeout(20_000);
  let cluster: MachineApiTestCluster;
  let running: RunningControllers | undefined;
  let ns: string;
  let actuator: FakeActuator;
  let nodeCount = 0;

  before(async () => {
    cluster = await startMachineApiTestCluster();
  });
  after(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    ns = await cluster.namespace();
    actuator = new FakeActuator();
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  type Which = 'machine' | 'drain' | 'nodelink';
  /** Starts the named controllers on a context whose provider is the fake actuator. */
  async function start(which: readonly Which[] = ['machine', 'drain', 'nodelink'], wrapClient?: (c: ResourceClient) => ResourceClient): Promise<RunningControllers> {
    const withFake = (ctx: MachineApiContext): MachineApiContext => ({
      ...ctx,
      ...(process.env.MAPI_TEST_LOG ? { logger: createLogger({ level: 'debug', sink: (l) => console.log(l) }) } : {}),
      providers: providerRegistry([fakeProviderFactory(actuator)], { readSecret: async () => undefined }),
    });
    running = await runControllers(
      cluster.kc,
      ns,
      (base) => {
        const ctx = withFake(base);
        return which.map((w) =>
          w === 'machine'
            ? machineController(ctx, fast)
            : w === 'drain'
              ? drainController(ctx, { minRequeueAfterMs: 20, backoff: { baseMs: 100, maxMs: 300, jitter: 0 } })
              : nodeLinkController(ctx, { minRequeueAfterMs: 20 }),
        );
      },
      { wrapClient },
    );
    return running;
  }

  const api = <T>(path: string, request?: Parameters<typeof kubeJson>[2]) => kubeJson<T>(cluster.kc, path, request);
  const getMachine = (name: string) => api<Machine>(resourcePath(MACHINES, ns, name));
  const machineGone = async (name: string) => {
    try {
      await getMachine(name);
      return false;
    } catch (err) {
      return (err as { code?: number }).code === 404;
    }
  };
  const exists = async (path: string) => {
    try {
      await api(path);
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return false;
      throw err;
    }
  };
  function createMachine(name: string, extra: { annotations?: Record<string, string>; kind?: string; labels?: Record<string, string> } = {}): Promise<Machine> {
    return api<Machine>(resourcePath(MACHINES, ns), {
      method: 'POST',
      body: {
        apiVersion: 'machine.openshift.io/v1beta1',
        kind: 'Machine',
        metadata: { name, labels: extra.labels ?? { [CLUSTER_ID_LABEL]: 'test' }, annotations: extra.annotations },
        spec: { providerSpec: { value: { apiVersion: 'machine.openshift.io/v1beta1', kind: extra.kind ?? FAKE_PROVIDER_SPEC_KIND } } },
      },
    });
  }
  const waitForMachine = (name: string, cond: (m: Machine) => unknown, message: string, timeoutMs = 8_000) =>
    waitFor(async () => {
      const m = await getMachine(name);
      return cond(m) ? m : undefined;
    }, { timeoutMs, message });
  async function events(name: string): Promise<EventItem[]> {
    const list = await api<{ items: EventItem[] }>(`/api/v1/namespaces/${ns}/events`);
    return list.items.filter((e) => e.involvedObject.name === name);
  }
  const waitForEvent = (name: string, reason: string) =>
    waitFor(async () => (await events(name)).find((e) => e.reason === reason), { timeoutMs: 8_000, message: `event ${reason}` });

  /** A Node for the machine's instance, as a kubelet would register it, Ready. */
  async function registerNode(machine: Machine, labels: Record<string, string> = {}): Promise<string> {
    const name = `node-${process.pid}-${++nodeCount}`;
    const address = machine.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    await api(resourcePath(NODES, undefined), { method: 'POST', body: { metadata: { name, labels }, spec: { providerID: machine.spec?.providerID } } });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await api(resourcePath(NODES, undefined, name, 'status'), {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { status: { addresses: [{ type: 'InternalIP', address }], conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }] } },
    });
    return name;
  }
  /** A running, ready pod bound to `node`. */
  async function runPod(name: string, node: string, labels: Record<string, string> = {}): Promise<void> {
    await api(resourcePath(PODS, ns), { method: 'POST', body: { metadata: { name, labels }, spec: { nodeName: node, containers: [{ name: 'c', image: 'example' }] } } });
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await api(resourcePath(PODS, ns, name, 'status'), {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } },
    });
  }
  async function runningMachineWithNode(name: string, extra: Parameters<typeof createMachine>[1] = {}, nodeLabels: Record<string, string> = {}): Promise<{ machine: Machine; node: string }> {
    await createMachine(name, extra);
    const provisioned = await waitForMachine(name, (m) => m.status?.phase === 'Provisioned', 'phase Provisioned');
    const node = await registerNode(provisioned, nodeLabels);
    const machine = await waitForMachine(name, (m) => m.status?.phase === 'Running', 'phase Running');
    return { machine, node };
  }

  it('creates the instance in the first reconcile, then goes Provisioned and Running once its Node joins', async () => {
    const controllers = await start();
    await createMachine('worker');
    const provisioned = await waitForMachine('worker', (m) => m.status?.phase === 'Provisioned', 'phase Provisioned');
    const instance = [...actuator.instances.values()][0];
    assert.equal(provisioned.spec?.providerID, instance.providerID);
    assert.deepEqual(provisioned.metadata.finalizers, [MACHINE_FINALIZER]);
    assert.deepEqual(provisioned.status?.addresses, [{ type: 'InternalIP', address: instance.internalIP }]);
    assert.equal(provisioned.metadata.annotations?.[INSTANCE_STATE_ANNOTATION], 'running');
    assert.equal(provisioned.metadata.labels?.[INSTANCE_TYPE_LABEL], 'fake.large');
    assert.equal(provisioned.metadata.labels?.[REGION_LABEL], 'local-1');
    assert.equal(provisioned.metadata.labels?.[ZONE_LABEL], 'local-1a');
    assert.equal(provisioned.status?.nodeRef, undefined);

    const node = await registerNode(provisioned);
    const runningMachine = await waitForMachine('worker', (m) => m.status?.phase === 'Running', 'phase Running');
    const nodeObject = await api<{ metadata: { uid: string } }>(resourcePath(NODES, undefined, node));
    assert.deepEqual(runningMachine.status?.nodeRef, { kind: 'Node', name: node, uid: nodeObject.metadata.uid });
    assert.equal(actuator.calls('create'), 1);
    const conditions = Object.fromEntries((runningMachine.status?.conditions ?? []).map((c) => [c.type, c.status]));
    assert.deepEqual(conditions, { InstanceExists: 'True', MachineCreated: 'True', Drainable: 'True', Terminable: 'True' });

    const histogram = await controllers.registry.getSingleMetric('mapi_machine_phase_transition_seconds')?.get();
    const phases = new Set(histogram?.values.filter((v) => (v as { metricName?: string }).metricName === 'mapi_machine_phase_transition_seconds_count' && v.value > 0).map((v) => v.labels.phase));
    // Create's answer had a providerID: the Machine went straight to Provisioned (phase.ts), then nodelink
    // linked it and moved it to Running in the same write.
    assert.deepEqual([...phases].sort(), ['Provisioned', 'Running']);
    await waitForEvent('worker', 'Create');
  });

  it('fails the Machine on a terminal create error, naming the field, with a FailedCreate event and metric', async () => {
    actuator.fail.create = () => {
      throw new TerminalError('InvalidConfiguration', 'spec.providerSpec.value.instanceType: Unsupported value: "m9.huge"');
    };
    const controllers = await start(['machine']);
    await createMachine('bad');
    const failed = await waitForMachine('bad', (m) => m.status?.phase === 'Failed', 'phase Failed');
    assert.equal(failed.status?.errorReason, 'InvalidConfiguration');
    assert.equal(failed.status?.errorMessage, 'spec.providerSpec.value.instanceType: Unsupported value: "m9.huge"');
    assert.equal(failed.metadata.annotations?.[INSTANCE_STATE_ANNOTATION], 'Unknown');
    const event = await waitForEvent('bad', 'FailedCreate');
    assert.equal(event.type, 'Warning');
    assert.match(event.message, /spec\.providerSpec\.value\.instanceType/);
    const counter = await controllers.registry.getSingleMetric('mapi_instance_create_failed')?.get();
    assert.deepEqual(counter?.values.map((v) => [v.labels, v.value]), [[{ name: 'bad', namespace: ns, reason: 'InvalidConfiguration' }, 1]]);
    assert.equal(actuator.calls('create'), 1, 'a Failed Machine is not retried');
  });

  it('fails a Machine whose providerSpec kind no provider serves, naming spec.providerSpec.value.kind', async () => {
    await start(['machine']);
    await createMachine('unknown', { kind: 'NoSuchProviderSpec' });
    const failed = await waitForMachine('unknown', (m) => m.status?.phase === 'Failed', 'phase Failed');
    assert.equal(failed.status?.errorReason, 'InvalidConfiguration');
    assert.match(failed.status?.errorMessage ?? '', /^spec\.providerSpec\.value\.kind: Unsupported value: "NoSuchProviderSpec"/);
  });

  it('retries a transient create error with backoff instead of failing the Machine', async () => {
    let failures = 0;
    actuator.fail.create = () => {
      if (++failures <= 3) throw new Error('RequestLimitExceeded: throttled');
    };
    const controllers = await start(['machine']);
    await createMachine('flaky');
    const provisioned = await waitForMachine('flaky', (m) => m.status?.phase === 'Provisioned', 'phase Provisioned');
    assert.equal(provisioned.status?.errorReason, undefined);
    assert.equal(actuator.calls('create'), 4);
    const event = await waitForEvent('flaky', 'FailedCreate');
    assert.match(event.message, /RequestLimitExceeded/);
    const counter = await controllers.registry.getSingleMetric('mapi_instance_create_failed')?.get();
    assert.deepEqual(counter?.values.map((v) => [v.labels.reason, v.value]), [['CreateError', 3]]);
  });

  it('reports an invalid Machine with a FailedValidate event and creates nothing until it is fixed', async () => {
    await start(['machine']);
    await createMachine('unlabelled', { labels: {} });
    const event = await waitForEvent('unlabelled', 'FailedValidate');
    assert.equal(event.message, `unlabelled: machine validation failed: metadata.labels[${CLUSTER_ID_LABEL}]: Required value: missing ${CLUSTER_ID_LABEL} label.`);
    assert.equal(actuator.calls('exists'), 0);
    assert.equal((await getMachine('unlabelled')).status?.phase, undefined, 'not Failed: adding the label lets it proceed');
    await api(resourcePath(MACHINES, ns, 'unlabelled'), { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { [CLUSTER_ID_LABEL]: 'test' } } } });
    await waitForMachine('unlabelled', (m) => m.status?.phase === 'Provisioned', 'phase Provisioned after the fix');
  });

  it('makes exactly one instance when the controller restarts in the middle of a create', async () => {
    actuator.block('create');
    const blocked = actuator.waitUntilBlocked('create');
    await start(['machine']);
    await createMachine('restart');
    await blocked;
    await running!.stop(); // the create is cut short after the cloud made the instance, before any status write
    running = undefined;
    const before = await getMachine('restart');
    assert.equal(before.spec?.providerID, undefined);
    actuator.unblock('create');

    await start(['machine']);
    const provisioned = await waitForMachine('restart', (m) => m.status?.phase === 'Provisioned', 'phase Provisioned');
    assert.equal(actuator.instances.size, 1);
    assert.equal(actuator.calls('create'), 1, 'the restarted controller found the instance through exists()');
    assert.equal(provisioned.spec?.providerID, [...actuator.instances.values()][0].providerID);
  });

  it('deletes in order: drain, instance, Node, finalizer', async () => {
    const journal: string[] = [];
    const { node } = await (async () => {
      await start(['machine', 'drain', 'nodelink'], (client) => ({
        ...client,
        patch: (ref, namespace, name, type, body, sub) => {
          if (ref.plural === 'nodes' && (body as { spec?: { unschedulable?: boolean } }).spec?.unschedulable) journal.push('cordon');
          if (ref.plural === 'machines' && type === 'application/json-patch+json' && JSON.stringify(body).includes('"remove"')) journal.push('remove finalizer');
          return client.patch(ref, namespace, name, type, body, sub);
        },
        createSubresource: (ref, namespace, name, sub, body) => {
          if (sub === 'eviction') journal.push(`evict ${name}`);
          return client.createSubresource(ref, namespace, name, sub, body);
        },
        delete: (ref, namespace, name, options) => {
          if (ref.plural === 'nodes') journal.push('delete node');
          return client.delete(ref, namespace, name, options);
        },
      }));
      return runningMachineWithNode('doomed');
    })();
    await runPod('app', node);
    actuator.block('delete');
    const deleting = actuator.waitUntilBlocked('delete');
    await api(resourcePath(MACHINES, ns, 'doomed'), { method: 'DELETE' });
    await deleting;
    journal.push('delete instance');
    const drained = await getMachine('doomed');
    assert.equal(drained.status?.phase, 'Deleting');
    assert.equal(drained.status?.conditions?.find((c) => c.type === 'Drained')?.status, 'True');
    assert.equal(await exists(resourcePath(PODS, ns, 'app')), false, 'the pod was evicted before the instance delete');
    assert.equal(await exists(resourcePath(NODES, undefined, node)), true, 'the Node outlives the instance');
    actuator.unblock('delete');

    await waitFor(() => machineGone('doomed'), { timeoutMs: 8_000, message: 'the Machine to be gone' });
    assert.deepEqual(journal, ['cordon', 'evict app', 'delete instance', 'delete node', 'remove finalizer']);
    assert.equal(await exists(resourcePath(NODES, undefined, node)), false);
    assert.equal(actuator.instances.size, 0);
    await waitForEvent('doomed', 'DrainSucceeded');
  });

  it('skips the drain of a Machine annotated exclude-node-draining', async () => {
    await start();
    const { node } = await runningMachineWithNode('undrained', { annotations: { [EXCLUDE_NODE_DRAINING_ANNOTATION]: '' } });
    await runPod('stays', node);
    await api(resourcePath(MACHINES, ns, 'undrained'), { method: 'DELETE' });
    await waitFor(() => machineGone('undrained'), { timeoutMs: 8_000, message: 'the Machine to be gone' });
    assert.equal(await exists(resourcePath(PODS, ns, 'stays')), true, 'the pod was not evicted');
    const skipped = await waitForEvent('undrained', 'DrainSkipped');
    assert.equal(skipped.message, 'Node drain skipped');
  });

  it('holds the deletion while a PodDisruptionBudget refuses the eviction, until the drain timeout', async () => {
    await start();
    const { node } = await runningMachineWithNode('guarded', { annotations: { [DRAIN_TIMEOUT_ANNOTATION]: '2s' } });
    await runPod('db-0', node, { app: 'db' });
    await api(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, { method: 'POST', body: { metadata: { name: 'db' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } } });
    await waitFor(async () => {
      const pdb = await api<{ status?: { currentHealthy?: number; observedGeneration?: number } }>(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/db`);
      return pdb.status?.currentHealthy === 1;
    }, { message: 'the PDB status' });

    await api(resourcePath(MACHINES, ns, 'guarded'), { method: 'DELETE' });
    const blocked = await waitForMachine('guarded', (m) => m.status?.conditions?.some((c) => c.type === 'Drained' && c.reason === 'DrainError'), 'Drained=False DrainError');
    const condition = blocked.status?.conditions?.find((c) => c.type === 'Drained');
    assert.equal(condition?.status, 'False');
    assert.match(condition?.message ?? '', new RegExp(`pod ${ns}/db-0: Cannot evict pod as it would violate the pod's disruption budget: The disruption budget db needs 1 healthy pods and has 1 currently`));
    const requeued = await waitForEvent('guarded', 'DrainRequeued');
    assert.equal(requeued.type, 'Warning');
    assert.equal(actuator.calls('delete'), 0, 'the instance waits for the drain');

    await waitFor(() => machineGone('guarded'), { timeoutMs: 10_000, message: 'the Machine to be deleted after the timeout' });
    const timedOut = await waitForEvent('guarded', 'DrainTimeout');
    assert.equal(timedOut.type, 'Warning');
    assert.match(timedOut.message, /did not finish within 2s, proceeding with deletion/);
    assert.equal(await exists(resourcePath(PODS, ns, 'db-0')), true, 'the budget was never violated');
  });

  it('drains one control-plane node at a time', async () => {
    const journal: string[] = [];
    await start(['machine', 'drain', 'nodelink'], (client) => ({
      ...client,
      patch: (ref, namespace, name, type, body, sub) => {
        if (ref.plural === 'nodes' && (body as { spec?: { unschedulable?: boolean } }).spec?.unschedulable) journal.push(`cordon ${name}`);
        return client.patch(ref, namespace, name, type, body, sub);
      },
      delete: (ref, namespace, name, options) => {
        if (ref.plural === 'nodes') journal.push(`delete ${name}`);
        return client.delete(ref, namespace, name, options);
      },
    }));
    const controlPlane = { 'node-role.kubernetes.io/control-plane': '' };
    const first = await runningMachineWithNode('master-0', { annotations: { [DRAIN_TIMEOUT_ANNOTATION]: '2s' } }, controlPlane);
    const second = await runningMachineWithNode('master-1', {}, controlPlane);
    // A budget holds the first drain for its whole timeout, so the second deletion arrives while it is cordoned.
    await runPod('etcd-guard', first.node, { app: 'guard' });
    await api(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, { method: 'POST', body: { metadata: { name: 'guard' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'guard' } } } } });
    await waitFor(async () => (await api<{ status?: { currentHealthy?: number } }>(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/guard`)).status?.currentHealthy === 1);

    await api(resourcePath(MACHINES, ns, 'master-0'), { method: 'DELETE' });
    await waitFor(() => journal.includes(`cordon ${first.node}`), { message: 'the first control-plane node cordoned' });
    await api(resourcePath(MACHINES, ns, 'master-1'), { method: 'DELETE' });
    const held = await waitForEvent('master-1', 'DrainRequeued');
    assert.match(held.message, new RegExp(`control plane node ${first.node} is already cordoned`));

    await waitFor(async () => (await machineGone('master-0')) && (await machineGone('master-1')), { timeoutMs: 10_000, message: 'both Machines deleted' });
    assert.deepEqual(journal, [`cordon ${first.node}`, `delete ${first.node}`, `cordon ${second.node}`, `delete ${second.node}`]);
  });

  it('waits for preDrain hooks before draining and for preTerminate hooks before deleting the instance', async () => {
    await start();
    await runningMachineWithNode('hooked');
    await api(resourcePath(MACHINES, ns, 'hooked'), {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { spec: { lifecycleHooks: { preDrain: [{ name: 'HoldDrain', owner: 'test-owner' }], preTerminate: [{ name: 'HoldTerminate', owner: 'test-owner' }] } } },
    });
    await api(resourcePath(MACHINES, ns, 'hooked'), { method: 'DELETE' });
    await waitForEvent('hooked', 'DrainBlocked');
    const blocked = await getMachine('hooked');
    assert.equal(blocked.status?.conditions?.find((c) => c.type === 'Drained'), undefined);
    assert.equal(blocked.status?.conditions?.find((c) => c.type === 'Drainable')?.reason, 'HookPresent');

    await api(resourcePath(MACHINES, ns, 'hooked'), { method: 'PATCH', contentType: 'application/json-patch+json', body: [{ op: 'remove', path: '/spec/lifecycleHooks/preDrain' }] });
    const drained = await waitForMachine('hooked', (m) => m.status?.conditions?.some((c) => c.type === 'Drained' && c.status === 'True'), 'Drained=True');
    assert.equal(drained.status?.conditions?.find((c) => c.type === 'Terminable')?.status, 'False');
    assert.equal(actuator.calls('delete'), 0, 'the preTerminate hook holds the instance');

    await api(resourcePath(MACHINES, ns, 'hooked'), { method: 'PATCH', contentType: 'application/json-patch+json', body: [{ op: 'remove', path: '/spec/lifecycleHooks/preTerminate' }] });
    await waitFor(() => machineGone('hooked'), { timeoutMs: 8_000, message: 'the Machine to be gone' });
    assert.equal(actuator.calls('delete'), 1);
  });
});
