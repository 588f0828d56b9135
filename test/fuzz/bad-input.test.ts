// Fuzzed bad input against the embedded server: malformed JSON, wrong kinds, schema violations, huge and deeply
// nested bodies, bad selectors and list parameters, bad patches, wrong media types, random protobuf, bogus paths
// and methods, an aborted upload and thousands of random mutations of valid objects. Every answer must be a
// proper metav1.Status with the HTTP code (shared/reference/apiserver.md §1 H2), nothing may hang, and the
// server must still serve normally afterwards.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { MAX_JSON_DEPTH } from '../../devcluster/apiserver/http/body.ts';
import { startTestServer, type TestServer } from '../support/dev-server.ts';
import { installMachineCrds } from '../support/machine-crds.ts';
import { closeRawClient, collectResponse, rawRequest, rawRequestOptions, type RawRequest, type RawResponse } from '../support/raw-client.ts';
import { mutate, type Json } from './mutate.ts';
import { Random } from './random.ts';
import { assertAcceptedOrStatus, assertPlainNotFound, assertStatusResponse, CREATE_WITH_RESOURCE_VERSION } from './status.ts';

/** Change it (or set FUZZ_SEED) to explore; a failure message names the seed and the case that broke. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
/** Random mutations per target; bounded so the whole file runs in a few seconds. */
const MUTATIONS = 600;
const REQUEST_TIMEOUT_MS = 10_000;

const NS = 'fuzz';
const CM = `/api/v1/namespaces/${NS}/configmaps`;
const MS = `/apis/machine.openshift.io/v1beta1/namespaces/${NS}/machinesets`;
const JSON_TYPE = { 'Content-Type': 'application/json' };
const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';
const APPLY = 'application/apply-patch+yaml';
const MIB = 1024 * 1024;

const VALID_CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'base', labels: { app: 'fuzz' } }, data: { key: 'value' } };
const VALID_MACHINE_SET = {
  apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet',
  metadata: { name: 'base', labels: { app: 'fuzz' } },
  spec: {
    replicas: 1, deletePolicy: 'Random',
    selector: { matchLabels: { 'machine.openshift.io/cluster-api-machineset': 'base' } },
    template: {
      metadata: { labels: { 'machine.openshift.io/cluster-api-machineset': 'base' } },
      spec: { providerSpec: { value: { apiVersion: 'example/v1', kind: 'ProviderSpec', instanceType: 'm5.large' } } },
    },
  },
};

/** One request and the answer it must get: an exact code (a Status unless 2xx), any 4xx Status, or the plain-text 404. */
interface Case {
  what: string;
  req: RawRequest;
  expect?: number | readonly number[] | 'plain-404';
}

function post(path: string, body: string | Buffer, headers: Record<string, string> = JSON_TYPE): RawRequest {
  return { method: 'POST', path, body, headers };
}

function patch(path: string, type: string, body: string): RawRequest {
  return { method: 'PATCH', path, body, headers: { 'Content-Type': type } };
}

function withName(obj: object, name: string): Record<string, unknown> {
  const copy = structuredClone(obj) as Record<string, unknown> & { metadata: Record<string, unknown> };
  copy.metadata.name = name;
  return copy;
}

function machineSetWithSpec(name: string, spec: unknown): string {
  return JSON.stringify({ ...withName(VALID_MACHINE_SET, name), spec });
}

function machineSetWith(name: string, change: (spec: Record<string, unknown>) => void): string {
  const ms = withName(VALID_MACHINE_SET, name) as { spec: Record<string, unknown> };
  change(ms.spec);
  return JSON.stringify(ms);
}

