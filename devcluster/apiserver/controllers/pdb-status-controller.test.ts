import assert from 'node:assert/strict';
import type { ServerState } from '../handlers/context.ts';
import type { KubeObject, OwnerReference } from '../types.ts';
import { computePdbStatus, DELETION_TIMEOUT_MS, scaledValue, startPdbStatusController, type ControllerScale, type PdbStatus } from './pdb-status-controller.ts';
import { create, settle, testServer, waitFor } from './test-fixtures.ts';

const NOW = new Date('2025-01-01T00:10:00Z');
const RS_REF: OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true };

interface PodOptions {
  ready?: boolean;
  deleting?: boolean;
  owner?: OwnerReference;
  labels?: Record<string, string>;
}

function pod(name: string, options: PodOptions = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', labels: options.labels ?? { app: 'web' },
      ...(options.deleting ? { deletionTimestamp: '2025-01-01T00:09:00Z' } : {}),
      ...(options.owner ? { ownerReferences: [options.owner] } : {}),
    },
    spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }] },
  };
}

function pdb(spec: object, status?: Partial<PdbStatus>): KubeObject {
  return {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget',
    metadata: { name: 'budget', namespace: 'default', generation: 3 },
    spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
    ...(status ? { status } : {}),
  };
}

const replicaSetOf4 = (ref: OwnerReference): ControllerScale | undefined => (ref.uid === 'rs-uid' ? { uid: 'rs-uid', replicas: 4 } : undefined);
const owned = (name: string, options: PodOptions = {}): KubeObject => pod(name, { owner: RS_REF, ...options });

describe('PodDisruptionBudget status', () => {
  const cases: Array<{ name: string; spec: object; pods: KubeObject[]; expect: Pick<PdbStatus, 'expectedPods' | 'desiredHealthy' | 'currentHealthy' | 'disruptionsAllowed'> }> = [
    { name: 'an integer minAvailable counts the matching pods', spec: { minAvailable: 2 }, pods: [pod('a'), pod('b'), pod('c')],
      expect: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 } },
    { name: 'unready and deleting pods are not healthy', spec: { minAvailable: 1 }, pods: [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true })],
      expect: { expectedPods: 3, desiredHealthy: 1, currentHealthy: 1, disruptionsAllowed: 0 } },
    { name: 'a percentage minAvailable is taken of the controllers\' scale, rounded up', spec: { minAvailable: '50%' }, pods: [owned('a'), owned('b'), owned('c')],
      expect: { expectedPods: 4, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 } },
    { name: 'an integer maxUnavailable is subtracted from the expected scale', spec: { maxUnavailable: 1 }, pods: [owned('a'), owned('b'), owned('c', { ready: false })],
      expect: { expectedPods: 4, desiredHealthy: 3, currentHealthy: 2, disruptionsAllowed: 0 } },
    { name: 'a percentage maxUnavailable is rounded up', spec: { maxUnavailable: '30%' }, pods: [owned('a'), owned('b'), owned('c'), owned('d')],
      expect: { expectedPods: 4, desiredHealthy: 2, currentHealthy: 4, disruptionsAllowed: 2 } },
    { name: 'unmanaged pods do not count towards a percentage, so nothing may be disrupted', spec: { maxUnavailable: '50%' }, pods: [pod('a'), pod('b')],
      expect: { expectedPods: 0, desiredHealthy: 0, currentHealthy: 2, disruptionsAllowed: 0 } },
    { name: 'no matching pods allows no disruption', spec: { minAvailable: 0 }, pods: [],
      expect: { expectedPods: 0, desiredHealthy: 0, currentHealthy: 0, disruptionsAllowed: 0 } },
  ];
  for (const c of cases) {
    it(`computes the numbers: ${c.name}`, () => {
      const { status } = computePdbStatus({ pdb: pdb(c.spec), pods: c.pods, scaleOf: replicaSetOf4, now: NOW });
      const { expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed } = status;
      assert.deepEqual({ expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed }, c.expect);
    });
  }

  it('writes observedGeneration and the DisruptionAllowed condition with upstream reasons', () => {
    const allowed = computePdbStatus({ pdb: pdb({ minAvailable: 1 }), pods: [pod('a'), pod('b')], scaleOf: replicaSetOf4, now: NOW }).status;
    assert.deepEqual(allowed, {
      observedGeneration: 3, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 3, lastTransitionTime: '2025-01-01T00:10:00Z', reason: 'SufficientPods', message: '' }],
    });
    const later = new Date(NOW.getTime() + 60_000);
    const blocked = computePdbStatus({ pdb: pdb({ minAvailable: 2 }, allowed), pods: [pod('a'), pod('b')], scaleOf: replicaSetOf4, now: later }).status;
    assert.deepEqual(blocked.conditions, [{ type: 'DisruptionAllowed', status: 'False', observedGeneration: 3, lastTransitionTime: '2025-01-01T00:11:00Z', reason: 'InsufficientPods', message: '' }]);
  });

  it('keeps recent disruptedPods out of the healthy count and drops expired, deleting or unknown entries', () => {
    const recent = '2025-01-01T00:09:30Z';
    const expired = new Date(NOW.getTime() - DELETION_TIMEOUT_MS - 1000).toISOString().slice(0, 19) + 'Z';
    const outcome = computePdbStatus({
      pdb: pdb({ minAvailable: 1 }, { disruptedPods: { a: recent, b: expired, c: recent, gone: recent }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
      pods: [pod('a'), pod('b'), pod('c', { deleting: true })],
      scaleOf: replicaSetOf4,
      now: NOW,
    });
    assert.deepEqual(outcome.status.disruptedPods, { a: recent });
    assert.equal(outcome.status.currentHealthy, 1, 'only b counts: a was just evicted, c is deleting');
    assert.equal(outcome.status.disruptionsAllowed, 0);
    assert.deepEqual(outcome.recheckAt, new Date(Date.parse(recent) + DELETION_TIMEOUT_MS));
  });

  it('fails safe when a pod\'s controller cannot be found', () => {
    const outcome = computePdbStatus({ pdb: pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 }), pods: [pod('a', { owner: { ...RS_REF, uid: 'other' } })], scaleOf: replicaSetOf4, now: NOW });
    assert.equal(outcome.failed, true);
    assert.deepEqual(outcome.status, {
      disruptionsAllowed: 0, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3,
      conditions: [{ type: 'DisruptionAllowed', status: 'False', lastTransitionTime: '2025-01-01T00:10:00Z', reason: 'SyncFailed', message: 'found no controllers for pod "a"' }],
    });
  });

  it('scales integers and percentages as intstr does', () => {
    assert.equal(scaledValue(3, 10), 3);
    assert.equal(scaledValue('25%', 10), 3);
    assert.throws(() => scaledValue('25', 10), /string is not a percentage/);
    assert.throws(() => scaledValue('x%', 10), /invalid value "x%"/);
  });
});

