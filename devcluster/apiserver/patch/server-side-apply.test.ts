import assert from 'node:assert/strict';
import type { JsonObject, KubeObject, ManagedFieldsEntry, SchemaNode } from '../types.ts';
import { StatusError } from '../status-errors.ts';
import { serverSideApply, type ApplyInput } from './server-side-apply.ts';

const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T11:00:00Z';
const NOW = '2024-05-01T12:00:00Z';
const GV = 'machine.openshift.io/v1beta1';

/** A MachineSet-like CRD schema: a keyed list, a set, an atomic list and an atomic map. */
const schema: SchemaNode = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        paused: { type: 'boolean' },
        containers: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, image: { type: 'string' }, args: { type: 'array', items: { type: 'string' } } } },
        },
        zones: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'integer' } } },
  },
};

function machineSet(spec: JsonObject, metadata: JsonObject = {}, managedFields?: ManagedFieldsEntry[]): KubeObject {
  const meta: KubeObject['metadata'] = { name: 'ms1', namespace: 'default', ...metadata };
  if (managedFields) meta.managedFields = managedFields;
  return { apiVersion: GV, kind: 'MachineSet', metadata: meta, spec };
}

function entry(manager: string, operation: 'Apply' | 'Update', fieldsV1: JsonObject, time = T0, extra: Partial<ManagedFieldsEntry> = {}): ManagedFieldsEntry {
  return { manager, operation, apiVersion: GV, time, fieldsType: 'FieldsV1', fieldsV1, ...extra };
}

function apply(live: KubeObject | undefined, applied: KubeObject, overrides: Partial<ApplyInput> = {}): KubeObject {
  return serverSideApply({ live, applied, manager: 'kubectl', force: false, schema, apiVersion: GV, now: NOW, ...overrides });
}

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a StatusError');
}

const spec = (o: KubeObject) => o.spec as JsonObject;

