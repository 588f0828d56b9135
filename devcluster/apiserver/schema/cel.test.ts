import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'mocha';
import { parse as parseYaml } from 'yaml';
import type { Json, JsonObject, SchemaNode } from '../types.ts';
import { celBlockedBy, compileCelRules, COST_LIMITS, hasCelRules, validateCelRules, validFieldPath, type ValidationRule } from './cel.ts';
import { machineSetSchema } from './testdata.ts';

/** Errors of obj (and old, on update) as "field: detail" lines, then the ratcheted warnings. */
function run(schema: SchemaNode, obj: Json, old?: Json): { errors: string[]; warnings: string[] } {
  const outcome = validateCelRules(compileCelRules(schema), obj, old);
  return { errors: outcome.errors.map((e) => `${e.field}: ${e.detail}`), warnings: outcome.warnings };
}

function errorsOf(schema: SchemaNode, obj: Json, old?: Json): string[] {
  return run(schema, obj, old).errors;
}

/** A resource schema whose spec is the given node. */
function specSchema(spec: SchemaNode): SchemaNode {
  return { type: 'object', properties: { spec } };
}

function withRules(s: SchemaNode, ...rules: Array<string | ValidationRule>): SchemaNode {
  return { ...s, 'x-kubernetes-validations': rules.map((r) => (typeof r === 'string' ? { rule: r } : r)) };
}

/** The compile issues of the rules at the root of a schema, one string per rule. */
function compileIssues(schema: SchemaNode): string[] {
  return (compileCelRules(schema).reports.get(schema) ?? []).map((r) => r.issues.map((i) => `${i.field}: ${i.detail}`).join('; '));
}

const clusterVersionCrd = parseYaml(readFileSync(new URL('../../../crds/config.openshift.io_clusterversions.yaml', import.meta.url), 'utf8')) as {
  spec: { versions: Array<{ schema: { openAPIV3Schema: SchemaNode } }> };
};
const clusterVersionSchema = clusterVersionCrd.spec.versions[0].schema.openAPIV3Schema;

function clusterVersion(spec: JsonObject, status?: JsonObject): Json {
  return { apiVersion: 'config.openshift.io/v1', kind: 'ClusterVersion', metadata: { name: 'version' }, spec: { clusterID: 'c', ...spec }, ...(status ? { status } : {}) };
}

