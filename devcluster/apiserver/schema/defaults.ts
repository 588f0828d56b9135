// Structural defaulting (§9.2; apiextensions-apiserver/pkg/apiserver/schema/defaulting/algorithm.go).
// Runs after pruning: missing fields and non-nullable nulls get a deep copy of their `default:`, then the walk
// descends into the (possibly just defaulted) value so nested defaults apply too.
import type { Json, SchemaNode } from '../types.ts';
import { isObject } from './json.ts';
import { additionalPropertiesSchema, propertySchema } from './prune.ts';
import { cloneJson } from '../patch/json-values.ts';

export function applyDefaults(obj: Json, schema: SchemaNode): void {
  defaultNode(obj, schema);
}

function needsDefault(v: Json | undefined, s: SchemaNode | undefined): s is SchemaNode & { default: Json } {
  return s?.default !== undefined && (v === undefined || (v === null && !s.nullable));
}

function defaultNode(x: Json, s: SchemaNode | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      if (needsDefault(x[i], s.items)) x[i] = cloneJson(s.items.default);
      defaultNode(x[i], s.items);
    }
    return;
  }
  if (!isObject(x)) return;
  for (const [k, prop] of Object.entries(s.properties ?? {})) {
    if (needsDefault(Object.hasOwn(x, k) ? x[k] : undefined, prop)) x[k] = cloneJson(prop.default);
  }
  const additional = additionalPropertiesSchema(s);
  for (const k of Object.keys(x)) {
    const prop = propertySchema(s, k);
    if (prop) {
      defaultNode(x[k], prop);
    } else if (additional) {
      if (needsDefault(x[k], additional)) x[k] = cloneJson(additional.default);
      defaultNode(x[k], additional);
    }
  }
}
