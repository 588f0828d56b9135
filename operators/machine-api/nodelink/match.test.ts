import assert from 'node:assert/strict';
import type { Machine, Taint } from '../../api/machine-v1beta1.ts';
import type { Node } from '../node.ts';
import { APPLIED_NODE_METADATA_ANNOTATION, findMachineForNode, machineIndexes, nodeUpdatesFromMachine, readAppliedNodeMetadata, type NodePatch } from './match.ts';

function machine(name: string, providerID?: string, ips: string[] = [], spec: Machine['spec'] = {}): Machine {
  return {
    metadata: { name, namespace: 'openshift-machine-api' },
    spec: { ...spec, ...(providerID ? { providerID } : {}) },
    status: { addresses: ips.map((address) => ({ type: 'InternalIP' as const, address })) },
  };
}

describe('findMachineForNode', () => {
  const a = machine('a', 'aws:///z/i-a', ['10.0.0.1']);
  const b = machine('b', undefined, ['10.0.0.2']);
  const c = machine('c', undefined, ['10.0.0.2']);
  const d = machine('d', 'aws:///z/i-d', ['10.0.0.4']);
  const dupe = machine('dupe', 'aws:///z/i-d');
  const { byProviderID, byInternalIP } = machineIndexes([a, b, c, d, dupe]);
  const node = (providerID: string | undefined, ips: string[]): Node => ({
    spec: providerID ? { providerID } : {},
    status: { addresses: [{ type: 'Hostname', address: 'h' }, ...ips.map((address) => ({ type: 'InternalIP', address }))] },
  });

  const table: Array<{ name: string; node: Node; expected: string }> = [
    { name: 'matches by providerID', node: node('aws:///z/i-a', ['10.9.9.9']), expected: 'matched a by providerID' },
    { name: 'falls back to the first InternalIP when no Machine has the providerID', node: node('aws:///z/i-x', ['10.0.0.1', '10.0.0.2']), expected: 'matched a by internalIP' },
    { name: 'refuses to guess between two Machines with the same providerID', node: node('aws:///z/i-d', ['10.0.0.4']), expected: 'ambiguous by providerID: Found 2 machines with providerID "aws:///z/i-d": openshift-machine-api/d, openshift-machine-api/dupe' },
    { name: 'refuses to guess between two Machines with the same InternalIP', node: node(undefined, ['10.0.0.2']), expected: 'ambiguous by internalIP: Found 2 machines with internalIP "10.0.0.2": openshift-machine-api/b, openshift-machine-api/c' },
    { name: 'finds nothing for an unknown Node', node: node(undefined, ['192.168.0.1']), expected: 'none' },
  ];
  for (const t of table) {
    it(t.name, () => {
      const match = findMachineForNode(t.node, byProviderID, byInternalIP);
      const got =
        match.kind === 'matched' ? `matched ${match.machine.metadata.name} by ${match.by}` : match.kind === 'ambiguous' ? `ambiguous by ${match.by}: ${match.message}` : 'none';
      assert.equal(got, t.expected);
    });
  }
});

