// The one status write of a reconcile (shared/STYLE.md "Status and conditions: one writer per
// object"): a JSON merge patch (RFC 7386) to /status that turns the status we read into the one we
// computed, sent only when they differ, so a steady-state reconcile costs no write and no watch event.
import { isNotFound } from './errors.ts';
import type { ResourceWriter, ResourceRef } from './resource-client.ts';
import type { KubeObject } from './watcher.ts';

export type StatusWriteResult = 'unchanged' | 'patched' | 'gone';

export interface WriteStatusOptions {
  /**
   * Send the resourceVersion we read, so a write based on a stale read fails with 409 (transient: the
   * controller retries once the cache has caught up) instead of silently undoing a newer status.
   * Default true.
   */
  readonly optimisticLock?: boolean;
}

/**
 * Patches `status` onto the object read as `before`. 'gone' when the object no longer exists (it was
 * deleted once our finalizer was released: nothing left to report); a conflict is thrown, and the
 * controller retries it like any transient error.
 */
export async function writeStatus(
  client: ResourceWriter,
  ref: ResourceRef,
  before: KubeObject & { readonly status?: unknown },
  status: unknown,
  options: WriteStatusOptions = {},
): Promise<StatusWriteResult> {
  const diff = mergePatchDiff(before.status, status);
  if (diff === undefined) return 'unchanged';
  const metadata = before.metadata ?? {};
  const patch: Record<string, unknown> = { status: diff };
  if ((options.optimisticLock ?? true) && metadata.resourceVersion) patch.metadata = { resourceVersion: metadata.resourceVersion };
  try {
    await client.patch(ref, metadata.namespace, metadata.name ?? '', 'application/merge-patch+json', patch, 'status');
    return 'patched';
  } catch (err) {
    if (isNotFound(err)) return 'gone';
    throw err;
  }
}

/**
 * The RFC 7386 merge patch that turns `before` into `after`, or undefined when they are equal. Fields
 * present only in `before` become null (merge patch's delete); arrays and scalars are replaced whole.
 */
export function mergePatchDiff(before: unknown, after: unknown): unknown {
  if (!isPlainObject(before) || !isPlainObject(after)) {
    return jsonEqual(before, after) ? undefined : after === undefined ? null : after;
  }
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(before)) {
    if (!(key in after) || after[key] === undefined) {
      if (before[key] !== undefined) patch[key] = null;
    }
  }
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const child = mergePatchDiff(before[key], value);
    if (child !== undefined) patch[key] = child;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
