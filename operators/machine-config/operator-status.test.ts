import assert from 'node:assert/strict';
import type { ClusterOperatorStatus } from '../api/config-v1.ts';
import type { MachineConfigPool } from '../api/machineconfiguration-v1.ts';
import { computeOperatorStatus, isRequiredPool, kubeletSkewVerdict, type NodeKubelet } from './operator-status.ts';
import type { TargetResult } from './target.ts';

const NOW = new Date('2026-08-22T12:00:00Z');
const TARGET: TargetResult = {
  ok: true,
  target: { releaseVersion: '4.2.0', osImageURL: 'x@sha256:' + 'a'.repeat(64), osImageName: 'RHCOS 4.2.0', kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'cri-o://1.33.0' },
};
const expectedConfig = (pool: MachineConfigPool) => `rendered-${pool.metadata?.name}-new`;

function pool(name: string, state: 'updated' | 'updating' | 'degraded', over: { labels?: Record<string, string>; paused?: boolean; selector?: Record<string, string> } = {}): MachineConfigPool {
  const conditions = [
    { type: 'Updated', status: state === 'updated' ? 'True' : 'False', message: '' },
    { type: 'Degraded', status: state === 'degraded' ? 'True' : 'False', message: state === 'degraded' ? `Node ${name}-0 is reporting: "boom"` : '' },
  ] as const;
  return {
    metadata: { name, generation: 2, labels: over.labels },
    spec: { paused: over.paused, nodeSelector: { matchLabels: over.selector ?? { [`node-role.kubernetes.io/${name}`]: '' } } },
    status: {
      observedGeneration: 2,
      configuration: { name: state === 'updated' ? `rendered-${name}-new` : `rendered-${name}-old` },
      machineCount: 3,
      updatedMachineCount: state === 'updated' ? 3 : 1,
      conditions: [...conditions],
    },
  };
}

const previous41: ClusterOperatorStatus = { versions: [{ name: 'operator', version: '4.1.0' }], conditions: [] };
const synced: NodeKubelet[] = [{ name: 'n1', kubeletVersion: 'v1.33.0' }];

function status(pools: MachineConfigPool[], nodes: NodeKubelet[] = synced, previous = previous41, target = TARGET) {
  return computeOperatorStatus({ pools, target, expectedConfig, nodes, previous, now: NOW });
}
const cond = (s: ClusterOperatorStatus, type: string) => {
  const c = s.conditions?.find((x) => x.type === type);
  return c && [c.status, c.reason, c.message];
};
const master = (state: 'updated' | 'updating' | 'degraded') => pool('master', state, { labels: { 'operator.machineconfiguration.openshift.io/required-for-upgrade': '' } });

