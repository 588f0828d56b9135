// Which manifests of a payload this cluster applies (shared/reference/cluster-version.md §2.5; library-go
// pkg/manifest/manifest.go Include): a manifest must opt in to the cluster profile with
// `include.release.openshift.io/<profile>: "true"`, and is dropped when it carries
// `exclude.release.openshift.io/<id>: "true"` for the identifier the operator runs with (EXCLUDE_MANIFESTS).
// Other annotations (create-only, delete, capabilities, feature sets) stay on the object for the apply engine.
import { DEFAULT_CLUSTER_PROFILE, EXCLUDE_ANNOTATION_PREFIX, INCLUDE_ANNOTATION_PREFIX } from '../../api/config-v1.ts';
import type { KubeObject } from '../../runtime/watcher.ts';

export interface ManifestFilter {
  /** The cluster profile; DEFAULT_CLUSTER_PROFILE when unset. */
  readonly profile?: string;
  /** The EXCLUDE_MANIFESTS identifier; nothing is excluded when unset. */
  readonly excludeIdentifier?: string;
}

export type Inclusion = { readonly included: true } | { readonly included: false; readonly reason: string };

/** Whether `object` is applied under `filter`, and if not, why (for logs). */
export function manifestInclusion(object: KubeObject, filter: ManifestFilter = {}): Inclusion {
  const annotations = object.metadata?.annotations ?? {};
  if (filter.excludeIdentifier) {
    const key = EXCLUDE_ANNOTATION_PREFIX + filter.excludeIdentifier;
    if (annotations[key] === 'true') return { included: false, reason: `excluded by ${key}` };
  }
  const key = INCLUDE_ANNOTATION_PREFIX + (filter.profile ?? DEFAULT_CLUSTER_PROFILE);
  const value = annotations[key];
  if (value === undefined) return { included: false, reason: `${key} is not set` };
  // Upstream treats any other value as an error, and an erroring manifest is left out of the payload.
  if (value !== 'true') return { included: false, reason: `unrecognized value ${key}=${JSON.stringify(value)}` };
  return { included: true };
}
