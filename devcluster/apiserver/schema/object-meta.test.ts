import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { ObjectMeta } from '../types.ts';
import { isDns1035Label, isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue, isValidPathSegmentName } from './names.ts';
import { validateObjectMeta } from './object-meta.ts';

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QNAME_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('name primitives', () => {
  const cases: Array<[string, (v: string) => string[], string, string[]]> = [
    ['a DNS-1123 subdomain accepts dotted lowercase names', isDns1123Subdomain, 'machinesets.machine.openshift.io', []],
    ['a DNS-1123 subdomain rejects underscores and capitals', isDns1123Subdomain, 'Bad_Name', [SUBDOMAIN_MSG]],
    ['a DNS-1123 subdomain rejects names over 253 characters', isDns1123Subdomain, 'a'.repeat(254), ['must be no more than 253 characters']],
    ['a DNS-1123 label says a dotted name must not contain dots', isDns1123Label, 'a.b', ['must not contain dots']],
    ['a DNS-1123 label gives the regex message otherwise', isDns1123Label, 'A', [LABEL_MSG]],
    ['a DNS-1123 label reports both length and format', isDns1123Label, `-${'a'.repeat(63)}`, ['must be no more than 63 characters', LABEL_MSG]],
    ['a DNS-1035 label must start with a letter', isDns1035Label, '1abc', [DNS1035_MSG]],
    ['a qualified name accepts a prefixed name', isQualifiedName, 'machine.openshift.io/cluster-api-machineset', []],
    ['a qualified name rejects an empty prefix', isQualifiedName, '/name', ['prefix part must be non-empty']],
    ['a qualified name checks the prefix as a subdomain', isQualifiedName, 'Bad_Prefix/name', [`prefix part ${SUBDOMAIN_MSG}`]],
    ['a qualified name rejects an empty name part', isQualifiedName, 'example.com/', ['name part must be non-empty', QNAME_MSG]],
    ['a qualified name rejects a name part over 63 characters', isQualifiedName, 'x'.repeat(64), ['name part must be no more than 63 characters']],
    ['a qualified name must start and end alphanumeric', isQualifiedName, '-x', [QNAME_MSG]],
    ['a label value may be empty', isValidLabelValue, '', []],
    ['a label value must end alphanumeric', isValidLabelValue, 'x-', [LABEL_VALUE_MSG]],
    ['a label value may not exceed 63 characters', isValidLabelValue, 'v'.repeat(64), ['must be no more than 63 characters']],
    ['a path segment name may not be ..', (v) => isValidPathSegmentName(v), '..', ["may not be '..'"]],
    ['a path segment name may not contain / or %', (v) => isValidPathSegmentName(v), 'a/b%c', ["may not contain '/'", "may not contain '%'"]],
  ];
  for (const [title, fn, input, expected] of cases) {
    it(title, () => assert.deepEqual(fn(input), expected));
  }

  it('a qualified name with two slashes gets the whole-name message', () => {
    assert.deepEqual(isQualifiedName('a/b/c'), [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
  });
});

describe('validateObjectMeta', () => {
  const render = (meta: ObjectMeta, namespaced = true, nameValidation?: 'dns-subdomain' | 'dns-label' | 'path-segment'): string[] =>
    validateObjectMeta(meta, { namespaced, nameValidation }).map((e) => `${e.field}: ${e.detail}`);

  it('accepts a complete, valid namespaced object', () => {
    assert.deepEqual(render({
      name: 'ms1', namespace: 'openshift-machine-api', labels: { app: 'x', 'example.com/tier': '' }, annotations: { 'Example.com/Note': 'free text' },
      finalizers: ['machine.machine.openshift.io'], ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }],
    }), []);
  });

  const cases: Array<[string, ObjectMeta, boolean, string[]]> = [
    ['requires a name or a generateName', { namespace: 'ns' }, true, ['metadata.name: Required value: name or generateName is required']],
    ['accepts generateName alone, with its trailing dash', { generateName: 'ms1-', namespace: 'ns' }, true, []],
    ['checks generateName as a prefix', { generateName: 'Bad_', namespace: 'ns' }, true, [`metadata.generateName: Invalid value: "Bad_": ${SUBDOMAIN_MSG}`]],
    ['rejects a name that is not a DNS subdomain', { name: 'Bad_Name', namespace: 'ns' }, true, [`metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`]],
    ['requires a namespace for namespaced kinds', { name: 'a' }, true, ['metadata.namespace: Required value']],
    ['forbids a namespace on cluster-scoped kinds', { name: 'a', namespace: 'ns' }, false, ['metadata.namespace: Forbidden: not allowed on this type']],
    ['checks the namespace as a DNS label', { name: 'a', namespace: 'a.b' }, true, ['metadata.namespace: Invalid value: "a.b": must not contain dots']],
    ['rejects a negative generation', { name: 'a', namespace: 'ns', generation: -1 }, true, ['metadata.generation: Invalid value: -1: must be greater than or equal to 0']],
    ['reports bad label keys and values on metadata.labels', { name: 'a', namespace: 'ns', labels: { '-k': 'v-' } }, true, [
      `metadata.labels: Invalid value: "-k": ${QNAME_MSG}`, `metadata.labels: Invalid value: "v-": ${LABEL_VALUE_MSG}`]],
    ['reports bad annotation keys', { name: 'a', namespace: 'ns', annotations: { 'a b': 'x' } }, true, [`metadata.annotations: Invalid value: "a b": ${QNAME_MSG}`]],
    ['limits the total annotation size to 256 KiB', { name: 'a', namespace: 'ns', annotations: { big: 'x'.repeat(256 * 1024) } }, true, ['metadata.annotations: Too long: may not be more than 262144 bytes']],
    ['checks finalizers as qualified names', { name: 'a', namespace: 'ns', finalizers: ['a/b/c/d'] }, true, [
      `metadata.finalizers: Invalid value: "a/b/c/d": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`]],
    ['requires apiVersion, kind, name and uid of owner references', { name: 'a', namespace: 'ns', ownerReferences: [{ apiVersion: 'apps/', kind: '', name: '', uid: '' }] }, true, [
      'metadata.ownerReferences.apiVersion: Invalid value: "apps/": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": must not be empty']],
  ];
  for (const [title, meta, namespaced, expected] of cases) {
    it(title, () => assert.deepEqual(render(meta, namespaced), expected));
  }

  it('allows at most one controller owner reference', () => {
    const refs = [
      { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
      { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true },
    ];
    const errs = validateObjectMeta({ name: 'x', namespace: 'ns', ownerReferences: refs }, { namespaced: true });
    assert.equal(errs.length, 1);
    assert.equal(errs[0].field, 'metadata.ownerReferences');
    assert.match(errs[0].detail, /: Only one reference can have Controller set to true\. Found "true" in references for A\/a and B\/b$/);
  });

  it('validates names as DNS labels or path segments when asked', () => {
    assert.deepEqual(render({ name: 'a.b' }, false, 'dns-label'), ['metadata.name: Invalid value: "a.b": must not contain dots']);
    assert.deepEqual(render({ name: 'Any_Name:1' }, false, 'path-segment'), []);
    assert.deepEqual(render({ name: 'a/b' }, false, 'path-segment'), ['metadata.name: Invalid value: "a/b": may not contain \'/\'']);
  });
});
