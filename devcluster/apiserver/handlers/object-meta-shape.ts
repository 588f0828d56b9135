// The JSON types of ObjectMeta fields, checked before anything walks them. kube-apiserver decodes metadata into
// the typed metav1.ObjectMeta, so a label that is a number or ownerReferences that are a string fail decoding
// with 400 (json UnmarshalTypeError, endpoints/handlers/create.go transformDecodeError); `null` decodes to the
// zero value, i.e. the field is absent.
import { badRequest } from '../status-errors.ts';
import type { ObjectMeta } from '../types.ts';

type JsonType = 'string' | 'number' | 'bool' | 'array' | 'object' | 'null';

function jsonTypeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value as 'string' | 'number' | 'object';
}

interface FieldShape {
  /** Go type named in the error, as encoding/json prints it. */
  goType: string;
  /** The JSON type that does not fit, if any; null members are replaced by their zero value on the way. */
  check(value: unknown): JsonType | undefined;
}

/** The JSON type that breaks `want`, or undefined when it fits. */
const expect = (want: JsonType) => (value: unknown): JsonType | undefined => (jsonTypeOf(value) === want ? undefined : jsonTypeOf(value));

const ZERO: Partial<Record<JsonType, () => unknown>> = { string: () => '', object: () => ({}) };

const stringMap: FieldShape = {
  goType: 'map[string]string',
  check(value) {
    const outer = expect('object')(value);
    if (outer) return outer;
    const map = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(map)) {
      if (v === null) map[k] = '';
      else if (typeof v !== 'string') return jsonTypeOf(v);
    }
    return undefined;
  },
};

function listOf(item: 'string' | 'object', goType: string): FieldShape {
  return {
    goType,
    check(value) {
      const outer = expect('array')(value);
      if (outer) return outer;
      const list = value as unknown[];
      for (let i = 0; i < list.length; i++) {
        if (list[i] === null) list[i] = ZERO[item]!();
        else if (jsonTypeOf(list[i]) !== item) return jsonTypeOf(list[i]);
      }
      return undefined;
    },
  };
}

const SHAPES: Record<string, FieldShape> = {
  name: { goType: 'string', check: expect('string') },
  generateName: { goType: 'string', check: expect('string') },
  namespace: { goType: 'string', check: expect('string') },
  uid: { goType: 'types.UID', check: expect('string') },
  resourceVersion: { goType: 'string', check: expect('string') },
  selfLink: { goType: 'string', check: expect('string') },
  creationTimestamp: { goType: 'v1.Time', check: expect('string') },
  deletionTimestamp: { goType: 'v1.Time', check: expect('string') },
  generation: { goType: 'int64', check: expect('number') },
  deletionGracePeriodSeconds: { goType: 'int64', check: expect('number') },
  labels: stringMap,
  annotations: stringMap,
  finalizers: listOf('string', '[]string'),
  ownerReferences: listOf('object', '[]v1.OwnerReference'),
  managedFields: listOf('object', '[]v1.ManagedFieldsEntry'),
};

/** Drops null fields (Go's zero value) and refuses mistyped ones with 400, as decoding into ObjectMeta does. */
export function checkObjectMetaShape(meta: ObjectMeta): void {
  for (const [field, shape] of Object.entries(SHAPES)) {
    const value = meta[field];
    if (value === undefined) continue;
    if (value === null) {
      delete meta[field];
      continue;
    }
    const got = shape.check(value);
    if (got) throw badRequest(`json: cannot unmarshal ${got} into Go struct field ObjectMeta.metadata.${field} of type ${shape.goType}`);
  }
}
