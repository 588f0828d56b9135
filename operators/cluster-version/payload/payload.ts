// A ReleasePayload from the files of a payload, wherever they came from (directory, tarball, image layers).
//
// Digest of a payload that is not an image (directory, tarball): "sha256:" + the SHA-256 of the canonical tar
// (tar.ts writeCanonicalTar) of the payload's content, i.e. every regular file under release-manifests/ and
// manifests/, by path relative to the payload root. File order, timestamps, owners and compression of the
// original do not matter; content and names do. `npm run payload -- build --tar` writes exactly that canonical
// tar, so `sha256sum` of its output is the digest to sign. For an image the digest is its manifest's digest
// (registry.ts), as OpenShift signs it.
import { createHash } from 'node:crypto';
import type { ReleaseManifest, ReleasePayload } from '../contracts.ts';
import { invalidPayload } from './errors.ts';
import { manifestInclusion, type ManifestFilter } from './filter.ts';
import {
  IMAGE_REFERENCES_FILE, RELEASE_MANIFESTS_DIR, RELEASE_METADATA_FILE, isManifestFile, parseImageReferences,
  parseManifestFile, parseReleaseMetadata,
} from './parse.ts';
import { writeCanonicalTar, type TarFile } from './tar.ts';

/** The directories of a payload root that make up its content (pkg/payload/payload.go). */
export const PAYLOAD_DIRS = [RELEASE_MANIFESTS_DIR, 'manifests'] as const;

/** The files that make up a payload's content: regular files under PAYLOAD_DIRS; anything else is ignored. */
export function payloadContent(files: readonly TarFile[]): TarFile[] {
  return files.filter((f) => PAYLOAD_DIRS.some((dir) => f.path.startsWith(`${dir}/`)));
}

/** The canonical tar of a payload's content: what `build --tar` writes and what payloadDigest hashes. */
export function canonicalPayloadTar(files: readonly TarFile[]): Uint8Array {
  return writeCanonicalTar(payloadContent(files));
}

/** "sha256:<hex>" of the canonical tar of the payload's content. */
export function payloadDigest(files: readonly TarFile[]): string {
  return sha256Digest(canonicalPayloadTar(files));
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Validates and parses a payload: release-metadata and image-references must be present and agree on the
 * version, and every manifest file of release-manifests/ (directly in it, .yaml/.yml/.json, lexical order) must
 * parse. Manifests the filter leaves out are dropped. Throws PayloadError (LoadPayload) naming the file at fault.
 */
export function payloadFromFiles(
  files: readonly TarFile[], source: { digest: string; pullSpec: string }, filter: ManifestFilter = {},
): ReleasePayload {
  const byPath = new Map(files.map((f) => [f.path, f.data]));
  const read = (path: string): string => {
    const data = byPath.get(path);
    if (!data) throw invalidPayload(path, `missing: a payload needs ${RELEASE_METADATA_FILE} and ${IMAGE_REFERENCES_FILE}`);
    return Buffer.from(data).toString('utf8');
  };
  const metadata = parseReleaseMetadata(read(RELEASE_METADATA_FILE));
  const images = parseImageReferences(read(IMAGE_REFERENCES_FILE), metadata.version);

  const manifestFiles = files
    .filter((f) => f.path.startsWith(`${RELEASE_MANIFESTS_DIR}/`))
    .map((f) => f.path.slice(RELEASE_MANIFESTS_DIR.length + 1))
    .filter((name) => !name.includes('/') && isManifestFile(name))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const manifests: ReleaseManifest[] = manifestFiles.flatMap((name) =>
    parseManifestFile(name, read(`${RELEASE_MANIFESTS_DIR}/${name}`)).filter((m) => manifestInclusion(m.object, filter).included));

  return { version: metadata.version, digest: source.digest, pullSpec: source.pullSpec, metadata, images, manifests };
}
