import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { buildOpenApiDocuments } from '../openapi-documents.ts';
import { builtinResources } from '../registry/builtin-resources.ts';
import { crdResources } from '../registry/crd-resources.ts';
import { Registry } from '../registry/registry.ts';
import type { KubeObject, SchemaNode } from '../types.ts';
import { buildGroupVersionDocument } from './document.ts';
import { buildSwaggerDocument } from './swagger.ts';
import { configMaps, machineSets, pods } from './test-fixtures.ts';

type Obj = Record<string, any>;

const OBJECT_META_REF = '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** The document of ConfigMaps, Pods and MachineSets (with the given schema), typed loosely for reading. */
function swagger(crdSchema: SchemaNode = { type: 'object', properties: { spec: { type: 'object' } } }): Obj {
  return buildSwaggerDocument([
    buildGroupVersionDocument({ group: '', version: 'v1' }, [configMaps, pods], new Map()),
    buildGroupVersionDocument({ group: 'machine.openshift.io', version: 'v1beta1' }, [machineSets], new Map([['MachineSet', crdSchema]])),
  ]);
}

/**
 * What kube-openapi's proto parser (pkg/util/proto/document.go ParseSchema) refuses, with the definition path. kubectl
 * parses every definition before validating anything, so one of these fails every command that reads v2.
 */
function kubectlModelErrors(doc: Obj): string[] {
  const errors: string[] = [];
  const visit = (s: Obj, path: string): void => {
    const types: string[] = s.type === undefined ? [] : [s.type].flat();
    if (s.$ref !== undefined) {
      if (Object.keys(s.properties ?? {}).length > 0) errors.push(`${path}: unallowed embedded type definition`);
      if (types.length > 0) errors.push(`${path}: definition reference can't have a type`);
      if (!String(s.$ref).startsWith('#/definitions/') || !doc.definitions[String(s.$ref).slice('#/definitions/'.length)]) errors.push(`${path}: unknown model in reference: ${s.$ref}`);
      return;
    }
    if (types.length > 1) errors.push(`${path}: definitions with multiple types aren't supported`);
    const type = types[0];
    if (type === 'array') {
      if (s.items === undefined || Array.isArray(s.items)) errors.push(`${path}: array should have exactly one sub-item`);
      else visit(s.items, path);
    } else if (type === 'object' || (type === undefined && s.properties !== undefined)) {
      for (const [name, p] of Object.entries<Obj>(s.properties ?? {})) visit(p, `${path}.${name}`);
      if (s.properties === undefined && typeof s.additionalProperties === 'object') visit(s.additionalProperties, path);
    } else if (type !== undefined && !['string', 'number', 'integer', 'boolean'].includes(type)) {
      errors.push(`${path}: Unknown primitive type: ${type}`);
    }
  };
  for (const [name, definition] of Object.entries<Obj>(doc.definitions)) visit(definition, name);
  return errors;
}

/** Every key of every schema, to check nothing outside the Swagger 2.0 vocabulary is left. */
function schemaKeys(doc: Obj): Set<string> {
  const keys = new Set<string>();
  const visit = (s: Obj): void => {
    for (const key of Object.keys(s)) keys.add(key);
    for (const p of Object.values<Obj>(s.properties ?? {})) visit(p);
    if (s.items) visit(s.items);
    if (typeof s.additionalProperties === 'object') visit(s.additionalProperties);
  };
  for (const definition of Object.values<Obj>(doc.definitions)) visit(definition);
  return keys;
}