describe('PodDisruptionBudget status controller', () => {
  let server: ServerState;
  let stop: () => void;
  const statusOf = (): PdbStatus | undefined => server.store.get('policy/poddisruptionbudgets', 'default', 'budget')?.object.status as PdbStatus | undefined;
  beforeEach(() => {
    server = testServer();
    stop = startPdbStatusController(server);
  });
  afterEach(() => stop());

  it('computes the status of a new budget and follows its pods', async () => {
    create(server, '/pods', pod('a'));
    create(server, '/pods', pod('b'));
    create(server, '/pods', pod('x', { labels: { app: 'db' } }));
    create(server, 'policy/poddisruptionbudgets', pdb({ minAvailable: 1 }));
    await waitFor('the first status', () => statusOf()?.disruptionsAllowed === 1);
    assert.equal(statusOf()?.expectedPods, 2, 'only pods the selector matches count');
    assert.equal(statusOf()?.observedGeneration, 3);

    const b = structuredClone(server.store.get('/pods', 'default', 'b')!.object) as KubeObject;
    b.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
    server.store.put('/pods', b);
    await waitFor('the budget to be exhausted', () => statusOf()?.disruptionsAllowed === 0);
    assert.equal(statusOf()?.currentHealthy, 1);
    const rv = server.store.resourceVersion;
    await settle();
    assert.equal(server.store.resourceVersion, rv, 'an unchanged status is not written again');
  });

  it('uses the Deployment\'s replicas for pods of a ReplicaSet it controls', async () => {
    const deployment = create(server, 'apps/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 5 } });
    const rs = create(server, 'apps/replicasets', {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: 'web-1', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: deployment.object.metadata.uid!, controller: true }] },
      spec: { replicas: 2 },
    });
    const ref: OwnerReference = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: rs.object.metadata.uid!, controller: true };
    create(server, '/pods', pod('a', { owner: ref }));
    create(server, '/pods', pod('b', { owner: ref }));
    create(server, 'policy/poddisruptionbudgets', pdb({ maxUnavailable: '20%' }));
    await waitFor('the status', () => statusOf()?.expectedPods !== undefined);
    assert.deepEqual([statusOf()?.expectedPods, statusOf()?.desiredHealthy], [5, 4]);
  });
});