describe('nodeUpdatesFromMachine', () => {
  const record = (labels: string[], annotations: string[], taints: string[]) => JSON.stringify({ labels, annotations, taints });
  const withMeta = (labels: Record<string, string>, annotations: Record<string, string>, taints: Taint[] = []): Machine =>
    machine('worker-a', 'p', [], { metadata: { labels, annotations }, taints });
  const machineAnnotation = { 'machine.openshift.io/machine': 'openshift-machine-api/worker-a' };

  const table: Array<{ name: string; machine: Machine; node: Node; expected: NodePatch | undefined }> = [
    {
      name: 'applies labels, annotations, taints and the machine annotation to a fresh Node, and records them',
      machine: withMeta({ 'node-role.kubernetes.io/infra': '' }, { team: 'x' }, [{ key: 'infra', effect: 'NoSchedule' }]),
      node: { metadata: { resourceVersion: '7', labels: { 'kubernetes.io/hostname': 'n' } }, spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] } },
      expected: {
        metadata: {
          resourceVersion: '7',
          labels: { 'node-role.kubernetes.io/infra': '' },
          annotations: { team: 'x', ...machineAnnotation, [APPLIED_NODE_METADATA_ANNOTATION]: record(['node-role.kubernetes.io/infra'], ['team'], ['infra:NoSchedule']) },
        },
        spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'infra', effect: 'NoSchedule' }] },
      },
    },
    {
      name: 'changes nothing when the Node already carries everything',
      machine: withMeta({ role: 'infra' }, {}, [{ key: 'infra', effect: 'NoSchedule' }]),
      node: {
        metadata: { labels: { role: 'infra' }, annotations: { ...machineAnnotation, [APPLIED_NODE_METADATA_ANNOTATION]: record(['role'], [], ['infra:NoSchedule']) } },
        spec: { taints: [{ key: 'infra', effect: 'NoSchedule' }] },
      },
      expected: undefined,
    },
    {
      name: 'removes what the Machine applied before and no longer has, and leaves other keys alone',
      machine: withMeta({ keep: 'yes' }, {}),
      node: {
        metadata: {
          resourceVersion: '9',
          labels: { keep: 'yes', dropped: 'x', 'kubernetes.io/hostname': 'n' },
          annotations: { ...machineAnnotation, old: 'x', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', [APPLIED_NODE_METADATA_ANNOTATION]: record(['dropped', 'keep'], ['old'], ['infra:NoSchedule']) },
        },
        spec: { taints: [{ key: 'infra', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] },
      },
      expected: {
        metadata: {
          resourceVersion: '9',
          labels: { dropped: null },
          annotations: { old: null, [APPLIED_NODE_METADATA_ANNOTATION]: record(['keep'], [], []) },
        },
        spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] },
      },
    },
    {
      name: 'deletes the record once the Machine declares nothing',
      machine: withMeta({}, {}),
      node: { metadata: { labels: { gone: 'x' }, annotations: { ...machineAnnotation, [APPLIED_NODE_METADATA_ANNOTATION]: record(['gone'], [], []) } } },
      expected: { metadata: { labels: { gone: null }, annotations: { [APPLIED_NODE_METADATA_ANNOTATION]: null } } },
    },
    {
      name: 'updates a label value and a taint value the Machine changed',
      machine: withMeta({ tier: 'gold' }, {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]),
      node: {
        metadata: { labels: { tier: 'silver' }, annotations: { ...machineAnnotation, [APPLIED_NODE_METADATA_ANNOTATION]: record(['tier'], [], ['dedicated:NoSchedule']) } },
        spec: { taints: [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }] },
      },
      expected: { metadata: { labels: { tier: 'gold' } }, spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } },
    },
    {
      name: 'removes none of the Node keys when the record is unreadable, only the record itself',
      machine: withMeta({}, {}),
      node: { metadata: { labels: { someone: 'else' }, annotations: { ...machineAnnotation, [APPLIED_NODE_METADATA_ANNOTATION]: '{not json' } } },
      expected: { metadata: { annotations: { [APPLIED_NODE_METADATA_ANNOTATION]: null } } },
    },
    {
      name: 'leaves a Node that is being deleted alone',
      machine: withMeta({ a: 'b' }, {}),
      node: { metadata: { deletionTimestamp: '2026-11-20T10:00:00Z' } },
      expected: undefined,
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const before = structuredClone(t.node);
      assert.deepEqual(nodeUpdatesFromMachine(t.machine, t.node), t.expected);
      assert.deepEqual(t.node, before);
    });
  }

  it('reads the record it writes', () => {
    const patch = nodeUpdatesFromMachine(withMeta({ b: '1', a: '2' }, { z: 'z' }, [{ key: 'k', effect: 'NoExecute' }]), {});
    const written = patch?.metadata?.annotations?.[APPLIED_NODE_METADATA_ANNOTATION] ?? '';
    assert.deepEqual(readAppliedNodeMetadata({ metadata: { annotations: { [APPLIED_NODE_METADATA_ANNOTATION]: written } } }), {
      labels: ['a', 'b'],
      annotations: ['z'],
      taints: ['k:NoExecute'],
    });
  });
});
