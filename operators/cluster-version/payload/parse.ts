// Parsing and validation of the three parts of a payload's release-manifests/ (shared/reference/cluster-version.md
// §2.1–§2.3): release-metadata (Cincinnati metadata), image-references (an ImageStream named after the version)
// and the manifest files. Every error names the file, and the field or line, so a broken payload can be fixed
// from the ReleaseAccepted message alone (pkg/payload/payload.go loadPayloadMetadata says which check failed).
import { LineCounter, parseAllDocuments } from 'yaml';
import type { ImageReference, ReleaseManifest, ReleaseMetadata } from '../contracts.ts';
import type { KubeObject } from '../../runtime/watcher.ts';
import { invalidPayload } from './errors.ts';
import { parseManifestFileName } from './manifest-name.ts';

/** Paths of the special files inside a payload image or directory. */
export const RELEASE_MANIFESTS_DIR = 'release-manifests';
export const RELEASE_METADATA_FILE = `${RELEASE_MANIFESTS_DIR}/release-metadata`;
export const IMAGE_REFERENCES_FILE = `${RELEASE_MANIFESTS_DIR}/image-references`;
export const CINCINNATI_METADATA_KIND = 'cincinnati-metadata-v0';
/** Only these files of release-manifests/ are manifests (pkg/payload/payload.go). */
export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/** Semantic Versioning 2.0.0, the regular expression semver.org recommends. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
/** A pull spec by digest: `<repository>@sha256:<64 hex>`. */
const PULL_SPEC_BY_DIGEST = /^[^@\s]+@sha256:[0-9a-f]{64}$/;

export function isSemVer(version: string): boolean {
  return SEMVER.test(version);
}

/** release-metadata: JSON of kind cincinnati-metadata-v0 with a SemVer version (and SemVer previous/next). */
export function parseReleaseMetadata(text: string): ReleaseMetadata {
  const file = RELEASE_METADATA_FILE;
  const raw = parseJson(file, text);
  if (!isObject(raw)) throw invalidPayload(file, 'must be a JSON object');
  if (raw.kind !== CINCINNATI_METADATA_KIND) {
    throw invalidPayload(file, `kind: must be ${JSON.stringify(CINCINNATI_METADATA_KIND)}, got ${JSON.stringify(raw.kind)}`);
  }
  if (typeof raw.version !== 'string' || raw.version === '') throw invalidPayload(file, 'version: required');
  if (!isSemVer(raw.version)) throw invalidPayload(file, `version: ${JSON.stringify(raw.version)} is not a semantic version`);
  const previous = versionList(file, 'previous', raw.previous);
  const next = versionList(file, 'next', raw.next);
  if (raw.metadata !== undefined && !(isObject(raw.metadata) && Object.values(raw.metadata).every((v) => typeof v === 'string'))) {
    throw invalidPayload(file, 'metadata: must be an object of strings');
  }
  return {
    kind: CINCINNATI_METADATA_KIND,
    version: raw.version,
    ...(previous && { previous }),
    ...(next && { next }),
    ...(raw.metadata !== undefined && { metadata: raw.metadata as Record<string, string> }),
  };
}

function versionList(file: string, field: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalidPayload(file, `${field}: must be a list of versions`);
  value.forEach((v, i) => {
    if (typeof v !== 'string' || !isSemVer(v)) throw invalidPayload(file, `${field}[${i}]: ${JSON.stringify(v)} is not a semantic version`);
  });
  return value as string[];
}

/**
 * image-references: an image.openshift.io/v1 ImageStream named after `version` whose tags each name one image
 * by digest (`from: {kind: DockerImage, name: <repo>@sha256:…}`).
 */
