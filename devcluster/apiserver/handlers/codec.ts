// Converting between the stored form of an object and the version a client asked for. Custom resources
// with conversion None only change apiVersion (apiserver.md §9.3) and get that version's defaults on read;
// Events have two views; everything else is stored as served.
import { applyDefaults } from '../schema/index.ts';
import type { ServedResource } from '../registry/registry.ts';
import type { StoredObject } from '../storage/object-store.ts';
import type { KubeObject } from '../types.ts';
import { cloneJson } from '../patch/json-values.ts';

export function apiVersionOf(resource: Pick<ServedResource, 'group' | 'version'>): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/**
 * True when the stored JSON can be sent as is. Defaults of the storage version were applied when the object
 * was written, so only other versions need the read-time defaulting pass.
 */
function servedAsStored(resource: ServedResource): boolean {
  return !resource.strategy.fromStorage && resource.version === resource.storageVersion;
}

/** The object as `resource` presents it; a fresh copy the caller may change. */
export function toServed(resource: ServedResource, stored: KubeObject): KubeObject {
  let obj = cloneJson(stored) as KubeObject;
  if (resource.strategy.fromStorage) obj = resource.strategy.fromStorage(obj);
  obj.apiVersion = apiVersionOf(resource);
  obj.kind = resource.kind;
  if (resource.isCustom && resource.schema && resource.version !== resource.storageVersion) applyDefaults(obj as never, resource.schema);
  return obj;
}

/**
 * The object as `resource` presents it, for reading only (Table cells, filters): the stored object itself
 * when it is served as stored, so listing thousands of objects copies none of them.
 */
export function servedView(resource: ServedResource, stored: StoredObject): Readonly<KubeObject> {
  return servedAsStored(resource) ? stored.object : toServed(resource, stored.object as KubeObject);
}

/** JSON text of a stored object as `resource` presents it, without re-serializing when nothing changes. */
export function servedJson(resource: ServedResource, stored: StoredObject): string {
  if (servedAsStored(resource)) return stored.json;
  return JSON.stringify(toServed(resource, stored.object as KubeObject));
}

/** The stored form of an object written through `resource`. */
export function toStorage(resource: ServedResource, obj: KubeObject): KubeObject {
  let out = obj;
  if (resource.strategy.toStorage) out = resource.strategy.toStorage(out);
  out.apiVersion = resource.group ? `${resource.group}/${resource.storageVersion}` : resource.storageVersion;
  if (!resource.strategy.toStorage) out.kind = resource.kind;
  return out;
}
