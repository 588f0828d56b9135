// The seams of the cluster-version operator: a release payload as the apply engine sees it, where payloads
// come from, how their signatures are checked, and the update graph. Each is implemented in its own folder
// (payload/, signatures/, updates/) and consumed by the controller (clusterversion/, apply/, task-graph/).
// shared/reference/cluster-version.md §2 (payload format), §2.7 (signatures), §4 (Cincinnati).
import type { KubeObject } from '../runtime/watcher.ts';

/** `release-metadata` (kind cincinnati-metadata-v0). */
export interface ReleaseMetadata {
  readonly kind: 'cincinnati-metadata-v0';
  readonly version: string;
  readonly previous?: readonly string[];
  readonly next?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
}

/** One tag of `image-references` (an image.openshift.io/v1 ImageStream named after the version). */
export interface ImageReference {
  readonly name: string;
  /** Pull spec by digest: `<repository>@sha256:<hex>`. */
  readonly image: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One object of one manifest file of `release-manifests/`, in file order. */
export interface ReleaseManifest {
  /** File name, e.g. "0000_30_machine-api_01_deployment.yaml". */
  readonly file: string;
  /** Index of the document in a multi-document file. */
  readonly index: number;
  /** Run level from the file name ("30"), or undefined when the name does not follow the convention. */
  readonly runLevel: string | undefined;
  /** Component from the file name ("machine-api"). */
  readonly component: string | undefined;
  readonly object: KubeObject;
}

export interface ReleasePayload {
  readonly version: string;
  /** The payload's digest ("sha256:<hex>"): what signatures sign and what history records. */
  readonly digest: string;
  /** Where it was loaded from, e.g. "registry.local:5000/ocp/release@sha256:…", "file:///…", "https://…/4.2.0.tar". */
  readonly pullSpec: string;
  readonly metadata: ReleaseMetadata;
  readonly images: readonly ImageReference[];
  /** Every manifest, filtered by the cluster profile and exclusion annotations, in lexical file order. */
  readonly manifests: readonly ReleaseManifest[];
}

/** A reference to a release as ClusterVersion spec.desiredUpdate or an update-graph node names it. */
export interface ReleaseRef {
  readonly version?: string;
  /** Pull spec by digest or a URL (file://, https:// tarball). */
  readonly image?: string;
}

/** Loads a payload: a local directory, a tarball over HTTP(S), or an OCI image in a registry (by digest). */
export interface PayloadSource {
  load(ref: ReleaseRef, signal: AbortSignal): Promise<ReleasePayload>;
}

export type VerificationResult =
  | { readonly verified: true; readonly keys: readonly string[] }
  | { readonly verified: false; readonly reason: string; readonly message: string };

/** Checks that a digest carries a valid signature from every key the cluster trusts. */
export interface SignatureVerifier {
  verify(digest: string, pullSpec: string, signal: AbortSignal): Promise<VerificationResult>;
}

/** A release in the update graph (Cincinnati node). */
export interface GraphRelease {
  readonly version: string;
  readonly image: string;
  readonly url?: string;
  readonly channels?: readonly string[];
}

export interface ConditionalUpdateRisk {
  readonly name: string;
  readonly message: string;
  readonly url: string;
  readonly matchingRules: readonly { readonly type: string; readonly promql?: { readonly promql: string } }[];
}

export interface ConditionalUpdate {
  readonly release: GraphRelease;
  readonly risks: readonly ConditionalUpdateRisk[];
}

export interface AvailableUpdates {
  readonly updates: readonly GraphRelease[];
  readonly conditionalUpdates: readonly ConditionalUpdate[];
}

/** A client of the Cincinnati protocol. */
export interface UpdateGraphClient {
  fetch(input: { upstream: string; channel: string; arch: string; version: string; id?: string }, signal: AbortSignal): Promise<AvailableUpdates>;
}
