import assert from 'node:assert/strict';
import type { Machine, MachineSet } from '../../api/machine-v1beta1.ts';
import type { Node } from '../node.ts';
import { computeMachineSetStatus, MIN_REQUEUE_MS, scalePlan } from './status.ts';

const now = new Date('2026-11-20T10:00:00Z');
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000).toISOString();

const selectorLabels = { 'machine.openshift.io/cluster-api-machineset': 'workers' };
function machineSet(spec: Partial<NonNullable<MachineSet['spec']>> = {}): MachineSet {
  return {
    metadata: { name: 'workers', namespace: 'ns', generation: 4 },
    spec: {
      replicas: 3,
      selector: { matchLabels: selectorLabels },
      template: { metadata: { labels: { ...selectorLabels, role: 'worker' } } },
      ...spec,
    },
    status: { conditions: [{ type: 'Custom', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  };
}

function machine(name: string, opts: { labels?: Record<string, string>; deleting?: boolean; node?: string; created?: string } = {}): Machine {
  return {
    metadata: {
      name,
      labels: opts.labels ?? { ...selectorLabels, role: 'worker' },
      creationTimestamp: opts.created ?? secondsAgo(86_400),
      ...(opts.deleting ? { deletionTimestamp: secondsAgo(1) } : {}),
    },
    status: opts.node ? { nodeRef: { kind: 'Node', name: opts.node } } : {},
  };
}

function readyNode(readyForSeconds: number | undefined, status = 'True'): Node {
  return {
    status: {
      conditions: [{ type: 'Ready', status, ...(readyForSeconds !== undefined ? { lastTransitionTime: secondsAgo(readyForSeconds) } : {}) }],
    },
  };
}

describe('computeMachineSetStatus', () => {
  it('counts replicas, fully labeled, ready and available Machines, skipping deleting and unselected ones', () => {
    const nodes: Record<string, Node> = { n1: readyNode(600), n2: readyNode(600, 'False'), n4: readyNode(600) };
    const owned = [
      machine('a', { node: 'n1' }),
      machine('b', { node: 'n2', labels: selectorLabels }), // selected, but missing the template's role label
      machine('c'), // no node yet
      machine('d', { node: 'n4', deleting: true }),
      machine('e', { node: 'n1', labels: { role: 'worker' } }), // not selected
    ];
    const result = computeMachineSetStatus(machineSet(), owned, (m) => nodes[m.status?.nodeRef?.name ?? ''], now);
    assert.deepEqual(result, {
      status: {
        replicas: 3,
        fullyLabeledReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
        observedGeneration: 4,
        labelSelector: 'machine.openshift.io/cluster-api-machineset=workers',
        conditions: [{ type: 'Custom', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      },
    });
  });

  const availability: Array<{ name: string; minReadySeconds: number; node: Node; available: number; requeueAfterMs?: number }> = [
    { name: 'counts a ready Machine as available at once without minReadySeconds', minReadySeconds: 0, node: readyNode(0), available: 1 },
    { name: 'counts a Machine ready for longer than minReadySeconds as available', minReadySeconds: 60, node: readyNode(61), available: 1 },
    { name: 'requeues when a ready Machine becomes available later', minReadySeconds: 60, node: readyNode(20), available: 0, requeueAfterMs: 40_001 },
    { name: 'requeues no sooner than the floor', minReadySeconds: 60, node: readyNode(60), available: 0, requeueAfterMs: MIN_REQUEUE_MS },
    { name: 'never counts a Ready condition without lastTransitionTime as available, and does not requeue for it', minReadySeconds: 60, node: readyNode(undefined), available: 0 },
  ];
  for (const { name, minReadySeconds, node, available, requeueAfterMs } of availability) {
    it(name, () => {
      const result = computeMachineSetStatus(machineSet({ minReadySeconds }), [machine('a', { node: 'n' })], () => node, now);
      assert.equal(result.status.readyReplicas, 1);
      assert.equal(result.status.availableReplicas, available);
      assert.equal(result.requeueAfterMs, requeueAfterMs);
    });
  }

  it('reports an invalid MachineSet in errorReason and errorMessage and leaves out an empty selector string', () => {
    const result = computeMachineSetStatus(machineSet({ selector: {} }), [machine('a')], () => undefined, now);
    assert.equal(result.status.errorReason, 'InvalidConfiguration');
    assert.equal(result.status.errorMessage, 'spec.selector: Invalid value: {}: empty selector is not valid for MachineSet');
    assert.equal(result.status.labelSelector, undefined);
    assert.equal(result.status.replicas, 1);
  });

  it('clears errorReason once the MachineSet is valid again', () => {
    const ms = { ...machineSet(), status: { errorReason: 'InvalidConfiguration' as const, errorMessage: 'old' } };
    const result = computeMachineSetStatus(ms, [], () => undefined, now);
    assert.equal('errorReason' in result.status, false);
    assert.equal('errorMessage' in result.status, false);
  });
});

describe('scalePlan', () => {
  const table: Array<{ name: string; ms: MachineSet; owned: Machine[]; create: number; deleted: string[] }> = [
    { name: 'creates the missing Machines', ms: machineSet({ replicas: 3 }), owned: [machine('a')], create: 2, deleted: [] },
    {
      name: 'replaces a Machine that is being deleted at once',
      ms: machineSet({ replicas: 2 }),
      owned: [machine('a', { node: 'n' }), machine('b', { deleting: true })],
      create: 1,
      deleted: [],
    },
    {
      name: 'deletes the surplus by delete policy',
      ms: machineSet({ replicas: 1, deletePolicy: 'Newest' }),
      owned: [machine('old', { node: 'n', created: secondsAgo(864_000) }), machine('new', { node: 'n', created: secondsAgo(60) })],
      create: 0,
      deleted: ['new'],
    },
    { name: 'does nothing at the desired count', ms: machineSet({ replicas: 1 }), owned: [machine('a')], create: 0, deleted: [] },
    { name: 'defaults absent replicas to one', ms: machineSet({ replicas: undefined }), owned: [], create: 1, deleted: [] },
    { name: 'plans nothing for an invalid MachineSet', ms: machineSet({ selector: { matchLabels: { other: 'x' } } }), owned: [], create: 0, deleted: [] },
  ];
  for (const { name, ms, owned, create, deleted } of table) {
    it(name, () => {
      const plan = scalePlan(ms, owned, now);
      assert.equal(plan.create, create);
      assert.deepEqual(plan.delete.map((m) => m.metadata.name), deleted);
    });
  }
});
