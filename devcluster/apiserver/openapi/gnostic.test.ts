import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { readFields, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, type WireField } from '../protobuf/wire.ts';
import { buildGroupVersionDocument } from './document.ts';
import { encodeOpenApiV2 } from './gnostic.ts';
import { buildSwaggerDocument, type SwaggerDocument } from './swagger.ts';
import { configMaps, machineSets } from './test-fixtures.ts';

// A small reader over the wire fields: enough to walk a gnostic document by field numbers.
class Message {
  readonly fields: WireField[];
  constructor(bytes: Uint8Array) {
    this.fields = [...readFields(bytes)];
  }
  private all(no: number): WireField[] {
    return this.fields.filter((f) => f.no === no);
  }
  has(no: number): boolean {
    return this.all(no).length > 0;
  }
  strings(no: number): string[] {
    return this.all(no).map((f) => {
      assert.equal(f.wireType, WIRE_LEN, `field ${no}`);
      return Buffer.from((f as { bytes: Uint8Array }).bytes).toString('utf8');
    });
  }
  string(no: number): string | undefined {
    return this.strings(no).at(-1);
  }
  varint(no: number): bigint | undefined {
    const f = this.all(no).at(-1);
    if (f) assert.equal(f.wireType, WIRE_VARINT, `field ${no}`);
    return f?.wireType === WIRE_VARINT ? f.value : undefined;
  }
  double(no: number): number | undefined {
    const f = this.all(no).at(-1);
    if (!f) return undefined;
    assert.equal(f.wireType, WIRE_FIXED64, `field ${no}`);
    return Buffer.from((f as { bytes: Uint8Array }).bytes).readDoubleLE(0);
  }
  messages(no: number): Message[] {
    return this.all(no).map((f) => {
      assert.equal(f.wireType, WIRE_LEN, `field ${no}`);
      return new Message((f as { bytes: Uint8Array }).bytes);
    });
  }
  message(no: number): Message {
    const found = this.messages(no);
    assert.equal(found.length, 1, `one message in field ${no}`);
    return found[0];
  }
  /** Repeated Named* {1: name, 2: value} entries in field `no`, in wire order. */
  named(no: number): Array<[string, Message]> {
    return this.messages(no).map((entry) => [entry.string(1) ?? '', entry.message(2)]);
  }
  /** vendor_extension NamedAny entries in field `no`: name → the value parsed back from the Any's YAML. */
  extensions(no: number): Record<string, unknown> {
    return Object.fromEntries(this.named(no).map(([name, any]) => [name, parse(any.string(2) ?? '')]));
  }
}

const SCHEMA = { ref: 1, format: 2, description: 4, maximum: 7, minimum: 9, maxLength: 11, required: 19, enum: 20,
  additionalProperties: 21, type: 22, items: 23, properties: 25, extensions: 31 } as const;

function tiny(extra: Partial<SwaggerDocument> = {}): SwaggerDocument {
  return { swagger: '2.0', info: { title: 'K', version: 'v1' }, paths: {}, definitions: {}, securityDefinitions: {}, security: [], ...extra };
}