/** `{"a":{"a":…1…}}` nested `depth` times, built without recursion. */
function nestedObject(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const MALFORMED_JSON = ['{', '{"metadata":', '{"metadata":{"name":"x"},}', '{"a":1}}', 'nul', '{\'a\':1}', '{"a":01}', '{"a":NaN}',
  '{"metadata":{"name":"x"}}garbage', '\u0000\u0001\u0002', '   ', '', '{"a":"\\x"}', '{"a":"\u0001"}'];
const WRONG_JSON_TYPES = ['[]', '[{"metadata":{"name":"x"}}]', '42', '-1.5e300', '"configmap"', 'true', 'null'];

function malformedCases(): Case[] {
  const cases: Case[] = [];
  for (const [label, path, method] of [['create ConfigMap', CM, 'POST'], ['update ConfigMap', `${CM}/base`, 'PUT'],
    ['create MachineSet', MS, 'POST'], ['update MachineSet', `${MS}/base`, 'PUT']] as const) {
    for (const body of MALFORMED_JSON) cases.push({ what: `${label} with malformed JSON ${JSON.stringify(body)}`, req: { method, path, body, headers: JSON_TYPE }, expect: 400 });
    cases.push({ what: `${label} with invalid UTF-8`, req: { method, path, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), headers: JSON_TYPE }, expect: 400 });
    for (const body of WRONG_JSON_TYPES) cases.push({ what: `${label} with JSON ${body}`, req: { method, path, body, headers: JSON_TYPE }, expect: 400 });
  }
  return cases;
}

function wrongKindCases(): Case[] {
  return [
    { what: 'a ConfigMap with apiVersion v2', req: post(CM, JSON.stringify({ ...VALID_CONFIG_MAP, apiVersion: 'v2', metadata: { name: 'k1' } })), expect: 400 },
    { what: 'a Secret sent to configmaps', req: post(CM, JSON.stringify({ ...VALID_CONFIG_MAP, kind: 'Secret', metadata: { name: 'k2' } })), expect: 400 },
    { what: 'a MachineSet with apiVersion v1', req: post(MS, JSON.stringify({ ...withName(VALID_MACHINE_SET, 'k3'), apiVersion: 'v1' })), expect: 400 },
    { what: 'a Machine sent to machinesets', req: post(MS, JSON.stringify({ ...withName(VALID_MACHINE_SET, 'k4'), kind: 'Machine' })), expect: 400 },
    { what: 'a MachineSet sent to configmaps', req: post(CM, JSON.stringify(withName(VALID_MACHINE_SET, 'k5'))), expect: 400 },
    { what: 'a ConfigMap for another namespace', req: post(CM, JSON.stringify({ ...VALID_CONFIG_MAP, metadata: { name: 'k6', namespace: 'default' } })), expect: 400 },
    { what: 'an update naming another object', req: { method: 'PUT', path: `${CM}/base`, body: JSON.stringify(withName(VALID_CONFIG_MAP, 'other')), headers: JSON_TYPE }, expect: 400 },
    { what: 'metadata that is a string', req: post(CM, '{"metadata":"x"}'), expect: 400 },
    { what: 'a create with a resourceVersion', req: post(CM, JSON.stringify({ ...VALID_CONFIG_MAP, metadata: { name: 'k7', resourceVersion: '1' } })), expect: 500 },
  ];
}

function schemaCases(): Case[] {
  const invalid = (what: string, body: string): Case => ({ what: `a MachineSet with ${what}`, req: post(MS, body), expect: 422 });
  return [
    invalid('replicas "three"', machineSetWith('s1', (s) => (s.replicas = 'three'))),
    invalid('replicas 1.5', machineSetWith('s2', (s) => (s.replicas = 1.5))),
    invalid('deletePolicy "Sometimes"', machineSetWith('s3', (s) => (s.deletePolicy = 'Sometimes'))),
    invalid('deletePolicy 7', machineSetWith('s4', (s) => (s.deletePolicy = 7))),
    invalid('a matchExpression without key and operator', machineSetWith('s5', (s) => (s.selector = { matchExpressions: [{}] }))),
    invalid('matchLabels values that are numbers', machineSetWith('s6', (s) => (s.selector = { matchLabels: { a: 1 } }))),
    invalid('spec "x"', machineSetWithSpec('s7', 'x')),
    invalid('spec []', machineSetWithSpec('s8', [])),
    invalid('minReadySeconds true', machineSetWith('s9', (s) => (s.minReadySeconds = true))),
    invalid('an invalid name', JSON.stringify(withName(VALID_MACHINE_SET, 'Bad_Name'))),
    invalid('a 254-character name', JSON.stringify(withName(VALID_MACHINE_SET, 'a'.repeat(254)))),
    invalid('no name', JSON.stringify({ ...VALID_MACHINE_SET, metadata: {} })),
    invalid('an invalid label value', JSON.stringify({ ...VALID_MACHINE_SET, metadata: { name: 's10', labels: { a: '-bad-' } } })),
    { what: 'labels that are a number', req: post(MS, JSON.stringify({ ...VALID_MACHINE_SET, metadata: { name: 's11', labels: 5 } })), expect: 400 },
    { what: 'a label value that is a number', req: post(CM, JSON.stringify({ ...VALID_CONFIG_MAP, metadata: { name: 's12', labels: { a: 5 } } })), expect: 400 },
    { what: 'ownerReferences that are a number', req: post(CM, JSON.stringify({ ...VALID_CONFIG_MAP, metadata: { name: 's13', ownerReferences: 2 ** 31 } })), expect: 400 },
    { what: 'an ownerReference that is null', req: post(MS, JSON.stringify({ ...VALID_MACHINE_SET, metadata: { name: 's14', ownerReferences: [null] } })), expect: 422 },
    { what: 'finalizers that are a string', req: post(CM, JSON.stringify({ ...VALID_CONFIG_MAP, metadata: { name: 's15', finalizers: 'x' } })), expect: 400 },
    { what: 'managedFields that are an object', req: post(MS, JSON.stringify({ ...VALID_MACHINE_SET, metadata: { name: 's16', managedFields: {} } })), expect: 400 },
  ];
}

