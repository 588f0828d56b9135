import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Json, SchemaNode } from '../types.ts';
import { applyDefaults } from './defaults.ts';
import { machineSet, machineSetSchema } from './testdata.ts';

describe('applyDefaults', () => {
  it('defaults a MachineSet without replicas to 1, leaving the rest alone', () => {
    const obj = machineSet();
    delete (obj.spec as { replicas?: number }).replicas;
    applyDefaults(obj as unknown as Json, machineSetSchema());
    const expected = machineSet();
    (expected.spec as { replicas: number }).replicas = 1;
    assert.deepEqual(obj, expected);
  });

  it('fills defaults inside a defaulted object, in array items and in map values, with deep copies', () => {
    const shared = { nested: { level: 1 } };
    const schema: SchemaNode = {
      type: 'object',
      properties: {
        outer: { type: 'object', default: {}, properties: { inner: { type: 'object', default: shared, properties: { nested: { type: 'object', properties: { level: { type: 'integer' } } } } } } },
        list: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer', default: 80 } } } },
        map: { type: 'object', additionalProperties: { type: 'object', properties: { weight: { type: 'integer', default: 1 } } } },
      },
    };
    const obj: Json = { list: [{}, { port: 8080 }, null], map: { a: {}, b: { weight: 3 } } };
    applyDefaults(obj, schema);
    assert.deepEqual(obj, {
      outer: { inner: { nested: { level: 1 } } },
      list: [{ port: 80 }, { port: 8080 }, null],
      map: { a: { weight: 1 }, b: { weight: 3 } },
    });
    ((obj.outer as { inner: { nested: { level: number } } }).inner.nested.level) = 2;
    assert.equal(shared.nested.level, 1, 'the schema default must not be shared with the object');
  });

  it('replaces non-nullable nulls in arrays and maps when a default exists', () => {
    const schema: SchemaNode = {
      type: 'object',
      properties: {
        list: { type: 'array', items: { type: 'string', default: 'x' } },
        map: { type: 'object', additionalProperties: { type: 'string', default: 'y' } },
        keep: { type: 'string', nullable: true, default: 'z' },
      },
    };
    const obj: Json = { list: [null, 'a'], map: { k: null }, keep: null };
    applyDefaults(obj, schema);
    assert.deepEqual(obj, { list: ['x', 'a'], map: { k: 'y' }, keep: null });
  });
});
