// kube-apiserver decodes built-in kinds into Go structs, so a value of the wrong JSON type is a 400 decoding
// error before any validation ("ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot
// unmarshal number into Go struct field ConfigMap.data of type string"). The same check here, driven by the
// kind's OpenAPI schema: only JSON type mismatches count (formats and constraints are validation's business),
// and null is accepted where Go would leave a pointer, slice or map empty.
import { validateAgainstSchema } from '../schema/index.ts';
import { badRequest } from '../status-errors.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { KubeObject, SchemaNode } from '../types.ts';

const TYPE_MISMATCH = /must be of type (string|integer|number|boolean|object|array):/;
const GO_TYPES: Record<string, string> = { string: 'string', integer: 'int64', number: 'float64', boolean: 'bool', object: 'struct', array: 'slice' };

function jsonKindOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

function valueAt(obj: unknown, field: string): unknown {
  let value = obj;
  for (const part of field.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Go's struct-field path of a JSON path: list indexes and map keys are not part of it ("ConfigMap.data"). */
function goFieldPath(schema: SchemaNode, field: string): string {
  const out: string[] = [];
  let node: SchemaNode | undefined = schema;
  for (const part of field.replace(/\[[^\]]*\]/g, '').split('.').filter(Boolean)) {
    if (node?.properties?.[part]) {
      out.push(part);
      node = node.properties[part];
    } else if (node && typeof node.additionalProperties === 'object') {
      node = node.additionalProperties;
    } else {
      out.push(part);
      node = undefined;
    }
    while (node?.items) node = node.items;
  }
  return out.join('.');
}

/** Throws the decoder's 400 for the first field of a built-in object whose JSON type is wrong. */
export function checkBuiltinTypes(resource: ServedResource, obj: KubeObject): void {
  if (resource.isCustom || !resource.schema) return;
  for (const error of validateAgainstSchema(obj, resource.schema)) {
    const match = TYPE_MISMATCH.exec(error.detail);
    if (error.reason !== 'FieldValueTypeInvalid' || !match) continue;
    const value = valueAt(obj, error.field);
    if (value === null || value === undefined) continue;
    const goField = goFieldPath(resource.schema, error.field);
    throw badRequest(`${resource.kind} in version "${resource.version}" cannot be handled as a ${resource.kind}: json: cannot unmarshal ${jsonKindOf(value)} into Go struct field ${resource.kind}.${goField} of type ${GO_TYPES[match[1]]}`);
  }
}