/** A MachineSet whose providerSpec.value nests `depth` objects: the whole document is `depth + 5` levels deep. */
function deepMachineSet(name: string, depth: number): string {
  return machineSetWith(name, (s) => (s.template = { spec: { providerSpec: { value: '__DEEP__' } } })).replace('"__DEEP__"', nestedObject(depth));
}

/** The same nesting as YAML flow mappings, for server-side apply. */
function deepApplyConfiguration(name: string, depth: number): string {
  return `apiVersion: machine.openshift.io/v1beta1\nkind: MachineSet\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      providerSpec:\n        value: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
}

function sizeCases(): Case[] {
  const big = (size: number): string => JSON.stringify({ ...VALID_CONFIG_MAP, metadata: { name: 'big' }, data: { blob: 'x'.repeat(size) } });
  const limit = MAX_JSON_DEPTH - 5;
  return [
    { what: 'a 4 MiB create', req: post(CM, big(4 * MIB)), expect: 413 },
    { what: 'a 30 MiB create', req: post(CM, big(30 * MIB)), expect: 413 },
    { what: 'a 4 MiB merge patch', req: patch(`${MS}/base`, MERGE, JSON.stringify({ metadata: { annotations: { a: 'x'.repeat(4 * MIB) } } })), expect: 413 },
    { what: '100k levels of [', req: post(CM, '['.repeat(100_000)), expect: 400 },
    { what: '100k balanced levels of []', req: post(CM, '['.repeat(100_000) + ']'.repeat(100_000)), expect: 400 },
    { what: 'a ConfigMap 100k objects deep', req: post(CM, `{"metadata":{"name":"deep"},"data":${nestedObject(100_000)}}`), expect: 400 },
    { what: 'a MachineSet providerSpec 100k objects deep', req: post(MS, deepMachineSet('deep', 100_000)), expect: 400 },
    { what: 'a merge patch 100k objects deep', req: patch(`${CM}/base`, MERGE, `{"metadata":{"annotations":${nestedObject(100_000)}}}`), expect: 400 },
    { what: 'a JSON patch value 100k arrays deep', req: patch(`${CM}/base`, JSON_PATCH, `[{"op":"add","path":"/data/x","value":${'['.repeat(100_000)}${']'.repeat(100_000)}}]`), expect: 400 },
    { what: 'an apply configuration 100k flow sequences deep', req: patch(`${CM}/base?fieldManager=fuzz`, APPLY, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\ndata: ${'['.repeat(100_000)}${']'.repeat(100_000)}`), expect: 400 },
    // At the server's depth limit every write path must still work; one level more is refused, never a 500.
    { what: 'a MachineSet exactly at the depth limit', req: post(MS, deepMachineSet('at-limit', limit)), expect: 201 },
    { what: 'a MachineSet one level over the depth limit', req: post(MS, deepMachineSet('over-limit', limit + 1)), expect: 400 },
    { what: 'a merge patch to the depth limit', req: patch(`${MS}/at-limit`, MERGE, '{"metadata":{"labels":{"deep":"yes"}}}'), expect: 200 },
    // The YAML parser itself gives up (400) somewhat below the limit, so apply is checked well inside it.
    { what: 'an apply configuration 400 levels deep', req: patch(`${MS}/applied-deep?fieldManager=fuzz`, APPLY, deepApplyConfiguration('applied-deep', 400)), expect: 201 },
    { what: 'an apply configuration over the depth limit', req: patch(`${MS}/applied-over-limit?fieldManager=fuzz`, APPLY, deepApplyConfiguration('applied-over-limit', limit + 1)), expect: 400 },
    { what: 'a list holding objects at the depth limit', req: { path: MS }, expect: 200 },
  ];
}

