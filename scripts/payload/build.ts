// `payload build`: assembles a release payload (shared/reference/cluster-version.md §2.1–§2.3) from a folder of
// manifests and an image list: release-manifests/<manifest files>, release-manifests/image-references (an
// ImageStream named after the version) and release-metadata, written as a directory or as the canonical tar
// whose sha256 is the payload's digest. The result is loaded back before anything is written, so a payload that
// the operator would refuse is refused here, with the same message.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ReleasePayload } from '../../operators/cluster-version/contracts.ts';
import {
  CINCINNATI_METADATA_KIND, IMAGE_REFERENCES_FILE, RELEASE_MANIFESTS_DIR, RELEASE_METADATA_FILE, canonicalPayloadTar,
  isManifestFile, payloadDigest, payloadFromFiles, type TarFile,
} from '../../operators/cluster-version/payload/index.ts';

export interface ImageEntry {
  readonly name: string;
  readonly image: string;
  readonly annotations?: Record<string, string>;
}

export interface BuildInput {
  readonly version: string;
  readonly previous?: readonly string[];
  readonly next?: readonly string[];
  readonly metadata?: Record<string, string>;
  /** Folder whose .yaml/.yml/.json files become release-manifests/ (names kept: 0000_<runlevel>_<component>_…). */
  readonly manifestsDir: string;
  readonly images: readonly ImageEntry[];
}

/** images.json: either {"<tag>": "<repo>@sha256:…"} or [{"name", "image", "annotations"?}]. */
export function parseImagesFile(text: string, file: string): ImageEntry[] {
  const raw: unknown = JSON.parse(text);
  if (Array.isArray(raw)) {
    return raw.map((entry: unknown, i) => {
      const e = entry as Partial<ImageEntry>;
      if (typeof e?.name !== 'string' || typeof e.image !== 'string') throw new Error(`${file}[${i}]: needs "name" and "image"`);
      return { name: e.name, image: e.image, ...(e.annotations && { annotations: e.annotations }) };
    });
  }
  if (typeof raw === 'object' && raw !== null) {
    return Object.entries(raw).map(([name, image]) => {
      if (typeof image !== 'string') throw new Error(`${file}: "${name}" must map to a pull spec`);
      return { name, image };
    });
  }
  throw new Error(`${file}: must be an object of tag → pull spec, or a list of {name, image}`);
}

/** The payload's files, validated: throws the PayloadError the operator would report. */
export function buildPayloadFiles(input: BuildInput): { files: TarFile[]; payload: ReleasePayload } {
  const manifests = readdirSync(input.manifestsDir, { withFileTypes: true })
    .filter((e) => e.isFile() && isManifestFile(e.name))
    .map((e): TarFile => ({ path: `${RELEASE_MANIFESTS_DIR}/${e.name}`, data: new Uint8Array(readFileSync(join(input.manifestsDir, e.name))) }));
  if (manifests.length === 0) throw new Error(`${input.manifestsDir}: no .yaml, .yml or .json manifests`);
  const metadata = {
    kind: CINCINNATI_METADATA_KIND,
    version: input.version,
    ...(input.previous?.length && { previous: input.previous }),
    ...(input.next?.length && { next: input.next }),
    ...(input.metadata && { metadata: input.metadata }),
  };
  const imageStream = {
    kind: 'ImageStream',
    apiVersion: 'image.openshift.io/v1',
    metadata: { name: input.version, creationTimestamp: null },
    spec: {
      lookupPolicy: { local: false },
      tags: input.images.map((i) => ({
        name: i.name, ...(i.annotations && { annotations: i.annotations }), from: { kind: 'DockerImage', name: i.image },
        generation: null, importPolicy: {}, referencePolicy: { type: '' },
      })),
    },
    status: { dockerImageRepository: '' },
  };
  const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  const files = [
    ...manifests,
    { path: IMAGE_REFERENCES_FILE, data: json(imageStream) },
    { path: RELEASE_METADATA_FILE, data: json(metadata) },
  ];
  const payload = payloadFromFiles(files, { digest: payloadDigest(files), pullSpec: input.manifestsDir });
  return { files, payload };
}

/** Writes the files under `dir` (the payload root). */
export function writePayloadDirectory(files: readonly TarFile[], dir: string): void {
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.data);
  }
}

/** Writes the canonical tar (gzip-compressed when the name ends in .gz or .tgz). */
export function writePayloadTar(files: readonly TarFile[], path: string): void {
  const tar = canonicalPayloadTar(files);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, /\.(gz|tgz)$/.test(path) ? gzipSync(tar) : tar);
}
