// Random structural mutations of a JSON document: the fuzzer's way of producing objects that are almost valid
// (one field of the wrong type, a key dropped, a value out of range) as well as plain nonsense.
import type { Random } from './random.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TEXT = 'abcXYZ019-._/ :"\\{}[]\u00e9\u2603\ud83d\ude00\u0000\n';
const KEYS = ['metadata', 'spec', 'status', 'name', 'labels', 'replicas', 'selector', 'template', 'value', 'kind', 'apiVersion',
  'resourceVersion', 'finalizers', 'ownerReferences', 'managedFields', 'generateName', 'namespace', 'uid', 'data', 'x', ''];

/** A random JSON value, at most `depth` levels deep. */
export function randomValue(rng: Random, depth = 2): Json {
  switch (rng.int(depth > 0 ? 10 : 8)) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return rng.pick([0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 1.5, -0.25, 1e308]);
    case 3: return rng.string(rng.int(12), TEXT);
    case 4: return rng.pick(['', 'Random', 'Newest', 'In', 'Exists', 'machine.openshift.io/v1beta1', 'MachineSet', '1', 'true', 'null']);
    case 5: return rng.string(rng.pick([63, 64, 253, 254, 5000]), 'abcdefghij');
    case 6: return rng.pick(['Bad_Name', '-x', 'x-', 'a/b', 'a..b', 'UPPER', '😀']);
    case 7: return rng.int(100);
    case 8: return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth - 1));
    default: {
      const out: { [key: string]: Json } = {};
      for (let i = rng.int(4); i > 0; i--) out[rng.pick(KEYS)] = randomValue(rng, depth - 1);
      return out;
    }
  }
}

/** Every container (object or array) in a document, with itself first. */
function containers(doc: Json): (Json[] | { [key: string]: Json })[] {
  const out: (Json[] | { [key: string]: Json })[] = [];
  const visit = (value: Json): void => {
    if (value === null || typeof value !== 'object') return;
    out.push(value);
    for (const child of Array.isArray(value) ? value : Object.values(value)) visit(child);
  };
  visit(doc);
  return out;
}

/** Applies 1-3 random mutations to a copy of `doc`: replace, delete, add or retype a member somewhere inside. */
export function mutate(doc: Json, rng: Random): Json {
  const copy = structuredClone(doc);
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const target = rng.pick(containers(copy));
    if (Array.isArray(target)) {
      if (target.length > 0 && rng.chance(0.5)) target.splice(rng.int(target.length), 1);
      else target.splice(rng.int(target.length + 1), 0, randomValue(rng));
      continue;
    }
    const keys = Object.keys(target);
    const key = keys.length > 0 && rng.chance(0.8) ? rng.pick(keys) : rng.pick(KEYS);
    switch (rng.int(4)) {
      case 0: delete target[key]; break;
      case 1: target[key] = randomValue(rng); break;
      case 2: target[key] = [target[key] ?? null]; break;
      default: target[key] = typeof target[key] === 'string' ? Number(target[key]) || 0 : String(target[key]);
    }
  }
  return copy;
}
