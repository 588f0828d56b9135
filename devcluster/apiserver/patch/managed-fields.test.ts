import assert from 'node:assert/strict';
import type { JsonObject, KubeObject, ManagedFieldsEntry, SchemaNode } from '../types.ts';
import { isManagedFieldsReset, updateManagedFieldsForUpdate, type UpdateInput } from './managed-fields.ts';
import { fromFieldsV1, renderPath, toFieldsV1, memberPaths } from './field-set.ts';

const T0 = '2024-05-01T10:00:00Z';
const NOW = '2024-05-01T12:00:00Z';

const schema: SchemaNode = {
  type: 'object',
  properties: {
    data: { type: 'object', additionalProperties: { type: 'string' } },
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        containers: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object' } },
      },
    },
  },
};

function obj(body: JsonObject, metadata: JsonObject = {}, managedFields?: ManagedFieldsEntry[]): KubeObject {
  const meta: KubeObject['metadata'] = { name: 'o', namespace: 'default', uid: 'u', resourceVersion: '1', ...metadata };
  if (managedFields) meta.managedFields = managedFields;
  return { apiVersion: 'v1', kind: 'Thing', metadata: meta, ...body };
}

function entry(manager: string, operation: 'Apply' | 'Update', fieldsV1: JsonObject, time = T0, extra: Partial<ManagedFieldsEntry> = {}): ManagedFieldsEntry {
  return { manager, operation, apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1, ...extra };
}

function update(before: KubeObject | undefined, after: KubeObject, overrides: Partial<UpdateInput> = {}): ManagedFieldsEntry[] {
  return updateManagedFieldsForUpdate({ before, after, manager: 'ctrl', apiVersion: 'v1', now: NOW, schema, ...overrides });
}

