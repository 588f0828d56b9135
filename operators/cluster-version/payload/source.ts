// The PayloadSource of the contract: one entry point that loads a ReleaseRef's image from wherever it points.
//   file:///dir              a payload directory (release-manifests/ inside)
//   file:///x.tar[.gz]       a payload tarball on disk
//   http(s)://…              a payload tarball over HTTP(S)
//   registry/repo@sha256:…   a release image, pulled through the OCI distribution API
// Checking that the payload's version matches ReleaseRef.version is the acceptance step VerifyPayloadVersion
// (shared/reference/cluster-version.md §1.3), left to the caller, which knows whether a version was asked for.
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PayloadSource, ReleasePayload, ReleaseRef } from '../contracts.ts';
import { loadPayloadFromDirectory, loadPayloadFromTarFile } from './directory.ts';
import { PayloadError } from './errors.ts';
import type { ManifestFilter } from './filter.ts';
import { loadPayloadFromRegistry, parsePullSpec } from './registry.ts';
import { loadPayloadFromTarball } from './tarball.ts';

export interface PayloadSourceOptions extends ManifestFilter {
  /** PEM CA certificate(s) trusted for https tarballs and registries, beyond the system roots. */
  readonly ca?: string | Uint8Array;
  /** Registries (host[:port]) reached over plain HTTP. */
  readonly insecureRegistries?: readonly string[];
}

export type ReleaseLocation = 'directory-or-file' | 'tarball' | 'registry';

/** Where a release image string points, by its scheme: file://, http(s):// or otherwise a registry pull spec. */
export function releaseLocation(image: string): ReleaseLocation {
  if (image.startsWith('file://')) return 'directory-or-file';
  if (image.startsWith('http://') || image.startsWith('https://')) return 'tarball';
  return 'registry';
}

export function createPayloadSource(options: PayloadSourceOptions = {}): PayloadSource {
  return {
    async load(ref: ReleaseRef, signal: AbortSignal): Promise<ReleasePayload> {
      const image = ref.image;
      if (!image) throw new PayloadError('RetrievePayload', `release ${ref.version ?? '(no version)'} has no image to load`);
      signal.throwIfAborted();
      switch (releaseLocation(image)) {
        case 'directory-or-file': {
          const path = fileURLToPath(image);
          return statSync(path, { throwIfNoEntry: false })?.isFile() ? loadPayloadFromTarFile(path, options) : loadPayloadFromDirectory(path, options);
        }
        case 'tarball':
          return loadPayloadFromTarball(image, { ...options, signal });
        case 'registry': {
          const insecure = options.insecureRegistries?.includes(safeRegistry(image)) ?? false;
          return loadPayloadFromRegistry(image, { ...options, insecure, signal });
        }
      }
    },
  };
}

function safeRegistry(image: string): string {
  try {
    return parsePullSpec(image).registry;
  } catch {
    return ''; // loadPayloadFromRegistry reports the bad pull spec
  }
}