// Not here because kube-apiserver accepts them: 'a==' (empty value), 'a in (b,,c)' (empty member), 'metadata.name=a,' (empty term).
const BAD_LABEL_SELECTORS = ['a=(', '!', 'a in (', 'a in (b', 'a=b,', ',', '=b', 'a=b=c', 'a notin b', 'a>x', '%%%', 'a b', `${'k'.repeat(64)}=v`,
  `a=${'v'.repeat(64)}`, 'a=-x', 'prefix_bad/a=b', '!a=b', 'a!==b'];
const BAD_FIELD_SELECTORS = ['spec.foo=bar', 'metadata.name in (a)', '=', 'metadata.name', '!metadata.name', 'data.key=v', 'metadata.labels=x'];

function selectorCases(): Case[] {
  const cases: Case[] = [];
  for (const [label, base] of [['ConfigMaps', CM], ['MachineSets', MS]] as const) {
    for (const sel of BAD_LABEL_SELECTORS) {
      cases.push({ what: `list ${label} with labelSelector ${JSON.stringify(sel)}`, req: { path: `${base}?labelSelector=${encodeURIComponent(sel)}` }, expect: 400 });
      cases.push({ what: `watch ${label} with labelSelector ${JSON.stringify(sel)}`, req: { path: `${base}?watch=true&labelSelector=${encodeURIComponent(sel)}` }, expect: 400 });
    }
    for (const sel of BAD_FIELD_SELECTORS) {
      cases.push({ what: `list ${label} with fieldSelector ${JSON.stringify(sel)}`, req: { path: `${base}?fieldSelector=${encodeURIComponent(sel)}` }, expect: 400 });
      cases.push({ what: `watch ${label} with fieldSelector ${JSON.stringify(sel)}`, req: { path: `${base}?watch=true&fieldSelector=${encodeURIComponent(sel)}` }, expect: 400 });
    }
  }
  return cases;
}

function listParameterCases(): Case[] {
  const cases: Case[] = [];
  for (const [label, base] of [['ConfigMaps', CM], ['MachineSets', MS]] as const) {
    const list = (query: string, expect: number): Case => ({ what: `list ${label} with ${query}`, req: { path: `${base}?${query}` }, expect });
    cases.push(
      list('resourceVersion=abc', 400), list('resourceVersion=-1', 400), list('resourceVersion=1.5', 400), list('resourceVersion=%00', 400),
      list('limit=abc', 400), list('limit=1e3', 400), list('limit=99999999999999999999999', 400),
      list('continue=garbage', 400), list('continue=%7B%7D', 400), list(`continue=${Buffer.from('{"v":"embedded.1","rv":"x"}').toString('base64url')}`, 400),
      list('resourceVersion=5&resourceVersionMatch=Bogus', 422), list('resourceVersionMatch=Exact', 422), list('resourceVersion=0&resourceVersionMatch=Exact', 422),
      list('resourceVersion=1&resourceVersionMatch=NotOlderThan&continue=x', 422),
      list('timeoutSeconds=abc', 400), list('watch=true&resourceVersion=abc', 400), list('watch=true&resourceVersion=-5', 400),
      list('watch=true&timeoutSeconds=abc', 400), list('watch=true&timeoutSeconds=1.5', 400), list('watch=true&sendInitialEvents=true', 422),
      list('watch=true&resourceVersion=1&resourceVersionMatch=NotOlderThan', 422),
    );
    cases.push({ what: `create ${label} with dryRun=Some`, req: post(`${base}?dryRun=Some`, JSON.stringify(withName(label === 'ConfigMaps' ? VALID_CONFIG_MAP : VALID_MACHINE_SET, 'dry'))), expect: 422 });
    cases.push({ what: `create ${label} with fieldValidation=Loud`, req: post(`${base}?fieldValidation=Loud`, JSON.stringify(withName(label === 'ConfigMaps' ? VALID_CONFIG_MAP : VALID_MACHINE_SET, 'fv'))), expect: 400 });
  }
  return cases;
}

