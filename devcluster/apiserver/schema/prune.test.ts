import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Json, KubeObject, SchemaNode } from '../types.ts';
import { applyDefaults } from './defaults.ts';
import { pruneUnknownFields, pruneValue } from './prune.ts';
import { machineSet, machineSetSchema } from './testdata.ts';

function withSpec(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', metadata: { name: 'ms1', namespace: 'ns' }, spec };
}

describe('pruneUnknownFields', () => {
  it('keeps a valid MachineSet untouched and reports nothing', () => {
    const obj = machineSet();
    assert.deepEqual(pruneUnknownFields(obj, machineSetSchema()), []);
    assert.deepEqual(obj, machineSet());
  });

  it('removes unknown fields and reports their paths sorted, as fieldValidation needs them', () => {
    const obj = withSpec({
      bogus: true,
      replicas: 2,
      selector: { matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', extra: 1 }] },
      template: { spec: { providerSpec: { value: { anything: { goes: [1, 2] } }, unknownSibling: 'x' } } },
    });
    obj.status = { replicas: 1, bogus: 'y' };
    obj.topLevel = 'z';
    assert.deepEqual(pruneUnknownFields(obj, machineSetSchema()), [
      'spec.bogus',
      'spec.selector.matchExpressions[1].extra',
      'spec.template.spec.providerSpec.unknownSibling',
      'status.bogus',
      'topLevel',
    ]);
    assert.deepEqual(obj.spec, {
      replicas: 2,
      selector: { matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists' }] },
      template: { spec: { providerSpec: { value: { anything: { goes: [1, 2] } } } } },
    });
    assert.deepEqual(obj.status, { replicas: 1 });
  });

  it('keeps apiVersion, kind and ObjectMeta fields at the root even when the schema omits them, but drops unknown metadata fields', () => {
    const obj: KubeObject = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a', labels: { a: 'b' }, bogus: 1 } };
    assert.deepEqual(pruneUnknownFields(obj, { type: 'object' }), ['metadata.bogus']);
    assert.deepEqual(obj, { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a', labels: { a: 'b' } } });
  });

  it('keeps every key of an additionalProperties map', () => {
    const obj = withSpec({ selector: { matchLabels: { a: '1', 'b.io/c': '2' } } });
    assert.deepEqual(pruneUnknownFields(obj, machineSetSchema()), []);
    assert.deepEqual((obj.spec as { selector: unknown }).selector, { matchLabels: { a: '1', 'b.io/c': '2' } });
  });

  it('still prunes specified fields below x-kubernetes-preserve-unknown-fields', () => {
    const schema: SchemaNode = {
      type: 'object',
      properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } } },
    };
    const obj = withSpec({ free: { x: 1 }, known: { a: 'ok', b: 'pruned' } });
    assert.deepEqual(pruneUnknownFields(obj, schema), ['spec.known.b']);
    assert.deepEqual(obj.spec, { free: { x: 1 }, known: { a: 'ok' } });
  });

  it('keeps apiVersion, kind and metadata of embedded resources', () => {
    const schema: SchemaNode = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } } },
        },
      },
    };
    const obj = withSpec({ template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', junk: 1 }, spec: { a: 'x', b: 'y' }, other: 1 } });
    assert.deepEqual(pruneUnknownFields(obj, schema), ['spec.template.metadata.junk', 'spec.template.other', 'spec.template.spec.b']);
    assert.deepEqual(obj.spec, { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 'x' } } });
  });

  it('drops nulls of non-nullable fields without a default, silently', () => {
    const obj = withSpec({ minReadySeconds: null, deletePolicy: null });
    assert.deepEqual(pruneUnknownFields(obj, machineSetSchema()), []);
    assert.deepEqual(obj.spec, {});
  });

  it('keeps nulls of nullable fields, and of defaulted fields so that the default replaces them', () => {
    const schema: SchemaNode = {
      type: 'object',
      properties: { spec: { type: 'object', properties: { a: { type: 'string', nullable: true }, b: { type: 'integer', default: 5 } } } },
    };
    const obj = withSpec({ a: null, b: null });
    assert.deepEqual(pruneUnknownFields(obj, schema), []);
    assert.deepEqual(obj.spec, { a: null, b: null });
    applyDefaults(obj as unknown as Json, schema);
    assert.deepEqual(obj.spec, { a: null, b: 5 });
  });

  it('treats additionalProperties: true as values without a schema, pruning inside them like upstream', () => {
    const schema: SchemaNode = { type: 'object', properties: { spec: { type: 'object', additionalProperties: true } } };
    const obj = withSpec({ a: 'kept', b: { inner: 'pruned' } });
    assert.deepEqual(pruneUnknownFields(obj, schema), ['spec.b.inner']);
    assert.deepEqual(obj.spec, { a: 'kept', b: {} });
  });

  it('prunes any value, without the resource root rules, through pruneValue', () => {
    const value: Json = { apiVersion: 'v1', a: 1, b: null };
    const schema: SchemaNode = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } } };
    assert.deepEqual(pruneValue(value, schema, { resourceRoot: false, dropNulls: false }), ['apiVersion']);
    assert.deepEqual(value, { a: 1, b: null });
  });
});