describe("gnostic's openapi_v2.Document encoding of /openapi/v2", () => {
  it('encodes a tiny document to the bytes proto.Marshal gives: empty maps as present empty messages, empty lists left out', () => {
    assert.equal(Buffer.from(encodeOpenApiV2(tiny())).toString('hex'), [
      '0a03322e30', // 1 swagger "2.0"
      '1207' + '0a014b' + '12027631', // 2 info {1 title "K", 2 version "v1"}
      '4200', // 8 paths {}
      '4a00', // 9 definitions {}
      '6a00', // 13 securityDefinitions {}
    ].join(''));
  });

  it('writes a schema with its fields numbered as in OpenAPIv2.proto, properties in name order and x- keys as YAML', () => {
    const doc = tiny({ definitions: { 'io.example.v1.Thing': {
      description: 'A thing.',
      type: 'object',
      required: ['spec'],
      properties: {
        spec: { $ref: '#/definitions/io.example.v1.Spec', description: 'The spec.' },
        count: { type: 'integer', format: 'int32', minimum: 0, maximum: 2.5, maxLength: 3 },
        tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, 'x-kubernetes-list-type': 'set' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        closed: { type: 'object', additionalProperties: false },
      },
      'x-kubernetes-group-version-kind': [{ group: 'example.io', version: 'v1', kind: 'Thing' }],
    } } });
    const definitions = new Message(encodeOpenApiV2(doc)).message(9).named(1);
    assert.deepEqual(definitions.map(([name]) => name), ['io.example.v1.Thing']);
    const thing = definitions[0][1];
    assert.equal(thing.string(SCHEMA.description), 'A thing.');
    assert.deepEqual(thing.message(SCHEMA.type).strings(1), ['object']);
    assert.deepEqual(thing.strings(SCHEMA.required), ['spec']);
    assert.deepEqual(thing.extensions(SCHEMA.extensions), { 'x-kubernetes-group-version-kind': [{ group: 'example.io', kind: 'Thing', version: 'v1' }] });
    assert.match(thing.named(SCHEMA.extensions)[0][1].string(2) ?? '', /^- group: example\.io\n {2}kind: Thing\n {2}version: v1\n$/);

    const properties = thing.message(SCHEMA.properties).named(1);
    assert.deepEqual(properties.map(([name]) => name), ['closed', 'count', 'labels', 'spec', 'tags']);
    const property = Object.fromEntries(properties);
    assert.equal(property.spec.string(SCHEMA.ref), '#/definitions/io.example.v1.Spec');
    assert.equal(property.spec.string(SCHEMA.description), 'The spec.');
    assert.equal(property.count.string(SCHEMA.format), 'int32');
    assert.equal(property.count.double(SCHEMA.maximum), 2.5);
    assert.equal(property.count.has(SCHEMA.minimum), false, 'proto3 leaves a zero double out');
    assert.equal(property.count.varint(SCHEMA.maxLength), 3n);
    const items = property.tags.message(SCHEMA.items).messages(1);
    assert.equal(items.length, 1);
    assert.deepEqual(items[0].messages(SCHEMA.enum).map((any) => parse(any.string(2) ?? '')), ['a', 'b']);
    assert.deepEqual(property.tags.extensions(SCHEMA.extensions), { 'x-kubernetes-list-type': 'set' });
    assert.deepEqual(property.labels.message(SCHEMA.additionalProperties).message(1).message(SCHEMA.type).strings(1), ['string']);
    const closed = property.closed.message(SCHEMA.additionalProperties);
    assert.equal(closed.varint(2), 0n, 'additionalProperties: false is a oneof member, written although false');
  });

  it('writes body, query and path parameters and responses through their oneof wrappers', () => {
    const doc = tiny({ paths: { '/api/v1/namespaces/{namespace}/things/{name}': {
      patch: {
        consumes: ['application/merge-patch+json'],
        operationId: 'patchThing',
        parameters: [
          { in: 'body', name: 'body', required: true, schema: { $ref: '#/definitions/io.example.v1.Patch' } },
          { in: 'query', name: 'fieldValidation', description: 'How unknown fields are handled.', type: 'string', uniqueItems: true },
        ],
        responses: { 200: { description: 'OK', schema: { $ref: '#/definitions/io.example.v1.Thing' } }, 401: { description: 'Unauthorized' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: '', kind: 'Thing', version: 'v1' },
      },
      parameters: [{ in: 'path', name: 'name', required: true, type: 'string' }, { $ref: '#/parameters/pretty' }],
    } } });
    const [[path, item]] = new Message(encodeOpenApiV2(doc)).message(8).named(2);
    assert.equal(path, '/api/v1/namespaces/{namespace}/things/{name}');
    const patch = item.message(8);
    assert.equal(patch.string(5), 'patchThing');
    assert.deepEqual(patch.strings(7), ['application/merge-patch+json']);
    assert.deepEqual(patch.extensions(13), { 'x-kubernetes-action': 'patch', 'x-kubernetes-group-version-kind': { group: '', kind: 'Thing', version: 'v1' } });
    const [body, query] = patch.messages(8).map((p) => p.message(1));
    const bodyParameter = body.message(1);
    assert.deepEqual([bodyParameter.string(2), bodyParameter.string(3), bodyParameter.varint(4)], ['body', 'body', 1n]);
    assert.equal(bodyParameter.message(5).string(SCHEMA.ref), '#/definitions/io.example.v1.Patch');
    const querySub = query.message(2).message(3);
    assert.deepEqual([querySub.string(2), querySub.string(4), querySub.string(6), querySub.varint(20)], ['query', 'fieldValidation', 'string', 1n]);

    const responses = Object.fromEntries(patch.message(9).named(1));
    assert.equal(responses['200'].message(1).message(2).message(1).string(SCHEMA.ref), '#/definitions/io.example.v1.Thing');
    assert.equal(responses['401'].message(1).string(1), 'Unauthorized');

    const [pathParameter, reference] = item.messages(9);
    const pathSub = pathParameter.message(1).message(2).message(4);
    assert.deepEqual([pathSub.varint(1), pathSub.string(2), pathSub.string(4), pathSub.string(5)], [1n, 'path', 'name', 'string']);
    assert.equal(reference.message(2).string(1), '#/parameters/pretty');
  });

  it('refuses what gnostic refuses, naming the JSON path', () => {
    assert.throws(() => encodeOpenApiV2(tiny({ definitions: { A: { type: 'object', properties: { b: { nullable: true } } } } })),
      /openapi v2: \.definitions\["A"\]\.properties\["b"\]\.nullable: not a field of Schema/);
    assert.throws(() => encodeOpenApiV2(tiny({ definitions: { A: { maxLength: 1.5 } } })), /\.definitions\["A"\]\.maxLength: must be an integer/);
  });

  it('encodes the document of built-in and custom kinds, which decodes to the same definitions and PATCH operations', () => {
    const doc = buildSwaggerDocument([
      buildGroupVersionDocument({ group: '', version: 'v1' }, [configMaps], new Map()),
      buildGroupVersionDocument({ group: 'machine.openshift.io', version: 'v1beta1' }, [machineSets], new Map([['MachineSet', { type: 'object' }]])),
    ]);
    const decoded = new Message(encodeOpenApiV2(doc));
    assert.equal(decoded.string(1), '2.0');
    assert.deepEqual(decoded.message(9).named(1).map(([name]) => name), Object.keys(doc.definitions).sort());
    const patches = decoded.message(8).named(2).filter(([, item]) => item.has(8)).map(([path, item]) => [path, item.message(8).extensions(13)['x-kubernetes-group-version-kind']]);
    assert.deepEqual(patches, [
      ['/api/v1/namespaces/{namespace}/configmaps/{name}', { group: '', kind: 'ConfigMap', version: 'v1' }],
      ['/apis/machine.openshift.io/v1beta1/namespaces/{namespace}/machinesets/{name}', { group: 'machine.openshift.io', kind: 'MachineSet', version: 'v1beta1' }],
      ['/apis/machine.openshift.io/v1beta1/namespaces/{namespace}/machinesets/{name}/scale', { group: 'autoscaling', kind: 'Scale', version: 'v1' }],
      ['/apis/machine.openshift.io/v1beta1/namespaces/{namespace}/machinesets/{name}/status', { group: 'machine.openshift.io', kind: 'MachineSet', version: 'v1beta1' }],
    ]);
    const security = decoded.message(13).named(1);
    assert.deepEqual(security.map(([name, item]) => [name, item.message(2).string(1), item.message(2).string(2), item.message(2).string(3)]),
      [['BearerToken', 'apiKey', 'authorization', 'header']]);
    assert.deepEqual(decoded.messages(12).map((requirement) => requirement.named(1).map(([name, list]) => [name, list.strings(1)])), [[['BearerToken', []]]]);
  });
});