describe('the OpenAPI v2 (Swagger 2.0) document', () => {
  it('names definitions as kube-apiserver does, with their group-version-kind, and points $refs into #/definitions', () => {
    const doc = swagger();
    assert.equal(doc.swagger, '2.0');
    const configMap = doc.definitions['io.k8s.api.core.v1.ConfigMap'];
    assert.deepEqual(configMap['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'ConfigMap' }]);
    assert.deepEqual(configMap.properties.metadata, {
      $ref: OBJECT_META_REF,
      description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
    });
    assert.deepEqual(doc.definitions['io.openshift.machine.v1beta1.MachineSet']['x-kubernetes-group-version-kind'],
      [{ group: 'machine.openshift.io', kind: 'MachineSet', version: 'v1beta1' }]);
    assert.deepEqual(doc.definitions['io.openshift.machine.v1beta1.MachineSetList'].properties.items.items,
      { $ref: '#/definitions/io.openshift.machine.v1beta1.MachineSet' });
    assert.ok(!JSON.stringify(doc).includes('#/components/'), 'no v3 reference is left');
    assert.deepEqual(kubectlModelErrors(doc), []);
    assert.deepEqual(doc.securityDefinitions, { BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' } });
  });

  it('keeps only Swagger 2.0 keywords: defaults pruned, and no nullable, oneOf, anyOf or not', () => {
    const keys = schemaKeys(swagger({ type: 'object', properties: { spec: { type: 'object', default: {}, nullable: true } } }));
    for (const key of ['default', 'nullable', 'oneOf', 'anyOf', 'not']) assert.ok(!keys.has(key), key);
  });

  it('gives Quantity and IntOrString, which v3 writes as a oneOf of primitives, the v2 type string', () => {
    const doc = swagger();
    assert.equal(doc.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
    assert.equal(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, 'string');
    assert.equal(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
  });

  it('writes the PATCH operations kubectl reads: consumes (no strategic merge patch for custom kinds), fieldValidation, group-version-kind', () => {
    const doc = swagger();
    const configMap = doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'];
    assert.deepEqual(configMap.patch.consumes, ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json',
      'application/strategic-merge-patch+json']);
    assert.deepEqual(configMap.patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'ConfigMap' });
    assert.equal(configMap.patch['x-kubernetes-action'], 'patch');
    assert.deepEqual(configMap.patch.parameters[0], { in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
    const fieldValidation = configMap.patch.parameters.find((p: Obj) => p.name === 'fieldValidation');
    assert.deepEqual({ ...fieldValidation, description: undefined }, { in: 'query', name: 'fieldValidation', type: 'string', uniqueItems: true, description: undefined });
    assert.deepEqual(configMap.patch.responses['200'], { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } });
    assert.deepEqual(configMap.patch.responses['401'], { description: 'Unauthorized' });
    assert.deepEqual(configMap.patch.schemes, ['https']);
    assert.deepEqual(configMap.parameters.map((p: Obj) => `${p.in} ${p.name} ${p.type}`), ['path name string', 'path namespace string', 'query pretty string']);

    const machineSet = doc.paths['/apis/machine.openshift.io/v1beta1/namespaces/{namespace}/machinesets/{name}'];
    assert.deepEqual(machineSet.patch.consumes, ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json']);
    assert.deepEqual(machineSet.get.consumes, ['*/*']);
    assert.deepEqual(doc.paths['/api/v1/namespaces/{namespace}/configmaps'].get.produces, ['application/json', 'application/json;stream=watch']);
    assert.equal(doc.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].delete.parameters[0].required, undefined, 'DeleteOptions is optional');
  });

  it('filters a CRD schema as apiextensions-apiserver does before publishing v2 for kubectl', () => {
    const doc = swagger({
      type: 'object',
      required: ['spec', 'gone'],
      properties: {
        spec: {
          type: 'object',
          required: ['size', 'maybe'],
          properties: {
            size: { type: 'integer', default: 1, minimum: 0 },
            maybe: { type: 'string', nullable: true },
            port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
            raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
            list: { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'string' } },
            choice: { type: 'string', oneOf: [{ pattern: '^a' }, { pattern: '^b' }] },
            template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
          },
        },
        gone: { type: 'object', nullable: true, properties: { a: { type: 'string' } } },
      },
    });
    const machineSet = doc.definitions['io.openshift.machine.v1beta1.MachineSet'];
    assert.deepEqual(machineSet.required, ['spec']);
    assert.deepEqual(machineSet.properties.gone, {});
    assert.deepEqual(Object.keys(machineSet.properties), ['spec', 'gone', 'apiVersion', 'kind', 'metadata']);
    const spec = machineSet.properties.spec;
    assert.deepEqual(spec.required, ['size']);
    assert.deepEqual(spec.properties.size, { type: 'integer', minimum: 0 });
    assert.deepEqual(spec.properties.maybe, {});
    assert.deepEqual(spec.properties.port, { 'x-kubernetes-int-or-string': true });
    assert.deepEqual(spec.properties.raw, { 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(spec.properties.list, { 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(spec.properties.choice, { type: 'string' });
    const template = spec.properties.template;
    assert.deepEqual(Object.keys(template.properties), ['spec', 'apiVersion', 'kind', 'metadata']);
    assert.equal(template.properties.metadata.$ref, OBJECT_META_REF);
    assert.deepEqual(template.required, ['kind', 'apiVersion']);
    assert.deepEqual(kubectlModelErrors(doc), []);
  });

  it('publishes a custom kind whose root keeps unknown fields as a bare object, so kubectl lets every field through', () => {
    const doc = swagger({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(doc.definitions['io.openshift.machine.v1beta1.MachineSet'],
      { type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'machine.openshift.io', kind: 'MachineSet', version: 'v1beta1' }] });
  });

  it('describes every served kind, built-in and of every CRD in crds/, in a form kubectl can parse', () => {
    const registry = new Registry();
    registry.addBuiltins(builtinResources());
    const crdDir = new URL('../../../crds/', import.meta.url);
    for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml'))) {
      const crd = parse(readFileSync(new URL(file, crdDir), 'utf8')) as KubeObject;
      registry.setCrd(crd.metadata.name!, crdResources(crd), false);
    }
    const doc: Obj = buildSwaggerDocument(buildOpenApiDocuments(registry).values());
    assert.deepEqual(kubectlModelErrors(doc), []);
    const kinds = new Set(Object.values<Obj>(doc.definitions).flatMap((d) =>
      (d['x-kubernetes-group-version-kind'] ?? []).map((g: Obj) => `${g.group}/${g.version}/${g.kind}`)));
    const missing = registry.all().filter((r) => !kinds.has(`${r.group}/${r.version}/${r.kind}`)).map((r) => r.kind);
    assert.deepEqual(missing, []);
    assert.ok(kinds.has('machine.openshift.io/v1beta1/MachineSetList'));
  });
});