describe('updateManagedFieldsForUpdate', () => {
  it('gives a create every field it set, with "." on maps it added, and no identity fields', () => {
    const created = obj({ data: { k: 'v' } }, { labels: { a: 'b' }, creationTimestamp: T0 });
    assert.deepEqual(update(undefined, created, { manager: 'kubectl-create' }), [
      entry('kubectl-create', 'Update', { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } }, NOW),
    ]);
  });

  it('takes over the fields an update changes from every other manager', () => {
    const mf = [entry('kubectl', 'Apply', { 'f:spec': { 'f:replicas': {}, 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:image': {} } } } })];
    const before = obj({ spec: { replicas: 1, containers: [{ name: 'a', image: 'a:1' }] } }, {}, mf);
    const after = obj({ spec: { replicas: 1, containers: [{ name: 'a', image: 'a:2' }] } }, {}, mf);
    assert.deepEqual(update(before, after), [
      entry('kubectl', 'Apply', { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:name': {} } }, 'f:replicas': {} } }),
      entry('ctrl', 'Update', { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { 'f:image': {} } } } }, NOW),
    ]);
  });

  it('leaves entries and times alone when the write changes nothing but bookkeeping', () => {
    const mf = [entry('ctrl', 'Update', { 'f:spec': { 'f:replicas': {} } })];
    const before = obj({ spec: { replicas: 1 } }, {}, mf);
    const after = obj({ spec: { replicas: 1 } }, { resourceVersion: '2', generation: 2 }, mf);
    assert.deepEqual(update(before, after), mf);
  });

  it('removes a deleted field from its owners and drops an entry left empty', () => {
    const mf = [entry('kubectl', 'Apply', { 'f:spec': { 'f:replicas': {} } }), entry('ctrl', 'Update', { 'f:data': { 'f:k': {} } })];
    const before = obj({ spec: { replicas: 1 }, data: { k: 'v' } }, {}, mf);
    const after = obj({ spec: {}, data: { k: 'v' } }, {}, mf);
    assert.deepEqual(update(before, after, { manager: 'editor' }), [entry('ctrl', 'Update', { 'f:data': { 'f:k': {} } })]);
  });

  it('merges into the manager\'s existing entry for the same apiVersion and moves its time', () => {
    const mf = [entry('ctrl', 'Update', { 'f:data': { 'f:k': {} } })];
    const before = obj({ data: { k: 'v' } }, {}, mf);
    const after = obj({ data: { k: 'v', l: 'w' } }, {}, mf);
    assert.deepEqual(update(before, after), [entry('ctrl', 'Update', { 'f:data': { 'f:k': {}, 'f:l': {} } }, NOW)]);
  });

  it('keeps separate entries per apiVersion and per subresource', () => {
    const mf = [entry('ctrl', 'Update', { 'f:data': { 'f:k': {} } })];
    const before = obj({ data: { k: 'v' }, status: { phase: 'A' } }, {}, mf);
    const after = obj({ data: { k: 'v' }, status: { phase: 'B' } }, {}, mf);
    assert.deepEqual(update(before, after, { subresource: 'status', apiVersion: 'v2' }), [
      entry('ctrl', 'Update', { 'f:data': { 'f:k': {} } }),
      entry('ctrl', 'Update', { 'f:status': { 'f:phase': {} } }, NOW, { apiVersion: 'v2', subresource: 'status' }),
    ]);
  });

  it('sorts Apply entries first, then by time and manager', () => {
    const mf = [
      entry('z', 'Update', { 'f:data': { 'f:z': {} } }, '2024-01-01T00:00:00Z'),
      entry('b', 'Apply', { 'f:data': { 'f:b': {} } }, '2024-03-01T00:00:00Z'),
      entry('a', 'Apply', { 'f:data': { 'f:a': {} } }, '2024-03-01T00:00:00Z'),
    ];
    const before = obj({ data: { z: '1', a: '1', b: '1' } }, {}, mf);
    const after = obj({ data: { z: '1', a: '1', b: '1', c: '1' } }, {}, mf);
    assert.deepEqual(update(before, after).map((e) => e.manager), ['a', 'b', 'z', 'ctrl']);
  });

  it('starts from the managedFields a client sent instead of the live ones', () => {
    const live = [entry('old', 'Update', { 'f:data': { 'f:k': {} } })];
    const sent = [entry('edited', 'Update', { 'f:data': { 'f:k': {} } })];
    const result = update(obj({ data: { k: 'v' } }, {}, live), obj({ data: { k: 'v' } }, {}, sent));
    assert.deepEqual(result.map((e) => e.manager), ['edited']);
  });

  it('ignores managedFields sent to a subresource', () => {
    const live = [entry('old', 'Update', { 'f:data': { 'f:k': {} } })];
    const sent = [entry('edited', 'Update', { 'f:data': { 'f:k': {} } })];
    const result = update(obj({ data: { k: 'v' } }, {}, live), obj({ data: { k: 'v' } }, {}, sent), { subresource: 'status' });
    assert.deepEqual(result.map((e) => e.manager), ['old']);
  });

  it('resets the entries on managedFields: [{}] and records only this write', () => {
    const live = [entry('old', 'Update', { 'f:data': { 'f:k': {} } })];
    const after = obj({ data: { k: 'v', l: 'w' } }, {}, [{}]);
    assert.deepEqual(update(obj({ data: { k: 'v' } }, {}, live), after), [entry('ctrl', 'Update', { 'f:data': { 'f:l': {} } }, NOW)]);
  });

  it('owns a keyed list as a whole without a schema', () => {
    const after = obj({ spec: { containers: [{ name: 'a' }] } });
    assert.deepEqual(update(undefined, after, { schema: undefined }), [entry('ctrl', 'Update', { 'f:spec': { '.': {}, 'f:containers': {} } }, NOW)]);
  });
});

describe('isManagedFieldsReset', () => {
  const cases: Array<{ name: string; managedFields: unknown; want: boolean }> = [
    { name: 'a single empty entry', managedFields: [{}], want: true },
    { name: 'absent managedFields', managedFields: undefined, want: false },
    { name: 'an empty list', managedFields: [], want: false },
    { name: 'a real entry', managedFields: [entry('a', 'Update', {})], want: false },
    { name: 'two empty entries', managedFields: [{}, {}], want: false },
  ];
  for (const c of cases) {
    it(`is ${c.want} for ${c.name}`, () => {
      const o = obj({});
      if (c.managedFields !== undefined) o.metadata.managedFields = c.managedFields as ManagedFieldsEntry[];
      assert.equal(isManagedFieldsReset(o), c.want);
    });
  }
});

describe('FieldsV1', () => {
  const fieldsV1 = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {} } }, 'f:zones': { 'v:"x"': {} }, 'f:args': { 'i:0': {} } },
  };

  it('round-trips through the field set', () => {
    assert.deepEqual(toFieldsV1(fromFieldsV1(fieldsV1)!), fieldsV1);
  });

  it('renders member paths as conflict messages do', () => {
    assert.deepEqual(memberPaths(fromFieldsV1(fieldsV1)!).map(renderPath), [
      '.metadata.labels', '.metadata.labels.app',
      '.spec.args[0]', '.spec.containers[name="a"]', '.spec.containers[name="a"].image', '.spec.zones[="x"]',
    ]);
  });

  it('rejects keys that are not path elements', () => {
    assert.equal(fromFieldsV1({ 'x:bad': {} }), undefined);
  });
});
