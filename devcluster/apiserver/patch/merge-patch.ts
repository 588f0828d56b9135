// application/merge-patch+json: RFC 7386 (shared/reference/apiserver.md §8). kube-apiserver uses
// evanphx/json-patch's MergePatch, which follows the RFC: null deletes, an object merges key by key,
// anything else (including a list) replaces the target.
import type { Json } from '../types.ts';
import { cloneJson, isJsonObject } from './json-values.ts';

export function applyMergePatch(target: Json, patch: Json): Json {
  // One copy of the target up front; the merge then works in place on what it owns (copying at every level
  // copied each subtree once per level above it).
  return mergeInto(cloneJson(target), patch);
}

/** Merges `patch` into `target`, which the caller owns; the patch's own values are copied. */
function mergeInto(target: Json, patch: Json): Json {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    // A value added where nothing was also goes through the merge, so nulls nested in it are dropped (RFC 7386 §2).
    else setOwn(result, key, mergeInto(Object.hasOwn(result, key) ? result[key] : null, value));
  }
  return result;
}

/** result[key] = value, also for "__proto__", which JSON.parse reads as an ordinary key and an assignment would not. */
function setOwn(result: Record<string, Json>, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  else result[key] = value;
}
