import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Json, JsonObject, KubeObject } from '../types.ts';
import { validateCustomResourceDefinition } from './crd-validation.ts';
import { machineSetCrd } from './testdata.ts';

const SCHEMA = 'spec.validation.openAPIV3Schema';
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** A MachineSet CRD changed by fn, validated and rendered as "field: detail" lines. */
function check(fn: (crd: KubeObject & { spec: JsonObject }, root: JsonObject) => void): string[] {
  const crd = machineSetCrd() as KubeObject & { spec: JsonObject };
  const version = (crd.spec.versions as JsonObject[])[0];
  fn(crd, (version.schema as JsonObject).openAPIV3Schema as JsonObject);
  return validateCustomResourceDefinition(crd).map((e) => `${e.field}: ${e.detail}`);
}

function at(root: JsonObject, ...path: string[]): JsonObject {
  return path.reduce((node, p) => (node.properties as Record<string, JsonObject>)[p], root);
}

function firstVersion(crd: { spec: JsonObject }): JsonObject {
  return (crd.spec.versions as JsonObject[])[0];
}

describe('validateCustomResourceDefinition', () => {
  it('accepts the MachineSet CRD', () => {
    assert.deepEqual(check(() => {}), []);
  });

  it('defaults singular and listKind from kind, as v1 defaulting does', () => {
    assert.deepEqual(check((crd) => {
      const names = crd.spec.names as JsonObject;
      delete names.singular;
      delete names.listKind;
    }), []);
  });

  const cases: Array<[string, (crd: KubeObject & { spec: JsonObject }, root: JsonObject) => void, string[]]> = [
    ['requires metadata.name to be <plural>.<group>', (crd) => { crd.metadata.name = 'machinesets.example.com'; },
      ['metadata.name: Invalid value: "machinesets.example.com": must be spec.names.plural+"."+spec.group']],
    ['forbids a namespace on the cluster-scoped CRD', (crd) => { crd.metadata.namespace = 'default'; }, ['metadata.namespace: Forbidden: not allowed on this type']],
    ['requires a group with at least one dot', (crd) => { crd.spec.group = 'machine'; crd.metadata.name = 'machinesets.machine'; },
      ['spec.group: Invalid value: "machine": should be a domain with at least one dot']],
    ['requires the group', (crd) => { delete crd.spec.group; crd.metadata.name = 'machinesets.'; }, [
      `metadata.name: Invalid value: "machinesets.": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      'spec.group: Required value']],
    ['accepts only Namespaced or Cluster scope', (crd) => { crd.spec.scope = 'Global'; }, ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']],
    ['requires a scope', (crd) => { delete crd.spec.scope; }, ['spec.scope: Required value']],
    ['requires lowercase DNS-1035 plural names', (crd) => { (crd.spec.names as JsonObject).plural = 'MachineSets'; crd.metadata.name = 'MachineSets.machine.openshift.io'; }, [
      `metadata.name: Invalid value: "MachineSets.machine.openshift.io": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      `spec.names.plural: Invalid value: "MachineSets": ${DNS1035}`]],
    ['lets kinds mix case but not use other characters', (crd) => { (crd.spec.names as JsonObject).kind = 'Machine_Set'; },
      [`spec.names.kind: Invalid value: "Machine_Set": may have mixed case, but should otherwise match: ${DNS1035}`]],
    ['forbids listKind equal to kind', (crd) => { (crd.spec.names as JsonObject).listKind = 'MachineSet'; },
      ['spec.names.listKind: Invalid value: "MachineSet": kind and listKind may not be the same']],
    ['checks short names and categories', (crd) => { Object.assign(crd.spec.names as JsonObject, { shortNames: ['MS'], categories: ['machine_api'] }); }, [
      `spec.names.shortNames[0]: Invalid value: "MS": ${DNS1035}`, `spec.names.categories[0]: Invalid value: "machine_api": ${DNS1035}`]],
    ['requires the kind', (crd) => { delete (crd.spec.names as JsonObject).kind; }, ['spec.names.kind: Required value']],
    ['requires the plural', (crd) => { delete (crd.spec.names as JsonObject).plural; crd.metadata.name = '.machine.openshift.io'; }, [
      `metadata.name: Invalid value: ".machine.openshift.io": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      'spec.names.plural: Required value']],
    ['requires at least one version', (crd) => { crd.spec.versions = []; }, ['spec.versions: Invalid value: []: must have exactly one version marked as storage version']],
    ['checks version names as DNS-1035 labels, also as the internal spec.version', (crd) => { firstVersion(crd).name = 'V1'; }, [
      `spec.versions[0].name: Invalid value: "V1": ${DNS1035}`, `spec.version: Invalid value: "V1": ${DNS1035}`]],
    ['requires a schema', (crd) => { delete firstVersion(crd).schema; }, ['spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required']],
    ['rejects spec.preserveUnknownFields: true', (crd) => { crd.spec.preserveUnknownFields = true; }, [
      'spec.preserveUnknownFields: Invalid value: true: must be false in order to use defaults in the schema',
      'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in openAPIV3Schema instead']],
    ['requires a type on specified fields', (_crd, root) => { at(root, 'spec').properties = { ...(at(root, 'spec').properties as JsonObject), foo: { description: 'no type' } }; },
      [`${SCHEMA}.properties[spec].properties[foo].type: Required value: must not be empty for specified object fields`]],
    ['requires a type on array items and object at the root', (_crd, root) => { root.type = 'string'; at(root, 'spec', 'selector', 'matchExpressions').items = {}; }, [
      `${SCHEMA}.type: Invalid value: "string": only "object" is allowed as the type at the root of the schema if the status subresource is enabled`,
      `${SCHEMA}.properties[spec].properties[selector].properties[matchExpressions].items.type: Required value: must not be empty for specified array items`,
      `${SCHEMA}.type: Invalid value: "string": must be object at the root`]],
    ['allows a missing type under x-kubernetes-preserve-unknown-fields and x-kubernetes-int-or-string', (_crd, root) => {
      Object.assign(at(root, 'spec').properties as JsonObject, { free: { 'x-kubernetes-preserve-unknown-fields': true }, port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } });
    }, []],
    ['forbids $ref', (_crd, root) => { Object.assign(at(root, 'spec').properties as JsonObject, { ref: { $ref: '#/definitions/x' } }); },
      [`${SCHEMA}.properties[spec].properties[ref].$ref: Forbidden: $ref is not supported`]],
    ['forbids properties together with additionalProperties', (_crd, root) => { at(root, 'spec').additionalProperties = { type: 'string' }; },
      [`${SCHEMA}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`]],
    ['forbids uniqueItems: true', (_crd, root) => { at(root, 'spec', 'selector', 'matchExpressions').uniqueItems = true; },
      [`${SCHEMA}.properties[spec].properties[selector].properties[matchExpressions].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`]],
    ['forbids types inside value validation junctors', (_crd, root) => { at(root, 'spec', 'replicas').anyOf = [{ type: 'integer', minimum: 1 }]; },
      [`${SCHEMA}.properties[spec].properties[replicas].anyOf[0].type: Forbidden: must be empty to be structural`]],
    ['lets metadata at the root restrict only name and generateName', (_crd, root) => { at(root, 'metadata').properties = { name: { type: 'string', maxLength: 20 }, labels: { type: 'object' } }; },
      [`${SCHEMA}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]],
    ['accepts a root metadata that restricts the name', (_crd, root) => { at(root, 'metadata').properties = { name: { type: 'string', maxLength: 20 } }; }, []],
    ['forbids defaults in top-level metadata', (_crd, root) => { at(root, 'metadata').properties = { name: { type: 'string', default: 'x' } }; },
      [`${SCHEMA}.properties[metadata].properties[name].default: Forbidden: must not be set in top-level metadata`]],
    ['requires defaults to validate against their schema', (_crd, root) => { at(root, 'spec', 'replicas').default = 'one'; },
      [`${SCHEMA}.properties[spec].properties[replicas].default: Invalid value: "string":  in body must be of type integer: "string"`]],
    ['requires defaults to respect value validations', (_crd, root) => { at(root, 'spec', 'replicas').default = -1; },
      [`${SCHEMA}.properties[spec].properties[replicas].default: Invalid value: -1:  in body should be greater than or equal to 0`]],
    ['requires defaults to be pruned', (_crd, root) => { at(root, 'spec', 'selector').default = { matchLabels: {}, bogus: 1 }; },
      [`${SCHEMA}.properties[spec].properties[selector].default: Invalid value: {"matchLabels":{},"bogus":1}: must not have unknown fields`]],
    ['requires list-map keys to be required or defaulted', (_crd, root) => { (at(root, 'status', 'conditions').items as JsonObject).required = ['status']; },
      [`${SCHEMA}.properties[status].properties[conditions].items.properties[type].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`]],
    ['requires list-map keys to name scalar item properties', (_crd, root) => {
      at(root, 'status', 'conditions')['x-kubernetes-list-map-keys'] = ['type', 'missing'];
    }, [`${SCHEMA}.properties[status].properties[conditions].x-kubernetes-list-map-keys: Invalid value: ["type","missing"]: entries must all be names of item properties`]],
    ['requires list-type map for list-map keys', (_crd, root) => { delete at(root, 'status', 'conditions')['x-kubernetes-list-type']; },
      [`${SCHEMA}.properties[status].properties[conditions].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`]],
    ['rejects an unknown list type', (_crd, root) => { at(root, 'status', 'conditions')['x-kubernetes-list-type'] = 'bag'; }, [
      `${SCHEMA}.properties[status].properties[conditions].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`,
      `${SCHEMA}.properties[status].properties[conditions].x-kubernetes-list-type: Invalid value: "bag": must be map if x-kubernetes-list-map-keys is non-empty`]],
    ['rejects x-kubernetes-preserve-unknown-fields: false', (_crd, root) => { at(root, 'spec').properties = { ...(at(root, 'spec').properties as JsonObject), x: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } }; },
      [`${SCHEMA}.properties[spec].properties[x].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`]],
    ['checks the static shape of CEL rules', (_crd, root) => { at(root, 'spec')['x-kubernetes-validations'] = [{ rule: ' ' }, { rule: 'self.a', reason: 'Nope' }]; }, [
      `${SCHEMA}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified`,
      `${SCHEMA}.properties[spec].x-kubernetes-validations[1].reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`]],
    ['accepts CEL rules that compile against the schema', (_crd, root) => {
      at(root, 'spec')['x-kubernetes-validations'] = [{ rule: 'self.replicas <= 10 || self.deletePolicy == "Oldest"', messageExpression: "'too many: ' + string(self.replicas)" }];
      at(root, 'spec', 'replicas')['x-kubernetes-validations'] = [{ rule: 'self >= oldSelf', message: 'cannot shrink' }];
    }, []],
    ['refuses a rule that does not compile, quoting the rule and cel-go\'s error', (_crd, root) => {
      at(root, 'spec')['x-kubernetes-validations'] = [{ rule: 'self.replica > 1', reason: 'FieldValueForbidden' }, { rule: 'self.replicas' }];
    }, [
      `${SCHEMA}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.replica > 1", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(0xc000000000), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: ERROR: <input>:1:5: undefined field 'replica'\n | self.replica > 1\n | ....^`,
      `${SCHEMA}.properties[spec].x-kubernetes-validations[1].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.replicas", Message:"", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: cel expression must evaluate to a bool`]],
    ['refuses oldSelf under a list whose items cannot be correlated', (_crd, root) => {
      (at(root, 'spec', 'selector', 'matchExpressions').items as JsonObject)['x-kubernetes-validations'] = [{ rule: 'self.key == oldSelf.key' }];
    }, [
      `${SCHEMA}.properties[spec].properties[selector].properties[matchExpressions].items.x-kubernetes-validations[0].rule: Invalid value: "self.key == oldSelf.key": oldSelf cannot be used on the uncorrelatable portion of the schema within ${SCHEMA}.properties[spec].properties[selector].properties[matchExpressions].items`]],
    ['refuses optionalOldSelf on a rule that does not use oldSelf, and rules under schema errors are not compiled', (_crd, root) => {
      at(root, 'spec')['x-kubernetes-validations'] = [{ rule: 'has(self.replicas)', optionalOldSelf: true }];
      at(root, 'status')['x-kubernetes-validations'] = [{ rule: 'self.bogus', message: ' ' }];
    }, [
      `${SCHEMA}.properties[spec].x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`,
      `${SCHEMA}.properties[status].x-kubernetes-validations[0].message: Invalid value: " ": message must be non-empty if specified`]],
    ['requires scale paths under .spec and .status', (crd) => {
      (firstVersion(crd).subresources as JsonObject).scale = { specReplicasPath: 'spec.replicas', statusReplicasPath: '.spec.replicas', labelSelectorPath: '.metadata.labels' };
    }, [
      'spec.subresources.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
      'spec.subresources.scale.statusReplicasPath: Invalid value: ".spec.replicas": should be a json path under .status',
      'spec.subresources.scale.labelSelectorPath: Invalid value: ".metadata.labels": should be a json path under either .spec or .status']],
    ['checks printer columns', (crd) => { firstVersion(crd).additionalPrinterColumns = [{ name: 'X', type: 'float', jsonPath: '' }]; }, [
      'spec.additionalPrinterColumns[0].type: Invalid value: "float": must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[0].JSONPath: Required value']],
    ['requires a client config for Webhook conversion', (crd) => { crd.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'] } }; },
      ['spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook']],
    ['accepts a configured Webhook conversion (serving it is refused elsewhere)', (crd) => {
      crd.spec.conversion = { strategy: 'Webhook', webhook: { clientConfig: { service: { namespace: 'ns', name: 'svc' } }, conversionReviewVersions: ['v1'] } };
    }, []],
    ['accepts only None or Webhook conversion', (crd) => { crd.spec.conversion = { strategy: 'Magic' }; },
      ['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"']],
    ['requires approval for protected groups', (crd) => { crd.spec.group = 'machine.k8s.io'; crd.metadata.name = 'machinesets.machine.k8s.io'; },
      ['metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111']],
  ];
  for (const [title, fn, expected] of cases) {
    it(title, () => assert.deepEqual(check(fn), expected));
  }

  it('reports schema errors per version when the versions carry different schemas', () => {
    const crd = machineSetCrd() as KubeObject & { spec: JsonObject };
    const v1 = structuredClone(firstVersion(crd));
    v1.name = 'v1';
    v1.storage = false;
    const root = (v1.schema as JsonObject).openAPIV3Schema as JsonObject;
    (at(root, 'spec').properties as JsonObject).foo = { description: 'untyped' };
    (crd.spec.versions as Json[]).push(v1);
    assert.deepEqual(validateCustomResourceDefinition(crd).map((e) => `${e.field}: ${e.detail}`), [
      'spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[foo].type: Required value: must not be empty for specified object fields',
    ]);
  });

  it('requires exactly one storage version', () => {
    const crd = machineSetCrd() as KubeObject & { spec: JsonObject };
    firstVersion(crd).storage = false;
    const errs = validateCustomResourceDefinition(crd);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].field, 'spec.versions');
    assert.match(errs[0].detail, /^Invalid value: \[\{"name":"v1beta1".*: must have exactly one version marked as storage version$/);
  });

  it('restricts the root schema to a few fields when the status subresource is enabled', () => {
    const crd = machineSetCrd() as KubeObject & { spec: JsonObject };
    const root = (firstVersion(crd).schema as JsonObject).openAPIV3Schema as JsonObject;
    root.anyOf = [{ required: ['spec'] }];
    const errs = validateCustomResourceDefinition(crd);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].field, SCHEMA);
    assert.match(errs[0].detail, / fields are allowed at the root of the schema if the status subresource is enabled$/);
    assert.ok(errs[0].detail.includes('only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations]'));
    delete (firstVersion(crd).subresources as JsonObject).status;
    assert.deepEqual(validateCustomResourceDefinition(crd), [], 'without the status subresource the root may use anyOf');
  });

  it('rejects duplicate version names', () => {
    const crd = machineSetCrd() as KubeObject & { spec: JsonObject };
    const copy = { ...firstVersion(crd), storage: false };
    (crd.spec.versions as Json[]).push(copy);
    const errs = validateCustomResourceDefinition(crd);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].field, 'spec.versions');
    assert.match(errs[0].detail, /: must contain unique version names$/);
  });
});
