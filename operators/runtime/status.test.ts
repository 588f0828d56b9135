import assert from 'node:assert/strict';
import { KubeApiError } from './errors.ts';
import { addFinalizer, addFinalizerPatch, removeFinalizer, removeFinalizerPatch } from './finalizers.ts';
import { resourcePath, type ResourceWriter, type ResourceRef } from './resource-client.ts';
import { mergePatchDiff, writeStatus } from './status.ts';
import type { KubeObject } from './watcher.ts';

const MACHINES: ResourceRef = { group: 'machine.openshift.io', version: 'v1beta1', plural: 'machines' };

type Patch = { path: string; type: string; body: unknown };
function fakeClient(fail?: Error): ResourceWriter & { patches: Patch[] } {
  const client: ResourceWriter & { patches: Patch[] } = {
    patches: [],
    async patch(ref, ns, name, type, body, sub) {
      if (fail) throw fail;
      client.patches.push({ path: resourcePath(ref, ns, name, sub), type, body });
      return {};
    },
    async create() {
      throw new Error('not used');
    },
  };
  return client;
}

describe('mergePatchDiff', () => {
  const table: Array<[name: string, before: unknown, after: unknown, expected: unknown]> = [
    ['is undefined for equal values', { phase: 'Running', n: [1, 2] }, { phase: 'Running', n: [1, 2] }, undefined],
    ['sets changed scalars', { phase: 'Provisioning' }, { phase: 'Running' }, { phase: 'Running' }],
    ['nulls fields that are gone', { phase: 'Running', errorMessage: 'x' }, { phase: 'Running' }, { errorMessage: null }],
    ['recurses into objects', { a: { b: 1, c: 2 } }, { a: { b: 1, c: 3 } }, { a: { c: 3 } }],
    ['replaces arrays whole', { addresses: [{ a: 1 }] }, { addresses: [{ a: 1 }, { a: 2 }] }, { addresses: [{ a: 1 }, { a: 2 }] }],
    ['adds a status to an object without one', undefined, { phase: 'Running' }, { phase: 'Running' }],
    ['ignores undefined fields on both sides', { a: undefined, b: 1 }, { b: 1, c: undefined }, undefined],
  ];
  for (const [name, before, after, expected] of table) {
    it(name, () => assert.deepEqual(mergePatchDiff(before, after), expected));
  }
});

describe('writeStatus', () => {
  const machine = {
    metadata: { name: 'm1', namespace: 'ns', resourceVersion: '42' },
    status: { phase: 'Provisioning', errorMessage: 'old' },
  };

  it('sends nothing when the computed status equals the one read', async () => {
    const client = fakeClient();
    assert.equal(await writeStatus(client, MACHINES, machine, { phase: 'Provisioning', errorMessage: 'old' }), 'unchanged');
    assert.deepEqual(client.patches, []);
  });

  it('merge-patches only the difference to /status, locked to the resourceVersion read', async () => {
    const client = fakeClient();
    assert.equal(await writeStatus(client, MACHINES, machine, { phase: 'Running' }), 'patched');
    assert.deepEqual(client.patches, [
      {
        path: '/apis/machine.openshift.io/v1beta1/namespaces/ns/machines/m1/status',
        type: 'application/merge-patch+json',
        body: { status: { phase: 'Running', errorMessage: null }, metadata: { resourceVersion: '42' } },
      },
    ]);
  });

  it('reports an object deleted meanwhile as gone and passes a conflict on', async () => {
    assert.equal(await writeStatus(fakeClient(new KubeApiError(404, undefined)), MACHINES, machine, {}), 'gone');
    await assert.rejects(writeStatus(fakeClient(new KubeApiError(409, { reason: 'Conflict' })), MACHINES, machine, {}), { code: 409 });
  });
});

describe('finalizers', () => {
  const F = 'machine.machine.openshift.io';
  const withFinalizers = (finalizers?: string[], deleting = false): KubeObject => ({
    metadata: { name: 'm1', namespace: 'ns', finalizers, ...(deleting ? { deletionTimestamp: '2026-11-20T10:00:00Z' } : {}) },
  });

  const addTable: Array<[name: string, finalizers: string[] | undefined, expected: unknown]> = [
    [
      'creates a missing list, guarded by a test for null',
      undefined,
      [{ op: 'test', path: '/metadata/finalizers', value: null }, { op: 'add', path: '/metadata/finalizers', value: [F] }],
    ],
    [
      'creates an empty list, guarded by a test for []',
      [],
      [{ op: 'test', path: '/metadata/finalizers', value: [] }, { op: 'add', path: '/metadata/finalizers', value: [F] }],
    ],
    [
      'appends after the entries read, guarded by a test of the whole list',
      ['other'],
      [{ op: 'test', path: '/metadata/finalizers', value: ['other'] }, { op: 'add', path: '/metadata/finalizers/-', value: F }],
    ],
    ['does nothing when present', ['other', F], undefined],
  ];
  for (const [name, finalizers, expected] of addTable) {
    it(`addFinalizerPatch ${name}`, () => assert.deepEqual(addFinalizerPatch(withFinalizers(finalizers), F), expected));
  }

  it('removeFinalizerPatch removes by index, guarded by a test of that entry', () => {
    assert.deepEqual(removeFinalizerPatch(withFinalizers(['a', F, 'b']), F), [
      { op: 'test', path: '/metadata/finalizers/1', value: F },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    assert.equal(removeFinalizerPatch(withFinalizers(['a']), F), undefined);
  });

  it('addFinalizer sends a JSON patch and leaves a deleting object alone', async () => {
    const client = fakeClient();
    assert.equal(await addFinalizer(client, MACHINES, withFinalizers(undefined, true), F), false);
    assert.equal(await addFinalizer(client, MACHINES, withFinalizers(['other']), F), true);
    assert.deepEqual(client.patches.map((p) => [p.path, p.type]), [
      ['/apis/machine.openshift.io/v1beta1/namespaces/ns/machines/m1', 'application/json-patch+json'],
    ]);
  });

  it('removeFinalizer treats an object already gone as done', async () => {
    assert.equal(await removeFinalizer(fakeClient(new KubeApiError(404, undefined)), MACHINES, withFinalizers([F]), F), false);
  });
});