export function parseImageReferences(text: string, version: string): ImageReference[] {
  const file = IMAGE_REFERENCES_FILE;
  const raw = parseJson(file, text);
  if (!isObject(raw)) throw invalidPayload(file, 'must be a JSON object');
  if (raw.kind !== 'ImageStream') throw invalidPayload(file, `kind: must be "ImageStream", got ${JSON.stringify(raw.kind)}`);
  const name = isObject(raw.metadata) ? raw.metadata.name : undefined;
  if (name !== version) {
    throw invalidPayload(file, `metadata.name: ${JSON.stringify(name)} must equal the version in ${RELEASE_METADATA_FILE} (${JSON.stringify(version)})`);
  }
  const tags = isObject(raw.spec) ? raw.spec.tags : undefined;
  if (!Array.isArray(tags)) throw invalidPayload(file, 'spec.tags: must be a list');
  const seen = new Set<string>();
  return tags.map((tag: unknown, i): ImageReference => {
    const at = `spec.tags[${i}]`;
    if (!isObject(tag) || typeof tag.name !== 'string' || tag.name === '') throw invalidPayload(file, `${at}.name: required`);
    if (seen.has(tag.name)) throw invalidPayload(file, `${at}.name: duplicate tag ${JSON.stringify(tag.name)}`);
    seen.add(tag.name);
    const from = isObject(tag.from) ? tag.from : {};
    if (from.kind !== 'DockerImage') throw invalidPayload(file, `${at}.from.kind: must be "DockerImage", got ${JSON.stringify(from.kind)}`);
    if (typeof from.name !== 'string' || !PULL_SPEC_BY_DIGEST.test(from.name)) {
      throw invalidPayload(file, `${at}.from.name: ${JSON.stringify(from.name)} is not a pull spec by digest (<repository>@sha256:<hex>)`);
    }
    const annotations = isObject(tag.annotations) ? (tag.annotations as Record<string, string>) : undefined;
    return { name: tag.name, image: from.name, ...(annotations && { annotations }) };
  });
}

/** True for the files of release-manifests/ that hold manifests. */
export function isManifestFile(fileName: string): boolean {
  return MANIFEST_EXTENSIONS.some((ext) => fileName.endsWith(ext));
}

/**
 * Every object of one manifest file (multi-document YAML, or JSON), in order. Empty documents are skipped, as
 * library-go's manifest parser does. Each object needs apiVersion, kind and metadata.name.
 */
export function parseManifestFile(fileName: string, text: string): ReleaseManifest[] {
  const file = `${RELEASE_MANIFESTS_DIR}/${fileName}`;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  const name = parseManifestFileName(fileName);
  const manifests: ReleaseManifest[] = [];
  for (const doc of docs) {
    const [error] = doc.errors;
    if (error) {
      const line = error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line;
      throw invalidPayload(file, `invalid YAML: ${error.code}: ${firstLine(error.message)}`, line);
    }
    const object: unknown = doc.toJS();
    if (object === null || object === undefined) continue;
    const line = lineCounter.linePos(doc.contents?.range[0] ?? 0).line;
    if (!isObject(object)) throw invalidPayload(file, 'a manifest must be an object', line);
    for (const field of ['apiVersion', 'kind'] as const) {
      if (typeof object[field] !== 'string' || object[field] === '') throw invalidPayload(file, `${field}: required`, line);
    }
    const metadata = isObject(object.metadata) ? object.metadata : {};
    if (typeof metadata.name !== 'string' || metadata.name === '') throw invalidPayload(file, 'metadata.name: required', line);
    manifests.push({ file: fileName, index: manifests.length, runLevel: name?.runLevel, component: name?.component, object: object as KubeObject });
  }
  return manifests;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    // V8 says "… in JSON at position N (line L column C)"; older versions only give the position.
    const lineMatch = / \(line (\d+) column \d+\)/.exec(message);
    const position = /at position (\d+)/.exec(message);
    const line = lineMatch ? Number(lineMatch[1]) : position ? text.slice(0, Number(position[1])).split('\n').length : undefined;
    throw invalidPayload(file, `invalid JSON: ${message.replace(/ \(line \d+ column \d+\)/, '')}`, line);
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
