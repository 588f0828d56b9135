import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Json, KubeObject, SchemaNode } from '../types.ts';
import { invalid } from '../status-errors.ts';
import { applyDefaults } from './defaults.ts';
import { pruneUnknownFields } from './prune.ts';
import { machineSet, machineSetSchema } from './testdata.ts';
import { goFloat, validateAgainstSchema, validateValue } from './validate.ts';

/** Validates {spec: value} against {properties: {spec: schema}} and renders "field: detail" lines. */
function check(schema: SchemaNode, value: Json): string[] {
  const obj: KubeObject = { metadata: { name: 'x' }, spec: value };
  return validateAgainstSchema(obj, { type: 'object', properties: { metadata: { type: 'object' }, spec: schema } }).map((e) => `${e.field}: ${e.detail}`);
}

describe('validateAgainstSchema', () => {
  it('accepts a valid MachineSet', () => {
    assert.deepEqual(validateAgainstSchema(machineSet(), machineSetSchema()), []);
  });

  it('reports a string in an integer field exactly as kube-apiserver does (§4.7)', () => {
    const obj = machineSet();
    (obj.spec as { replicas: unknown }).replicas = 'string';
    const errs = validateAgainstSchema(obj, machineSetSchema());
    assert.deepEqual(errs, [{ field: 'spec.replicas', reason: 'FieldValueTypeInvalid', detail: 'Invalid value: "string": spec.replicas in body must be of type integer: "string"' }]);
    assert.equal(invalid('machine.openshift.io', 'MachineSet', 'ms1', errs).message,
      'MachineSet.machine.openshift.io "ms1" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"');
  });

  const cases: Array<[string, SchemaNode, Json, string[]]> = [
    ['accepts an integral number for an integer', { type: 'integer' }, 3, []],
    ['rejects a fractional number for an integer', { type: 'integer' }, 1.5, ['spec: Invalid value: "number": spec in body must be of type integer: "number"']],
    ['accepts an integer for a number', { type: 'number' }, 3, []],
    ['rejects an object for a string', { type: 'string' }, { a: 1 }, ['spec: Invalid value: "object": spec in body must be of type string: "object"']],
    ['rejects null for a non-nullable field', { type: 'string' }, null, ['spec: Invalid value: "null": spec in body must be of type string: "null"']],
    ['accepts null for a nullable field', { type: 'string', nullable: true }, null, []],
    ['accepts an integer for int-or-string', { 'x-kubernetes-int-or-string': true }, 3, []],
    ['accepts a string for int-or-string', { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }, '50%', []],
    ['rejects a boolean for int-or-string', { 'x-kubernetes-int-or-string': true }, true, ['spec: Invalid value: "boolean": spec in body must be of type integer,string: "boolean"']],
    ['lists enum values as quoted strings', { type: 'string', enum: ['a', 'b'] }, 'x', ['spec: Unsupported value: "x": supported values: "a", "b"']],
    ['lists non-string enum values as JSON', { type: 'integer', enum: [1, 2] }, 3, ['spec: Unsupported value: 3: supported values: "1", "2"']],
    ['checks the inclusive minimum', { type: 'integer', minimum: 0 }, -1, ['spec: Invalid value: -1: spec in body should be greater than or equal to 0']],
    ['checks the exclusive maximum', { type: 'integer', maximum: 10, exclusiveMaximum: true }, 10, ['spec: Invalid value: 10: spec in body should be less than 10']],
    ['prints float limits like Go', { type: 'number', maximum: 1000000 }, 1000000.5, ['spec: Invalid value: 1000000.5: spec in body should be less than or equal to 1e+06']],
    ['checks multipleOf for integers', { type: 'integer', multipleOf: 5 }, 7, ['spec: Invalid value: 7: spec in body should be a multiple of 5']],
    ['checks multipleOf for floats', { type: 'number', multipleOf: 0.5 }, 0.75, ['spec: Invalid value: 0.75: spec in body should be a multiple of 0.5']],
    ['reports maxLength as Too long in bytes, counting characters', { type: 'string', maxLength: 3 }, 'héllo', ['spec: Too long: may not be more than 3 bytes']],
    ['accepts multibyte characters within maxLength', { type: 'string', maxLength: 3 }, 'héé', []],
    ['reports minLength', { type: 'string', minLength: 3 }, 'ab', ['spec: Invalid value: "ab": spec in body should be at least 3 chars long']],
    ['reports a pattern mismatch', { type: 'string', pattern: '^[a-z]+$' }, 'A1', ['spec: Invalid value: "A1": spec in body should match \'^[a-z]+$\'']],
    ['reports only the first string failure', { type: 'string', maxLength: 1, pattern: '^z$' }, 'ab', ['spec: Too long: may not be more than 1 byte']],
    ['reports minItems', { type: 'array', minItems: 2, items: { type: 'string' } }, ['a'], ['spec: Invalid value: 1: spec in body should have at least 2 items']],
    ['reports maxItems as Too many', { type: 'array', maxItems: 1, items: { type: 'string' } }, ['a', 'b'], ['spec: Too many: 2: must have at most 1 items']],
    ['names array items by index', { type: 'array', items: { type: 'integer' } }, [1, 'x'], ['spec[1]: Invalid value: "string": spec[1] in body must be of type integer: "string"']],
    ['reports maxProperties as Too many', { type: 'object', maxProperties: 1 }, { a: 1, b: 2 }, ['spec: Too many: 2: must have at most 1 items']],
    ['reports minProperties', { type: 'object', minProperties: 2 }, { a: 1 }, ['spec: Invalid value: 1: spec in body should have at least 2 properties']],
    ['reports a missing required field', { type: 'object', required: ['x'], properties: { x: { type: 'string' } } }, {}, ['spec.x: Required value']],
    ['validates additionalProperties values under their key', { type: 'object', additionalProperties: { type: 'string' } }, { k: 1 }, ['spec.k: Invalid value: "integer": spec.k in body must be of type string: "integer"']],
    ['rejects a bad date-time', { type: 'string', format: 'date-time' }, 'yesterday', ['spec: Invalid value: "yesterday": spec in body must be of type date-time: "yesterday"']],
    ['accepts an RFC 3339 date-time', { type: 'string', format: 'date-time' }, '2024-02-29T10:00:00.5+02:00', []],
    ['rejects an impossible date', { type: 'string', format: 'date' }, '2023-02-29', ['spec: Invalid value: "2023-02-29": spec in body must be of type date: "2023-02-29"']],
    ['rejects bad base64 for byte', { type: 'string', format: 'byte' }, 'not base64!', ['spec: Invalid value: "not base64!": spec in body must be of type byte: "not base64!"']],
    ['accepts a UUID in upper case', { type: 'string', format: 'uuid' }, '123E4567-E89B-12D3-A456-426614174000', []],
    ['rejects a bad ipv4', { type: 'string', format: 'ipv4' }, '300.1.1.1', ['spec: Invalid value: "300.1.1.1": spec in body must be of type ipv4: "300.1.1.1"']],
    ['accepts an ipv6 and a CIDR', { type: 'array', items: { type: 'string', format: 'cidr' } }, ['10.0.0.0/16', 'fd00::/64'], []],
    ['accepts Go and long-form durations', { type: 'array', items: { type: 'string', format: 'duration' } }, ['1h30m', '3 days'], []],
    ['rejects a bad duration', { type: 'string', format: 'duration' }, 'soon', ['spec: Invalid value: "soon": spec in body must be of type duration: "soon"']],
    ['rejects a bad hostname', { type: 'string', format: 'hostname' }, 'bad_host!', ['spec: Invalid value: "bad_host!": spec in body must be of type hostname: "bad_host!"']],
    ['ignores formats upstream does not know', { type: 'string', format: 'k8s-whatever' }, 'anything', []],
    ['ignores integer formats beyond the type check', { type: 'integer', format: 'int32' }, 2 ** 40, []],
    ['reports an unmatched anyOf on the base path, with the closest alternative', { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] }, 'c', [
      '<nil>: Invalid value: "": "spec" must validate at least one schema (anyOf)',
      'spec: Invalid value: "c": spec in body should match \'^a\'']],
    ['reports oneOf with two matches', { type: 'string', oneOf: [{ minLength: 1 }, { maxLength: 5 }] }, 'abc', ['<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives']],
    ['reports allOf failures and the allOf itself', { type: 'integer', allOf: [{ minimum: 5 }, { maximum: 10 }] }, 3, [
      'spec: Invalid value: 3: spec in body should be greater than or equal to 5',
      '<nil>: Invalid value: "": "spec" must validate all the schemas (allOf)']],
    ['reports a matching not', { type: 'string', not: { enum: ['forbidden'] } }, 'forbidden', ['<nil>: Invalid value: "": "spec" must not validate the schema (not)']],
    ['reports the second occurrence in a set once', { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }, ['a', 'b', 'a', 'a'], ['spec[2]: Duplicate value: "a"']],
    ['reports a duplicate list-map key like Go prints it', {
      type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'port'],
      items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } },
    }, [{ name: 'a', port: 80 }, { name: 'a', port: 81 }, { name: 'a', port: 80 }], ['spec[2]: Duplicate value: map[string]interface {}{"name":"a", "port":80}']],
  ];
  for (const [title, schema, value, expected] of cases) {
    it(title, () => assert.deepEqual(check(schema, value), expected));
  }

  it('gives the reason of each kind of failure as the Status causes need it', () => {
    const schema: SchemaNode = {
      type: 'object',
      required: ['r'],
      properties: { t: { type: 'integer' }, e: { type: 'string', enum: ['a'] }, l: { type: 'string', maxLength: 1 }, m: { type: 'array', maxItems: 0, items: { type: 'string' } }, s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }, p: { type: 'string', pattern: '^x$' } },
    };
    const reasons = validateAgainstSchema({ metadata: {}, spec: { t: 'x', e: 'b', l: 'll', m: ['x'], s: ['a', 'a'], p: 'y' } }, { type: 'object', properties: { spec: schema } })
      .map((e) => `${e.field} ${e.reason}`);
    assert.deepEqual(reasons, [
      'spec.t FieldValueTypeInvalid', 'spec.e FieldValueNotSupported', 'spec.l FieldValueTooLong', 'spec.m FieldValueTooMany',
      'spec.p FieldValueInvalid', 'spec.r FieldValueRequired', 'spec.s[1] FieldValueDuplicate',
    ]);
  });

  it('runs the §9.2 pipeline on a MachineSet: prune, default, then validate', () => {
    const obj = machineSet();
    const spec = obj.spec as Record<string, Json>;
    delete spec.replicas;
    spec.bogus = 'x';
    spec.minReadySeconds = null;
    obj.status = { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Ready', status: 'Maybe', lastTransitionTime: 'later' }] };
    assert.deepEqual(pruneUnknownFields(obj, machineSetSchema()), ['spec.bogus']);
    applyDefaults(obj as unknown as Json, machineSetSchema());
    assert.equal(spec.replicas, 1);
    assert.equal('minReadySeconds' in spec, false);
    assert.deepEqual(validateAgainstSchema(obj, machineSetSchema()).map((e) => `${e.field}: ${e.detail}`), [
      'status.conditions[1].status: Unsupported value: "Maybe": supported values: "True", "False", "Unknown"',
      'status.conditions[1].lastTransitionTime: Invalid value: "later": status.conditions[1].lastTransitionTime in body must be of type date-time: "later"',
      'status.conditions[1]: Duplicate value: map[string]interface {}{"type":"Ready"}',
    ]);
  });
});

describe('validateValue', () => {
  it('names a value at its root with an empty name under the base path, as CRD default checks report', () => {
    assert.deepEqual(validateValue('x', { type: 'integer' }, 'spec.validation.openAPIV3Schema.properties[a].default'), [{
      field: 'spec.validation.openAPIV3Schema.properties[a].default',
      reason: 'FieldValueTypeInvalid',
      detail: 'Invalid value: "string":  in body must be of type integer: "string"',
    }]);
  });
});

describe('goFloat', () => {
  const cases: Array<[number, string]> = [[0.5, '0.5'], [100, '100'], [123456, '123456'], [1000000, '1e+06'], [1234567.5, '1.2345675e+06'], [0.00001, '1e-05']];
  for (const [n, text] of cases) it(`prints ${n} as ${text}`, () => assert.equal(goFloat(n), text));
});