describe('CEL rules of custom resources', () => {
  describe('self', () => {
    it('is the object at the rule\'s node, and a failure names that path and the schema type', () => {
      assert.deepEqual(errorsOf(clusterVersionSchema, clusterVersion({ desiredUpdate: { architecture: 'Multi', image: 'x', version: '4.2.0' } })), [
        'spec.desiredUpdate: Invalid value: "object": cannot set both Architecture and Image',
      ]);
      assert.deepEqual(errorsOf(clusterVersionSchema, clusterVersion({ desiredUpdate: { architecture: 'Multi', version: '4.2.0' } })), []);
      assert.deepEqual(errorsOf(clusterVersionSchema, clusterVersion({ desiredUpdate: { image: 'quay.io/x@sha256:1' } })), []);
    });

    it('is the whole resource for a root rule, reported at <nil>', () => {
      const capabilities = { baselineCapabilitySet: 'None', additionalEnabledCapabilities: ['marketplace'] };
      assert.deepEqual(errorsOf(clusterVersionSchema, clusterVersion({ capabilities })), [
        '<nil>: Invalid value: "object": the `marketplace` capability requires the `OperatorLifecycleManager` capability, which is neither explicitly or implicitly enabled in this cluster, please enable the `OperatorLifecycleManager` capability',
      ]);
      assert.deepEqual(errorsOf(clusterVersionSchema, clusterVersion({ capabilities }, { capabilities: { enabledCapabilities: ['OperatorLifecycleManager'] } })), []);
    });

    it('is each item of an array and each value of a map, reported at its index or key', () => {
      const schema = specSchema({
        type: 'object',
        properties: {
          ports: { type: 'array', items: withRules({ type: 'integer' }, 'self > 0') },
          labels: { type: 'object', additionalProperties: withRules({ type: 'string' }, 'self.size() <= 3') },
          names: withRules({ type: 'array', items: { type: 'string' } }, 'self.size() < 3'),
        },
      });
      assert.deepEqual(errorsOf(schema, { spec: { ports: [1, 0, -2], labels: { a: 'abc', b: 'abcd' }, names: ['a', 'b', 'c'] } }), [
        'spec.ports[1]: Invalid value: "integer": failed rule: self > 0',
        'spec.ports[2]: Invalid value: "integer": failed rule: self > 0',
        'spec.labels[b]: Invalid value: "string": failed rule: self.size() <= 3',
        'spec.names: Invalid value: "array": failed rule: self.size() < 3',
      ]);
    });

    it('is a scalar with its CEL type: int for integer, double for number, int or string for int-or-string', () => {
      const schema = specSchema({
        type: 'object',
        properties: {
          count: withRules({ type: 'integer' }, 'type(self) == int && self / 2 == 1'),
          ratio: withRules({ type: 'number' }, 'type(self) == double'),
          port: withRules({ 'x-kubernetes-int-or-string': true }, "type(self) == int ? self > 0 : self.endsWith('%')"),
        },
      });
      assert.deepEqual(errorsOf(schema, { spec: { count: 3, ratio: 1, port: 8080 } }), []);
      assert.deepEqual(errorsOf(schema, { spec: { count: 4, port: '50' } }), [
        'spec.count: Invalid value: "integer": failed rule: type(self) == int && self / 2 == 1',
        `spec.port: Invalid value: "": failed rule: type(self) == int ? self > 0 : self.endsWith('%')`,
      ]);
    });

    it('is never an absent or null value', () => {
      const schema = specSchema({ type: 'object', properties: { name: withRules({ type: 'string', nullable: true }, 'self.size() > 5') } });
      assert.deepEqual(errorsOf(schema, { spec: {} }), []);
      assert.deepEqual(errorsOf(schema, { spec: { name: null } }), []);
      assert.deepEqual(errorsOf(schema, {}), []);
    });

    it('sees apiVersion, kind, metadata.name and generateName at the root, escaped names, and no undeclared field', () => {
      const schema = withRules({
        type: 'object',
        properties: {
          metadata: { type: 'object' },
          spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { namespace: { type: 'string' }, 'max-surge': { type: 'integer' } } },
        },
      }, "self.kind == 'Thing' && self.metadata.name.startsWith('t') && !has(self.metadata.generateName)",
      "self.spec.__namespace__ == 'ns' && self.spec.max__dash__surge == 1", "self.spec.size() == 2");
      const thing = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'thing', labels: { a: 'b' } }, spec: { namespace: 'ns', 'max-surge': 1, extra: true } };
      assert.deepEqual(errorsOf(schema, thing), []);
    });
  });

  describe('failures', () => {
    const schema = specSchema({
      type: 'object',
      properties: {
        replicas: withRules({ type: 'integer' },
          'self < 10',
          { rule: 'self < 5', message: 'too many' },
          { rule: 'self < 3', messageExpression: "'replicas ' + string(self) + ' is over 2'" },
          { rule: 'self < 2', message: 'fallback', messageExpression: "self > 100 ? 'huge' : ''" }),
      },
    });

    it('say "failed rule: <rule>", or the message, or what messageExpression evaluates to', () => {
      assert.deepEqual(errorsOf(schema, { spec: { replicas: 20 } }), [
        'spec.replicas: Invalid value: "integer": failed rule: self < 10',
        'spec.replicas: Invalid value: "integer": too many',
        'spec.replicas: Invalid value: "integer": replicas 20 is over 2',
        'spec.replicas: Invalid value: "integer": fallback',
      ]);
    });

    it('take their cause type from reason and their field from fieldPath', () => {
      const withReasons = withRules({ type: 'object', properties: { a: { type: 'string' }, m: { type: 'object', additionalProperties: { type: 'string' } } } },
        { rule: 'has(self.a)', reason: 'FieldValueRequired', fieldPath: '.a', message: 'a is required' },
        { rule: 'false', reason: 'FieldValueForbidden', message: 'never' },
        { rule: 'false', reason: 'FieldValueDuplicate' },
        { rule: 'false', fieldPath: ".m['x.y']" });
      assert.deepEqual(errorsOf(specSchema(withReasons), { spec: { m: {} } }), [
        'spec.a: Required value: a is required',
        'spec: Forbidden: never',
        'spec: Duplicate value: "object"',
        'spec.m[x.y]: Invalid value: "object": failed rule: false',
      ]);
    });

    it('report evaluation errors in cel-go\'s words', () => {
      const s = specSchema(withRules({ type: 'object', properties: { a: { type: 'string' }, n: { type: 'integer' } } }, "self.a == 'x'", 'self.n / 0 == 1'));
      assert.deepEqual(errorsOf(s, { spec: { n: 1 } }), [
        "spec: Invalid value: \"object\": no such key: a evaluating rule: self.a == 'x'",
        'spec: Invalid value: "object": division by zero evaluating rule: self.n / 0 == 1',
      ]);
    });
  });

  describe('transition rules (oldSelf)', () => {
    const immutable = { rule: 'self == oldSelf', message: 'is immutable' };
    const schema = specSchema({
      type: 'object',
      properties: {
        name: withRules({ type: 'string' }, immutable),
        ports: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: withRules({ type: 'integer' }, immutable) } },
        },
        tags: { type: 'array', items: withRules({ type: 'string' }, 'true'), 'x-kubernetes-list-type': 'set' },
      },
    });

    it('are skipped on create and compare with the old value on update', () => {
      assert.deepEqual(errorsOf(schema, { spec: { name: 'a' } }), []);
      assert.deepEqual(errorsOf(schema, { spec: { name: 'b' } }, { spec: { name: 'a' } }), ['spec.name: Invalid value: "string": is immutable']);
      assert.deepEqual(errorsOf(schema, { spec: { name: 'b' } }, { spec: {} }), [], 'a value added on update has no old value');
    });

    it('correlate list-map items by their keys, whatever their order', () => {
      const old = { spec: { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } };
      assert.deepEqual(errorsOf(schema, { spec: { ports: [{ name: 'https', port: 443 }, { name: 'http', port: 80 }, { name: 'new', port: 1 }] } }, old), []);
      assert.deepEqual(errorsOf(schema, { spec: { ports: [{ name: 'https', port: 8443 }] } }, old), ['spec.ports[0].port: Invalid value: "integer": is immutable']);
    });

    it('are told apart for CRD validation, which refuses them under lists that cannot be correlated', () => {
      const items = withRules({ type: 'string' }, 'self == oldSelf', 'self != ""');
      assert.deepEqual(compileCelRules(specSchema({ type: 'array', items })).reports.get(items), [{ usesOldSelf: true, issues: [] }, { usesOldSelf: false, issues: [] }]);
    });
  });

  describe('ratcheting', () => {
    const schema = specSchema({
      type: 'object',
      properties: {
        name: withRules({ type: 'string' }, { rule: 'self.size() <= 3', message: 'too long' }),
        hosts: { type: 'array', items: withRules({ type: 'string' }, { rule: "self.endsWith('.example.com')", message: 'bad host' }) },
        version: withRules({ type: 'string' }, { rule: 'self == oldSelf || self.size() <= 3', message: 'too long for a change' }),
      },
    });

    it('turns the failure of an unchanged value into a warning, and keeps it an error where the value changed', () => {
      const old = { spec: { name: 'longname' } };
      assert.deepEqual(run(schema, { spec: { name: 'longname' } }, old), { errors: [], warnings: ['spec.name: Invalid value: "string": too long'] });
      assert.deepEqual(run(schema, { spec: { name: 'longername' } }, old), { errors: ['spec.name: Invalid value: "string": too long'], warnings: [] });
      assert.deepEqual(run(schema, { spec: { name: 'longname' } }), { errors: ['spec.name: Invalid value: "string": too long'], warnings: [] });
    });

    it('judges the items of an atomic list by the whole list', () => {
      const old = { spec: { hosts: ['a.example.com', 'legacy'] } };
      assert.deepEqual(run(schema, { spec: { hosts: ['a.example.com', 'legacy'] } }, old).errors, []);
      assert.deepEqual(run(schema, { spec: { hosts: ['b.example.com', 'legacy'] } }, old).errors, ['spec.hosts[1]: Invalid value: "string": bad host']);
    });

    it('never ratchets a transition rule', () => {
      // Unchanged values pass this rule by its own terms; a changed one is an error even though the rule uses oldSelf.
      assert.deepEqual(run(schema, { spec: { version: 'longer' } }, { spec: { version: 'long' } }), { errors: ['spec.version: Invalid value: "string": too long for a change'], warnings: [] });
    });
  });

  describe('libraries', () => {
    const schema = specSchema({
      type: 'object',
      properties: {
        nums: { type: 'array', items: { type: 'integer' } },
        names: { type: 'array', items: { type: 'string' } },
        host: { type: 'string' },
        started: { type: 'string', format: 'date-time' },
        timeout: { type: 'string', format: 'duration' },
        data: { type: 'string', format: 'byte' },
      },
    });
    const spec = { nums: [1, 2, 3], names: ['b', 'a'], host: 'API.Example.com', started: '2024-01-02T03:04:05Z', timeout: '90s', data: 'aGk=' };
    const rules: string[] = [
      'self.nums.isSorted() && self.nums.sum() == 6 && self.nums.min() == 1 && self.nums.max() == 3',
      'self.names.indexOf("a") == 1 && self.names.lastIndexOf("z") == -1 && !self.names.isSorted()',
      'sets.contains(self.names, ["a"]) && sets.equivalent(self.names, ["a", "b"]) && sets.intersects(self.nums, [3, 4])',
      "self.host.lowerAscii() == 'api.example.com' && self.host.split('.').size() == 3 && self.host.indexOf('.') == 3",
      "self.host.find('[a-z]+') == 'xample' && self.host.findAll('[A-Z]+').size() == 2 && self.host.matches('^API')",
      "self.names.map(n, n.upperAscii()).join(',') == 'B,A' && self.nums.filter(n, n > 1).size() == 2 && self.nums.exists_one(n, n == 2)",
      'cel.bind(total, self.nums.sum(), total > 5 && total < 7)',
      "self.started < timestamp('2025-01-01T00:00:00Z') && self.started.getFullYear() == 2024 && self.timeout == duration('1m30s')",
      "string(self.data) == 'hi' && int('42') == 42 && double(self.nums[0]) == 1.0",
    ];
    for (const rule of rules) {
      it(`evaluates ${rule}`, () => {
        assert.deepEqual(errorsOf(specSchema(withRules(schema.properties!.spec, rule)), { spec }), []);
      });
    }
  });

  describe('cost', () => {
    it('stops a rule that iterates too long with upstream\'s cost error and runs no further rule', () => {
      const nested = withRules({ type: 'array', items: { type: 'integer' } }, 'self.all(x, self.all(y, x + y >= 0))', 'false');
      const n = Math.ceil(Math.sqrt(COST_LIMITS.perRule)) + 1;
      assert.deepEqual(errorsOf(specSchema(nested), { spec: Array.from({ length: n }, (_, i) => i) }), [
        "spec: Invalid value: \"array\": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: self.all(x, self.all(y, x + y >= 0))",
      ]);
    });

    it('maps over many thousand items without exhausting the stack', () => {
      const list = withRules({ type: 'array', items: { type: 'integer' } }, 'self.map(x, x * 2).filter(x, x % 4 == 0).size() == 25000');
      assert.deepEqual(errorsOf(specSchema(list), { spec: Array.from({ length: 50_000 }, (_, i) => i) }), []);
    });
  });

  describe('compilation', () => {
    it('compiles nothing for a schema without rules, so its writes skip CEL', () => {
      assert.equal(compileCelRules(machineSetSchema()).validator, undefined);
      assert.equal(hasCelRules(machineSetSchema()), false);
      assert.equal(hasCelRules(clusterVersionSchema), true);
    });

    it('compiles a schema once', () => {
      assert.equal(compileCelRules(clusterVersionSchema), compileCelRules(clusterVersionSchema));
    });

    it('reports what cel-go reports: undefined fields and functions, overloads, non-bool rules, syntax', () => {
      const schema = withRules({ type: 'object', properties: { a: { type: 'string' }, n: { type: 'integer' } } },
        'self.foo == 1', 'unknownFn(self.a)', 'self.a + 1 == 2', 'self.a.b == 1', 'self.n', 'self.n.all(x, x)', 'self.a ==',
        { rule: 'true', messageExpression: 'self.n' }, { rule: 'true', messageExpression: 'self.nope' }, { rule: 'true', fieldPath: '.missing' });
      assert.deepEqual(compileIssues(schema), [
        "rule: compilation failed: ERROR: <input>:1:5: undefined field 'foo'\n | self.foo == 1\n | ....^",
        "rule: compilation failed: ERROR: <input>:1:1: undeclared reference to 'unknownFn' (in container '')\n | unknownFn(self.a)\n | ^",
        "rule: compilation failed: ERROR: <input>:1:8: found no matching overload for '_+_' applied to '(string, int)'\n | self.a + 1 == 2\n | .......^",
        "rule: compilation failed: ERROR: <input>:1:7: type 'string' does not support field selection\n | self.a.b == 1\n | ......^",
        'rule: cel expression must evaluate to a bool',
        "rule: compilation failed: ERROR: <input>:1:7: expression of type 'int' cannot be range of a comprehension (must be list, map, or dynamic)\n | self.n.all(x, x)\n | ......^",
        'rule: compilation failed: ERROR: <input>:1:8: Syntax error: found = but expecting end of input\n | self.a ==\n | .......^',
        'messageExpression: messageExpression must evaluate to a string',
        "messageExpression: messageExpression compilation failed: ERROR: <input>:1:5: undefined field 'nope'\n | self.nope\n | ....^",
        'fieldPath: fieldPath must be a valid path',
      ]);
    });

    it('accepts, without evaluating, rules that need a library this server lacks', () => {
      const schema = specSchema(withRules({ type: 'object', properties: { a: { type: 'string' } } },
        "self.?a.orValue('') == ''", "quantity(self.a).isLessThan(quantity('1'))", { rule: 'oldSelf.hasValue()', optionalOldSelf: true }));
      const compiled = compileCelRules(schema);
      assert.deepEqual(compiled.unsupported.map((u) => `${u.path}: ${u.feature}`), ['spec: optional types', 'spec: the quantity library', 'spec: optional types']);
      assert.deepEqual(validateCelRules(compiled, { spec: { a: 'x' } }, { spec: { a: 'y' } }), { errors: [], warnings: [] });
    });

    it('resolves fieldPath against the schema', () => {
      const schema: SchemaNode = { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } }, m: { type: 'object', additionalProperties: { type: 'string' } } } };
      assert.equal(validFieldPath('.a.b', schema), 'a.b');
      assert.equal(validFieldPath(".m['k.1']", schema), 'm[k.1]');
      assert.match(String(validFieldPath('.a.c', schema)), /does not refer to a valid field/);
      assert.match(String(validFieldPath('a', schema)), /expected \[ or \. but got: a/);
    });
  });

  describe('celBlockedBy', () => {
    it('replaces rule evaluation with one cause when schema errors break the object\'s shape', () => {
      assert.deepEqual(celBlockedBy([{ field: 'spec.x', reason: 'FieldValueTypeInvalid', detail: '' }]), {
        field: '<nil>', reason: 'FieldValueInvalid',
        detail: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      });
      assert.equal(celBlockedBy([{ field: 'spec.x', reason: 'FieldValueInvalid', detail: '' }]), undefined);
    });
  });
});