describe('isRequiredPool', () => {
  const cases: Array<[string, MachineConfigPool, boolean]> = [
    ['the labelled master pool', master('updated'), true],
    ['the worker pool (machine-fleet: every node runs the release)', pool('worker', 'updated'), true],
    ['a custom pool carved from workers', pool('infra', 'updated', { selector: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/infra': '' } }), true],
    ['a worker pool opted out', pool('worker', 'updated', { labels: { 'machine-fleet.io/required-for-upgrade': 'false' } }), false],
    ['a custom pool that selects no worker role', pool('gpu', 'updated'), false],
  ];
  for (const [name, p, want] of cases) it(`says ${want} for ${name}`, () => assert.equal(isRequiredPool(p), want));
});

describe('computeOperatorStatus', () => {
  it('keeps reporting the previous version while a required pool updates, and says what it waits for', () => {
    const s = status([master('updated'), pool('worker', 'updating')]);
    assert.deepEqual(s.versions, [{ name: 'operator', version: '4.1.0' }]);
    assert.deepEqual(cond(s, 'Progressing'), ['True', '', 'Working towards 4.2.0: pool worker has 1 of 3 nodes updated to rendered-worker-new']);
    assert.deepEqual(cond(s, 'Available'), ['True', 'AsExpected', 'Cluster has deployed [{operator 4.1.0}]']);
    assert.deepEqual(cond(s, 'Degraded'), ['False', 'AsExpected', '']);
    assert.deepEqual(cond(s, 'Upgradeable'), ['False', 'PoolUpdating', 'One or more machine config pools are updating, please see `oc get mcp` for further details: worker']);
  });

  it('reports the new version once every required pool runs the new config', () => {
    const s = status([master('updated'), pool('worker', 'updated'), pool('gpu', 'updating', { paused: true })]);
    assert.deepEqual(s.versions, [{ name: 'operator', version: '4.2.0' }]);
    assert.deepEqual(cond(s, 'Progressing'), ['False', '', 'Cluster version is 4.2.0']);
    assert.deepEqual(cond(s, 'Upgradeable'), ['True', 'AsExpected', '']);
  });

  it('does not count a required pool whose status lags its spec, or that is paused', () => {
    const lagging = pool('worker', 'updated');
    const stale = { ...lagging, metadata: { ...lagging.metadata, generation: 3 } };
    assert.deepEqual(status([master('updated'), stale]).versions, [{ name: 'operator', version: '4.1.0' }]);
    const paused = pool('worker', 'updating', { paused: true });
    assert.match(cond(status([master('updated'), paused]), 'Progressing')![2]!, /Required MachineConfigPool worker is paused and can not sync until it is unpaused/);
  });

  it('holds the version and goes Degraded and not Upgradeable while any pool is degraded', () => {
    const s = status([master('updated'), pool('worker', 'degraded')]);
    assert.deepEqual(s.versions, [{ name: 'operator', version: '4.1.0' }]);
    assert.deepEqual(cond(s, 'Degraded'), ['True', 'RequiredPoolsFailed', 'Failed to resync 4.2.0 because: pool worker is degraded: Node worker-0 is reporting: "boom"']);
    assert.equal(cond(s, 'Upgradeable')![1], 'DegradedPool');
    const custom = status([master('updated'), pool('worker', 'updated'), pool('gpu', 'degraded')]);
    assert.deepEqual([custom.versions, cond(custom, 'Degraded')![1]], [[{ name: 'operator', version: '4.1.0' }], 'MachineConfigPoolsDegraded']);
  });

  it('refuses the next minor update while kubelets are too old for it', () => {
    const s = status([master('updated'), pool('worker', 'updated')], [{ name: 'n1', kubeletVersion: 'v1.33.0' }, { name: 'n2', kubeletVersion: 'v1.32.0' }]);
    assert.deepEqual(cond(s, 'Upgradeable'), ['False', 'KubeletMinorVersionUnsupportedNextUpgrade', 'Kubelet minor version (1.32.0) on node n2 will not be supported in the next OpenShift minor version upgrade.']);
  });

  it('waits without degrading while the osimageurl ConfigMap is missing, and degrades when it is malformed', () => {
    const missing = status([], synced, previous41, { ok: false, missing: true, message: 'ConfigMap x not found' });
    assert.deepEqual([cond(missing, 'Progressing')![0], cond(missing, 'Degraded')![0], missing.versions], ['True', 'False', [{ name: 'operator', version: '4.1.0' }]]);
    const bad = status([], synced, previous41, { ok: false, missing: false, message: 'ConfigMap x: data.releaseVersion: required' });
    assert.deepEqual(cond(bad, 'Degraded'), ['True', 'InvalidOSImageURL', 'ConfigMap x: data.releaseVersion: required']);
  });

  it('lists the related objects with the namespace the CRD would default', () => {
    assert.deepEqual(status([]).relatedObjects?.[0], { group: '', resource: 'namespaces', namespace: '', name: 'openshift-machine-config-operator' });
  });
});

describe('kubeletSkewVerdict', () => {
  const cases: Array<{ name: string; release: string; api: string; kubelets: Array<string | undefined>; want: [string, string] }> = [
    { name: 'synced kubelets', release: '4.12.0', api: 'v1.25.0', kubelets: ['v1.25.3'], want: ['True', 'AsExpected'] },
    { name: 'one minor behind on an odd minor (next even allows −2)', release: '4.13.0', api: 'v1.26.0', kubelets: ['v1.25.0'], want: ['True', 'AsExpected'] },
    { name: 'one minor behind on an even minor (next odd allows −1)', release: '4.12.0', api: 'v1.25.0', kubelets: ['v1.24.9'], want: ['False', 'KubeletMinorVersionUnsupportedNextUpgrade'] },
    { name: 'two minors behind on an even minor', release: '4.12.0', api: 'v1.25.0', kubelets: ['v1.23.0'], want: ['False', 'KubeletMinorVersionUnsupportedNextUpgrade'] },
    { name: 'three minors behind', release: '4.12.0', api: 'v1.25.0', kubelets: ['v1.22.0'], want: ['False', 'KubeletMinorVersionUnsupported'] },
    { name: 'a kubelet ahead of the API server', release: '4.12.0', api: 'v1.25.0', kubelets: ['v1.26.0'], want: ['Unknown', 'KubeletMinorVersionAhead'] },
    { name: 'a node without a kubelet version', release: '4.12.0', api: 'v1.25.0', kubelets: [undefined], want: ['Unknown', 'KubeletVersionUnknown'] },
  ];
  for (const c of cases) {
    it(`says ${c.want.join('/')} for ${c.name}`, () => {
      const got = kubeletSkewVerdict(c.kubelets.map((kubeletVersion, i) => ({ name: `n${i}`, kubeletVersion })), c.release, c.api);
      assert.deepEqual([got.status, got.reason], c.want);
    });
  }

  it('names up to three nodes, then counts', () => {
    const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `n${i}`, kubeletVersion: 'v1.24.0' }));
    assert.equal(kubeletSkewVerdict(nodes(3), '4.12.0', 'v1.25.0').message, 'Kubelet minor versions on nodes n0, n1, and n2 will not be supported in the next OpenShift minor version upgrade.');
    assert.equal(kubeletSkewVerdict(nodes(4), '4.12.0', 'v1.25.0').message, 'Kubelet minor versions on 4 nodes will not be supported in the next OpenShift minor version upgrade.');
  });
});