describe('serverSideApply', () => {
  describe('creating and recording ownership', () => {
    it('creates the object from the configuration and records an Apply entry', () => {
      const result = apply(undefined, machineSet({ replicas: 1 }, { labels: { app: 'x' } }));
      assert.deepEqual(result, machineSet({ replicas: 1 }, { labels: { app: 'x' } }, [
        entry('kubectl', 'Apply', { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } }, NOW),
      ]));
    });

    const shapes: Array<{ name: string; spec: JsonObject; metadata?: JsonObject; fieldsV1: JsonObject }> = [
      {
        name: 'owns a keyed list item as a whole and field by field (k: with ".")',
        spec: { containers: [{ name: 'a', image: 'i' }] },
        fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
      },
      {
        name: 'owns set items by value (v:)',
        spec: { zones: ['a', 'b'] },
        fieldsV1: { 'f:spec': { 'f:zones': { 'v:"a"': {}, 'v:"b"': {} } } },
      },
      {
        name: 'owns an atomic list and an atomic map whole',
        spec: { containers: [{ name: 'a', args: ['x'] }], selector: { a: 'b' } },
        fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:args': {}, 'f:name': {} } }, 'f:selector': {} } },
      },
      {
        name: 'owns finalizers as a set and ownerReferences keyed by uid, but no identity fields',
        spec: {},
        metadata: { finalizers: ['f1'], ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'u1' }], uid: 'ignored', resourceVersion: '5' },
        fieldsV1: {
          'f:metadata': {
            'f:finalizers': { 'v:"f1"': {} },
            'f:ownerReferences': { 'k:{"uid":"u1"}': { '.': {}, 'f:apiVersion': {}, 'f:kind': {}, 'f:name': {}, 'f:uid': {} } },
          },
          'f:spec': {},
        },
      },
    ];
    for (const tc of shapes) {
      it(tc.name, () => {
        const result = apply(undefined, machineSet(tc.spec, tc.metadata));
        assert.deepEqual(result.metadata.managedFields, [entry('kubectl', 'Apply', tc.fieldsV1, NOW)]);
      });
    }

    it('rejects managedFields in the configuration with 400', () => {
      const err = statusOf(() => apply(undefined, machineSet({}, {}, [])));
      assert.equal(err.code, 400);
      assert.equal(err.reason, 'BadRequest');
      assert.equal(err.message, 'metadata.managedFields must be nil');
    });

    it('rejects a keyed list item without its key like the typed patch conversion does', () => {
      const err = statusOf(() => apply(undefined, machineSet({ containers: [{ image: 'i' }] })));
      assert.equal(err.code, 500);
      assert.equal(err.message, 'Internal error occurred: failed to create typed patch object (default/ms1; machine.openshift.io/v1beta1, Kind=MachineSet): '
        + '.spec.containers: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)');
    });

    it('rejects duplicate keys in the configuration', () => {
      const err = statusOf(() => apply(undefined, machineSet({ containers: [{ name: 'a' }, { name: 'a' }] })));
      assert.equal(err.code, 500);
      assert.match(err.message, /\.spec\.containers: duplicate entries for key \{"name":"a"\}$/);
    });
  });

  describe('merging into the live object', () => {
    const live = machineSet({ replicas: 3, paused: true, containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }, { labels: { team: 'x' } }, [
      entry('kubectl', 'Apply', { 'f:spec': { 'f:replicas': {}, 'f:paused': {}, 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:image': {} } } } }),
      entry('controller', 'Update', { 'f:metadata': { 'f:labels': { 'f:team': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"b"}': { '.': {}, 'f:name': {}, 'f:image': {} } } } }),
    ]);

    it('removes a field the applier stopped sending and keeps the rest', () => {
      const result = apply(live, machineSet({ replicas: 3, containers: [{ name: 'a', image: 'a:1' }] }));
      assert.deepEqual(result.spec, { replicas: 3, containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] });
      assert.deepEqual(result.metadata.labels, { team: 'x' });
      assert.deepEqual(result.metadata.managedFields?.[0], entry('kubectl', 'Apply', {
        'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:replicas': {} },
      }, NOW));
    });

    it('removes a list item the applier owned and no longer sends', () => {
      const result = apply(live, machineSet({ replicas: 3, paused: true }));
      assert.deepEqual(spec(result).containers, [{ name: 'b', image: 'b:1' }]);
    });

    it('keeps a field the applier stopped sending when another manager also owns it', () => {
      const shared = machineSet(live.spec as JsonObject, { labels: { team: 'x' } }, [
        ...(live.metadata.managedFields ?? []),
        entry('other', 'Apply', { 'f:spec': { 'f:paused': {} } }),
      ]);
      const result = apply(shared, machineSet({ replicas: 3, containers: [{ name: 'a', image: 'a:1' }] }));
      assert.equal(spec(result).paused, true);
      const other = result.metadata.managedFields?.find((e) => e.manager === 'other');
      assert.deepEqual(other?.fieldsV1, { 'f:spec': { 'f:paused': {} } });
    });

    it('merges a changed item of a keyed list and leaves the other manager\'s item in place', () => {
      const result = apply(live, machineSet({ replicas: 3, paused: true, containers: [{ name: 'a', image: 'a:2' }, { name: 'c', image: 'c:1' }] }));
      assert.deepEqual(spec(result).containers, [{ name: 'a', image: 'a:2' }, { name: 'b', image: 'b:1' }, { name: 'c', image: 'c:1' }]);
    });

    it('replaces an atomic list and an atomic map whole', () => {
      const before = machineSet({ containers: [{ name: 'a', args: ['x', 'y'] }], selector: { a: '1', b: '2' } });
      const result = apply(before, machineSet({ containers: [{ name: 'a', args: ['z'] }], selector: { c: '3' } }), { force: true });
      assert.deepEqual(result.spec, { containers: [{ name: 'a', args: ['z'] }], selector: { c: '3' } });
    });

    it('unions a set list and drops an explicit null from the result', () => {
      const before = machineSet({ zones: ['a'], paused: true }, {}, [entry('kubectl', 'Apply', { 'f:spec': { 'f:zones': { 'v:"a"': {} }, 'f:paused': {} } })]);
      const result = apply(before, machineSet({ zones: ['a', 'b'], paused: null }));
      assert.deepEqual(result.spec, { zones: ['a', 'b'] });
    });

    it('does not remove anything on kubectl\'s follow-up kubectl-last-applied apply that carries only the annotation', () => {
      const annotation = { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}' };
      const applied: KubeObject = { apiVersion: GV, kind: 'MachineSet', metadata: { name: 'ms1', namespace: 'default', annotations: annotation } };
      const result = apply(live, applied, { manager: 'kubectl-last-applied' });
      assert.deepEqual(result.spec, live.spec);
      assert.deepEqual(result.metadata.labels, { team: 'x' });
      assert.deepEqual(result.metadata.annotations, annotation);
      assert.deepEqual(result.metadata.managedFields?.map((e) => [e.manager, e.operation]), [['kubectl', 'Apply'], ['kubectl-last-applied', 'Apply'], ['controller', 'Update']]);
      assert.deepEqual(result.metadata.managedFields?.[1].fieldsV1, { 'f:metadata': { 'f:annotations': { 'f:kubectl.kubernetes.io/last-applied-configuration': {} } } });
    });

    it('does not mutate the live object or the configuration', () => {
      const applied = machineSet({ replicas: 5 });
      const before = structuredClone({ live, applied });
      apply(live, applied, { force: true });
      assert.deepEqual({ live, applied }, before);
    });
  });

  describe('conflicts', () => {
    const live = machineSet({ replicas: 3 }, { labels: { app: 'x' } }, [
      entry('machineset-controller', 'Update', { 'f:spec': { 'f:replicas': {} } }),
      entry('helm', 'Apply', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }),
    ]);

    it('answers a changed value owned by another manager with 409 and the upstream message', () => {
      const err = statusOf(() => apply(live, machineSet({ replicas: 1 })));
      assert.deepEqual(err.toStatus(), {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409,
        message: 'Apply failed with 1 conflict: conflict with "machineset-controller" using machine.openshift.io/v1beta1: .spec.replicas',
        details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "machineset-controller" using machine.openshift.io/v1beta1', field: '.spec.replicas' }] },
      });
    });

    it('lists several conflicts grouped by manager, appliers named without a version', () => {
      const err = statusOf(() => apply(live, machineSet({ replicas: 1 }, { labels: { app: 'y' } })));
      assert.equal(err.message, 'Apply failed with 2 conflicts: conflicts with "helm":\n- .metadata.labels.app\n'
        + 'conflicts with "machineset-controller" using machine.openshift.io/v1beta1:\n- .spec.replicas');
      assert.deepEqual(err.details?.causes, [
        { reason: 'FieldManagerConflict', message: 'conflict with "helm"', field: '.metadata.labels.app' },
        { reason: 'FieldManagerConflict', message: 'conflict with "machineset-controller" using machine.openshift.io/v1beta1', field: '.spec.replicas' },
      ]);
    });

    it('shares ownership without conflict when the applied value equals the live one', () => {
      const result = apply(live, machineSet({ replicas: 3 }));
      const owners = result.metadata.managedFields?.filter((e) => JSON.stringify(e.fieldsV1).includes('f:replicas')).map((e) => e.manager);
      assert.deepEqual(owners, ['kubectl', 'machineset-controller']);
    });

    it('transfers ownership on force and drops the emptied entry', () => {
      const result = apply(live, machineSet({ replicas: 1 }), { force: true });
      assert.equal(spec(result).replicas, 1);
      assert.deepEqual(result.metadata.managedFields, [
        entry('helm', 'Apply', { 'f:metadata': { 'f:labels': { 'f:app': {} } } }),
        entry('kubectl', 'Apply', { 'f:spec': { 'f:replicas': {} } }, NOW),
      ]);
    });

    it('names a subresource manager in the conflict', () => {
      const scaled = machineSet({ replicas: 3 }, {}, [entry('hpa', 'Update', { 'f:spec': { 'f:replicas': {} } }, T0, { subresource: 'scale' })]);
      const err = statusOf(() => apply(scaled, machineSet({ replicas: 1 })));
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "hpa" with subresource "scale" using machine.openshift.io/v1beta1: .spec.replicas');
    });

    it('names a keyed list item in the conflicting path', () => {
      const owned = machineSet({ containers: [{ name: 'a', image: 'a:1' }] }, {}, [
        entry('controller', 'Update', { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { 'f:image': {} } } } }),
      ]);
      const err = statusOf(() => apply(owned, machineSet({ containers: [{ name: 'a', image: 'a:2' }] })));
      assert.equal(err.details?.causes?.[0].field, '.spec.containers[name="a"].image');
    });

    it('gives every field of an object without managedFields to before-first-apply', () => {
      const untracked = machineSet({ replicas: 3, paused: false });
      const err = statusOf(() => apply(untracked, machineSet({ replicas: 1 })));
      assert.equal(err.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using machine.openshift.io/v1beta1: .spec.replicas');
      const result = apply(untracked, machineSet({ replicas: 3 }));
      assert.deepEqual(result.metadata.managedFields?.map((e) => e.manager), ['kubectl', 'before-first-apply']);
    });
  });

  describe('entry bookkeeping', () => {
    it('keeps the previous time when the apply changes nothing and moves it when it does', () => {
      const live = machineSet({ replicas: 3 }, {}, [entry('kubectl', 'Apply', { 'f:spec': { 'f:replicas': {} } }, T1)]);
      assert.equal(apply(live, machineSet({ replicas: 3 })).metadata.managedFields?.[0].time, T1);
      assert.equal(apply(live, machineSet({ replicas: 4 })).metadata.managedFields?.[0].time, NOW);
    });

    it('records the subresource of the apply and keeps a separate entry per subresource', () => {
      const live = machineSet({ replicas: 3 }, {}, [entry('kubectl', 'Apply', { 'f:spec': { 'f:replicas': {} } })]);
      const applied = { ...machineSet({}), status: { ready: 2 } } as KubeObject;
      delete applied.spec;
      const result = apply(live, applied, { subresource: 'status' });
      assert.deepEqual(result.metadata.managedFields?.map((e) => [e.manager, e.subresource ?? '']), [['kubectl', ''], ['kubectl', 'status']]);
      assert.equal(spec(result).replicas, 3);
    });

    it('neither owns nor prunes reset fields', () => {
      const live = { ...machineSet({ replicas: 3 }, {}, [entry('kubectl', 'Apply', { 'f:spec': { 'f:replicas': {} } })]), status: { ready: 1 } } as KubeObject;
      const result = apply(live, { ...machineSet({ replicas: 3 }), status: { ready: 5 } } as KubeObject, { resetFields: ['status'] });
      assert.deepEqual(result.metadata.managedFields?.[0].fieldsV1, { 'f:spec': { 'f:replicas': {} } });
      assert.ok(result.status, 'status stays for the caller to reset');
    });
  });
});
