import assert from 'node:assert/strict';
import type { Machine } from '../../api/machine-v1beta1.ts';
import { deletePriority, selectMachinesToDelete, type DeletePolicyValue } from './delete-policy.ts';

const now = new Date('2026-11-20T10:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function machine(name: string, extra: { created?: string; deleting?: boolean; annotations?: Record<string, string>; error?: boolean; node?: boolean } = {}): Machine {
  return {
    metadata: {
      name,
      ...(extra.created ? { creationTimestamp: extra.created } : {}),
      ...(extra.deleting ? { deletionTimestamp: daysAgo(0) } : {}),
      ...(extra.annotations ? { annotations: extra.annotations } : {}),
    },
    status: {
      ...(extra.error ? { errorMessage: 'something wrong with the machine' } : {}),
      ...(extra.node ? { nodeRef: { kind: 'Node', name: `node-${name}` } } : {}),
    },
  };
}

const running = (name: string, days = 3) => machine(name, { node: true, created: daysAgo(days) });

describe('deletePriority', () => {
  const table: Array<{ name: string; m: Machine; policy: DeletePolicyValue; expected: number }> = [
    { name: 'gives a deleting Machine 100 under Random', m: machine('a', { deleting: true }), policy: 'Random', expected: 100 },
    { name: 'gives an annotated Machine 50 under Random', m: machine('a', { node: true, annotations: { 'machine.openshift.io/delete-machine': 'yes' } }), policy: 'Random', expected: 50 },
    { name: 'ignores the legacy annotation under Random', m: machine('a', { node: true, annotations: { 'machine.openshift.io/cluster-api-delete-machine': 'yes' } }), policy: 'Random', expected: 20 },
    { name: 'ignores an annotation with an empty value', m: machine('a', { node: true, annotations: { 'machine.openshift.io/delete-machine': '' } }), policy: undefined, expected: 20 },
    { name: 'gives a Machine with an error 50 under Random', m: machine('a', { node: true, error: true }), policy: '', expected: 50 },
    { name: 'gives a Machine without a nodeRef 40 under Random', m: machine('a'), policy: 'Random', expected: 40 },
    { name: 'gives a running Machine 20 under Random', m: running('a'), policy: 'Random', expected: 20 },
    { name: 'gives the legacy annotation 100 under Oldest', m: machine('a', { annotations: { 'machine.openshift.io/cluster-api-delete-machine': 'yes' } }), policy: 'Oldest', expected: 100 },
    { name: 'ignores the legacy annotation under Newest', m: machine('a', { created: daysAgo(10), annotations: { 'machine.openshift.io/cluster-api-delete-machine': 'yes' } }), policy: 'Newest', expected: 100 - 100 * (1 - Math.exp(-1)) },
    { name: 'gives an erroring Machine 100 under Newest', m: machine('a', { error: true }), policy: 'Newest', expected: 100 },
    { name: 'scores a ten-day-old Machine 100·(1−1/e) under Oldest', m: running('a', 10), policy: 'Oldest', expected: 100 * (1 - Math.exp(-1)) },
    { name: 'scores a Machine without creationTimestamp 0 under Oldest', m: machine('a', { node: true }), policy: 'Oldest', expected: 0 },
    { name: 'scores a Machine created in the future 0 under Oldest', m: running('a', -1), policy: 'Oldest', expected: 0 },
    { name: 'scores a Machine created in the future 100 under Newest', m: running('a', -1), policy: 'Newest', expected: 100 },
  ];
  for (const { name, m, policy, expected } of table) {
    it(name, () => assert.ok(Math.abs(deletePriority(m, policy, now) - expected) < 1e-9, `${deletePriority(m, policy, now)} != ${expected}`));
  }
});

describe('selectMachinesToDelete', () => {
  const table: Array<{ name: string; machines: Machine[]; count: number; policy: DeletePolicyValue; expected: string[] }> = [
    { name: 'deletes nothing when the count is zero', machines: [running('a')], count: 0, policy: 'Random', expected: [] },
    { name: 'deletes everything when the count exceeds the Machines', machines: [running('b'), running('a')], count: 3, policy: 'Random', expected: ['a', 'b'] },
    {
      name: 'deletes an erroring Machine before running ones under Random',
      machines: [running('a'), machine('b', { node: true, error: true }), running('c')],
      count: 2, policy: 'Random', expected: ['b', 'a'],
    },
    {
      name: 'deletes deleting, then annotated, then node-less Machines under Random',
      machines: [running('a'), machine('b'), machine('c', { node: true, annotations: { 'machine.openshift.io/delete-machine': 'true' } }), machine('d', { deleting: true })],
      count: 3, policy: undefined, expected: ['d', 'c', 'b'],
    },
    { name: 'breaks Random ties by name', machines: [running('c'), running('a'), running('b')], count: 2, policy: 'Random', expected: ['a', 'b'] },
    {
      name: 'deletes the oldest Machine first under Oldest',
      machines: [running('new', 5), running('oldest', 30), running('old', 10), running('newest', 1), machine('empty')],
      count: 3, policy: 'Oldest', expected: ['oldest', 'old', 'new'],
    },
    {
      name: 'deletes the newest Machine first under Newest',
      machines: [running('new', 5), running('oldest', 30), machine('gone', { deleting: true, created: daysAgo(20) }), running('old', 10), running('newest', 1)],
      count: 3, policy: 'Newest', expected: ['gone', 'newest', 'new'],
    },
    {
      name: 'deletes the annotated Machine rather than one over a year old under Oldest',
      machines: [running('ancient', 400), machine('z-annotated', { node: true, created: daysAgo(1), annotations: { 'machine.openshift.io/delete-machine': 'yes' } })],
      count: 1, policy: 'Oldest', expected: ['z-annotated'],
    },
    {
      name: 'deletes the annotated Machine rather than one created this second under Newest',
      machines: [machine('a-brand-new', { node: true, created: daysAgo(0) }), machine('b-annotated', { node: true, created: daysAgo(3), annotations: { 'machine.openshift.io/delete-machine': 'yes' } })],
      count: 1, policy: 'Newest', expected: ['b-annotated'],
    },
  ];
  for (const { name, machines, count, policy, expected } of table) {
    it(name, () => {
      const before = structuredClone(machines);
      assert.deepEqual(selectMachinesToDelete(machines, count, policy, now).map((m) => m.metadata.name), expected);
      assert.deepEqual(machines, before);
    });
  }
});