function patchCases(): Case[] {
  const cases: Case[] = [];
  for (const [label, target] of [['ConfigMap', `${CM}/base`], ['MachineSet', `${MS}/base`]] as const) {
    const p = (what: string, type: string, body: string, expect?: number | readonly number[], query = ''): void => {
      cases.push({ what: `${label} ${type} patch ${what}`, req: patch(`${target}${query}`, type, body), expect });
    };
    for (const body of ['', 'garbage', '{', '{"spec":', '"str"']) p(`body ${JSON.stringify(body)}`, MERGE, body, 400);
    p('that is an array', MERGE, '[1]', [400, 422]);
    p('that renames the object', MERGE, '{"metadata":{"name":"other"}}', [400, 422]);
    p('that changes the kind', MERGE, '{"kind":"Secret"}', 400);
    p('that makes metadata a string', MERGE, '{"metadata":"x"}', [400, 422]);
    p('with a stale resourceVersion', MERGE, '{"metadata":{"resourceVersion":"1"}}', 409);
    p('with force=true', MERGE, '{}', 422, '?force=true');
    for (const body of ['', 'garbage', '{}', '{"op":"add"}', '[1]', '[{}]', '[{"op":"bogus","path":"/a"}]', '[{"op":"add"}]', '[{"op":"add","path":"no-slash","value":1}]'
      , '[{"op":"move","from":"/nope","path":"/x"}]', '[{"op":"remove","path":"/metadata/nope/deeper"}]', '[{"op":"copy","path":"/x"}]', '[{"op":"replace","path":"/metadata/name","value":7}]']) {
      p(`body ${JSON.stringify(body)}`, JSON_PATCH, body, [400, 422]);
    }
    p('with a failing test', JSON_PATCH, '[{"op":"test","path":"/metadata/name","value":"nope"}]', 422);
    p('with 10001 operations', JSON_PATCH, JSON.stringify(Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/metadata/name', value: 'base' }))), 413);
    if (label === 'ConfigMap') {
      for (const body of ['', 'garbage', '[]', '"x"', '{"$patch":"bogus"}', '{"metadata":{"$patch":"explode"}}', '{"$setElementOrder/data":5}', '{"$retainKeys":"x"}']) {
        p(`body ${JSON.stringify(body)}`, STRATEGIC, body, [400, 422]);
      }
    } else {
      p('on a custom resource', STRATEGIC, '{"spec":{"replicas":2}}', 415);
    }
    p('without a fieldManager', APPLY, 'apiVersion: v1', 422);
    const apply = (what: string, body: string, expect: number | readonly number[]): void => p(what, APPLY, body, expect, '?fieldManager=fuzz');
    apply('of broken YAML', 'a: [', 400);
    apply('of a YAML list', '- 1\n- 2', 400);
    apply('of a YAML scalar', 'hello', 400);
    apply('with duplicate keys', 'a: 1\na: 2', 400);
    apply('of a billion-laughs alias bomb', `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]`, 400);
    apply('without apiVersion and kind', 'metadata:\n  name: base', 400);
    apply('of another kind', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: base', 400);
    for (const type of ['application/xml', 'text/plain', 'application/json', 'application/x-www-form-urlencoded', ';;;', 'application/merge-patch+json+evil']) {
      p(`with Content-Type ${type}`, type, '{}', 415);
    }
  }
  return cases;
}

function mediaTypeCases(rng: Random): Case[] {
  const cases: Case[] = [];
  const body = JSON.stringify(withName(VALID_CONFIG_MAP, 'mt'));
  for (const type of ['application/xml', 'text/plain', 'multipart/form-data; boundary=x', 'application/merge-patch+json', 'image/png', ';;;', '*/*']) {
    cases.push({ what: `create with Content-Type ${type}`, req: post(CM, body, { 'Content-Type': type }), expect: 415 });
  }
  for (const [label, path] of [['ConfigMap', CM], ['MachineSet', MS]] as const) {
    for (let i = 0; i < 40; i++) {
      const len = rng.int(200);
      const raw = i % 2 === 0 ? rng.bytes(len) : Buffer.concat([Buffer.from('k8s\0', 'latin1'), rng.bytes(len)]);
      cases.push({ what: `create ${label} from ${len} random protobuf bytes #${i}`, req: post(path, raw, { 'Content-Type': 'application/vnd.kubernetes.protobuf' }), expect: label === 'MachineSet' ? [400, 415] : 400 });
    }
  }
  return cases;
}

function pathAndMethodCases(): Case[] {
  const plain = (path: string, method = 'GET'): Case => ({ what: `${method} ${path}`, req: { method, path }, expect: 'plain-404' });
  return [
    plain('/apis/nope.example.com/v1/things'), plain('/api/v2/pods'), plain('/api/v1/things'), plain('/apis/machine.openshift.io/v9/machinesets'),
    plain('/%zz'), plain('/api/v1/namespaces/fuzz/configmaps/a/b/c/d'), plain('/nope'), plain('/apis/apps/v1/namespaces/fuzz/deployments/x/bogus/extra'),
    { what: 'GET an unknown subresource', req: { path: `${CM}/base/bogus` }, expect: 404 },
    { what: 'GET a namespaced object without namespace', req: { path: '/api/v1/configmaps/base' }, expect: 404 },
    { what: 'GET a cluster-scoped kind in a namespace', req: { path: `/api/v1/namespaces/${NS}/namespaces/x` }, expect: 404 },
    { what: 'GET a missing object', req: { path: `${MS}/absent` }, expect: 404 },
    { what: 'GET a name with a NUL', req: { path: `${CM}/%00` }, expect: 404 },
    { what: 'PROPFIND a collection', req: { method: 'PROPFIND', path: CM }, expect: 405 },
    { what: 'TRACE an object', req: { method: 'TRACE', path: `${CM}/base` }, expect: 405 },
    { what: 'POST to a named object', req: post(`${CM}/base`, JSON.stringify(VALID_CONFIG_MAP)), expect: 405 },
    { what: 'PUT a collection', req: { method: 'PUT', path: CM, body: '{}', headers: JSON_TYPE }, expect: 405 },
    { what: 'PATCH a collection', req: patch(CM, MERGE, '{}'), expect: 405 },
    { what: 'DELETE on /status', req: { method: 'DELETE', path: `${MS}/base/status` }, expect: 405 },
    { what: 'POST to /scale', req: post(`${MS}/base/scale`, '{}'), expect: 405 },
    { what: 'POST to the discovery root', req: post('/api', '{}'), expect: 405 },
    { what: 'DELETE a group-version discovery document', req: { method: 'DELETE', path: '/apis/machine.openshift.io/v1beta1' }, expect: 405 },
    { what: 'PUT /version', req: { method: 'PUT', path: '/version', body: '{}', headers: JSON_TYPE }, expect: 405 },
    { what: 'a request without a token', req: { path: CM, anonymous: true }, expect: 401 },
    { what: 'a request with a wrong token', req: { path: CM, anonymous: true, headers: { Authorization: 'Bearer nope' } }, expect: 401 },
    { what: 'a Basic Authorization header', req: { path: CM, anonymous: true, headers: { Authorization: 'Basic Zm9vOmJhcg==' } }, expect: 401 },
    { what: 'DELETE with a malformed DeleteOptions body', req: { method: 'DELETE', path: `${CM}/base`, body: '{"propagationPolicy":', headers: JSON_TYPE }, expect: 400 },
    { what: 'DELETE with an unknown propagationPolicy', req: { method: 'DELETE', path: `${CM}/base`, body: '{"propagationPolicy":"Sideways"}', headers: JSON_TYPE }, expect: 422 },
    { what: 'DELETE with a wrong precondition', req: { method: 'DELETE', path: `${CM}/base`, body: '{"preconditions":{"uid":"nope"}}', headers: JSON_TYPE }, expect: 409 },
    { what: 'DELETE with gracePeriodSeconds=abc', req: { method: 'DELETE', path: `${CM}/base?gracePeriodSeconds=abc` }, expect: 400 },
    { what: 'DELETE with gracePeriodSeconds=-1 in the body', req: { method: 'DELETE', path: `${CM}/base`, body: '{"gracePeriodSeconds":-1}', headers: JSON_TYPE }, expect: 422 },
    { what: 'DELETE with a DeleteOptions body of the wrong type', req: { method: 'DELETE', path: `${CM}/base`, body: '[1]', headers: JSON_TYPE }, expect: 400 },
    { what: 'DELETE with a text/plain body', req: { method: 'DELETE', path: `${CM}/base`, body: 'please', headers: { 'Content-Type': 'text/plain' } }, expect: 415 },
  ];
}

/** An assertion's message without the diff mocha appends, for a one-line-per-case failure list. */
function firstLine(err: unknown): string {
  return (err as Error).message.split('\n')[0].slice(0, 600);
}

async function check(target: TestServer, c: Case): Promise<RawResponse> {
  const res = await rawRequest(target.api, { timeoutMs: REQUEST_TIMEOUT_MS, ...c.req });
  if (c.expect === 'plain-404') assertPlainNotFound(res, c.what);
  else if (typeof c.expect === 'number' && c.expect < 300) {
    assert.equal(res.status, c.expect, `${c.what} → ${res.status} ${res.text.slice(0, 300)}`);
    JSON.parse(res.text);
  } else {
    const body = assertStatusResponse(res, c.what, c.expect);
    if (res.status === 500) assert.equal(body.message, CREATE_WITH_RESOURCE_VERSION, c.what);
  }
  return res;
}

async function runAll(target: TestServer, cases: Case[]): Promise<void> {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      await check(target, c);
    } catch (err) {
      failures.push(firstLine(err));
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
}

describe('fuzzed bad input against the embedded server', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ ephemeral: true });
    const kc = new KubeConfig();
    kc.loadFromFile(server.api.kubeconfigPath);
    await installMachineCrds(kc);
    const setup = [
      post('/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })),
      post(CM, JSON.stringify(VALID_CONFIG_MAP)),
      post(MS, JSON.stringify(VALID_MACHINE_SET)),
    ];
    for (const req of setup) {
      const res = await rawRequest(server.api, req);
      assert.equal(res.status, 201, res.text);
    }
  });

  after(async () => {
    if (!server) return;
    closeRawClient(server.api);
    await server.stop();
  });

  it('answers malformed JSON and JSON of the wrong type with 400 Status', () => runAll(server, malformedCases()));
  it('answers a wrong apiVersion, kind, namespace or name with 400 Status', () => runAll(server, wrongKindCases()));
  it('answers MachineSet schema violations with 422 Invalid and mistyped metadata with 400', () => runAll(server, schemaCases()));
  it('answers bodies over 3 MiB with 413 and absurdly deep JSON with 400', () => runAll(server, sizeCases()));
  it('answers invalid label and field selectors with 400 Status', () => runAll(server, selectorCases()));
  it('answers bad resourceVersion, limit, continue and other list parameters with a Status', () => runAll(server, listParameterCases()));
  it('answers bad patch bodies of every patch type with a Status', () => runAll(server, patchCases()));
  it('answers unsupported Content-Types with 415 and random protobuf bytes with a Status', () => runAll(server, mediaTypeCases(new Random(SEED))));
  it('answers bogus paths with the plain 404 and bogus methods, auth and DeleteOptions with a Status', () => runAll(server, pathAndMethodCases()));

  it('survives a chunked upload that is aborted midway', async () => {
    const clientRequest = request(rawRequestOptions(server.api, { method: 'POST', path: CM, headers: { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' } }, false));
    const outcome = collectResponse(clientRequest, 'aborted upload', REQUEST_TIMEOUT_MS).then(() => 'answered', (err: Error) => err.message);
    clientRequest.write('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"half"},"data":{"k":"');
    await new Promise((resolve) => setTimeout(resolve, 50));
    clientRequest.destroy();
    assert.notEqual(await outcome, 'answered');
    const res = await rawRequest(server.api, { path: `${CM}/half` });
    assertStatusResponse(res, 'GET the half-uploaded object', 404);
  });

  it(`answers ${MUTATIONS * 2} random mutations of a valid object each with success or a Status (seed ${SEED})`, async () => {
    const rng = new Random(SEED);
    const targets: { label: string; base: string; valid: Json }[] = [
      { label: 'ConfigMap', base: CM, valid: VALID_CONFIG_MAP },
      { label: 'MachineSet', base: MS, valid: VALID_MACHINE_SET },
    ];
    const failures: string[] = [];
    for (const { label, base, valid } of targets) {
      const pending: Promise<void>[] = [];
      for (let i = 0; i < MUTATIONS; i++) {
        const doc = mutate(valid, rng);
        const mode = rng.int(3);
        const text = JSON.stringify(doc);
        const req: RawRequest = mode === 0 ? post(base, text)
          : mode === 1 ? { method: 'PUT', path: `${base}/base`, body: text, headers: JSON_TYPE }
            : patch(`${base}/base`, MERGE, text);
        const what = `${label} mutation #${i} (seed ${SEED}) ${req.method} ${text.slice(0, 200)}`;
        pending.push(rawRequest(server.api, { ...req, timeoutMs: REQUEST_TIMEOUT_MS }).then(
          (res) => assertAcceptedOrStatus(res, what),
        ).catch((err: unknown) => {
          failures.push(firstLine(err));
        }));
        if (pending.length >= 8) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
    }
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} mutations failed`);

    // Whatever was stored must still list, in full, as JSON.
    for (const { base, label } of targets) {
      const list = await rawRequest(server.api, { path: base });
      assert.equal(list.status, 200, `${label} list after the mutations: ${list.text.slice(0, 300)}`);
      assert.ok(Array.isArray((JSON.parse(list.text) as { items: unknown }).items));
    }
  });

  // BUG: built-in kinds get no typed decoding or kind validation beyond ObjectMeta, so a ConfigMap with
  // `data: {"k": 5}` or a data key "bad key!" is stored (201). kube-apiserver answers 400 (`ConfigMap in version
  // "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type
  // string`) and 422 (`data[bad key!]: Invalid value: "bad key!": a valid config key must consist of alphanumeric
  // characters, '-', '_' or '.' …`, pkg/apis/core/validation ValidateConfigMap). Needs type checking of built-in
  // bodies against builtin-schemas.json plus per-kind validation in registry/kind-strategies.ts: not a local fix.
  it('refuses a ConfigMap whose data values are not strings (400) or whose data keys are invalid (422)', async () => {
    const mistyped = await rawRequest(server.api, post(CM, JSON.stringify({ ...VALID_CONFIG_MAP, metadata: { name: 'typed' }, data: { k: 5 } })));
    assert.match(assertStatusResponse(mistyped, 'a number in ConfigMap data', 400).message, /cannot unmarshal number into Go struct field ConfigMap\.data of type string/);
    const badKey = await rawRequest(server.api, post(CM, JSON.stringify({ ...VALID_CONFIG_MAP, metadata: { name: 'keyed' }, data: { 'bad key!': 'v' } })));
    assert.match(assertStatusResponse(badKey, 'an invalid ConfigMap data key', 422).message, /^ConfigMap "keyed" is invalid: data\[bad key!\]: Invalid value: "bad key!": a valid config key must consist of alphanumeric characters/);
  });

  // BUG: requestEntityTooLarge() in devcluster/apiserver/status-errors.ts (a shared contract this suite may not
  // edit) returns the bare message; apimachinery's NewRequestEntityTooLargeError prefixes it with
  // "Request entity too large: ", so kube-apiserver says "Request entity too large: limit is 3145728".
  it('words the 413 for an oversized body as kube-apiserver does', async () => {
    const res = await rawRequest(server.api, post(CM, 'x'.repeat(4 * MIB)));
    assert.equal(assertStatusResponse(res, 'a 4 MiB body', 413).message, 'Request entity too large: limit is 3145728');
  });

  it('is still ready and serves a normal create and get after the barrage', async () => {
    const ready = await rawRequest(server.api, { path: '/readyz', anonymous: true });
    assert.equal(ready.status, 200);
    assert.equal(ready.text, 'ok');
    const created = await rawRequest(server.api, post(CM, JSON.stringify(withName(VALID_CONFIG_MAP, 'after'))));
    assert.equal(created.status, 201, created.text);
    const read = await rawRequest(server.api, { path: `${CM}/after` });
    assert.equal(read.status, 200, read.text);
    assert.deepEqual((JSON.parse(read.text) as { data: unknown }).data, { key: 'value' });
  });
});
