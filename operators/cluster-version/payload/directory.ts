// Payloads from a local directory (or a tar file on disk): the layout of a payload image's filesystem, with
// release-manifests/ (and optionally manifests/) under `dir`. The digest is the canonical content digest
// (payload.ts), so signing a directory build and loading it back agree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReleasePayload } from '../contracts.ts';
import { PayloadError } from './errors.ts';
import type { ManifestFilter } from './filter.ts';
import { PAYLOAD_DIRS, payloadDigest, payloadFromFiles } from './payload.ts';
import { readTar, type TarFile } from './tar.ts';

/** Every regular file under the payload directories of `dir`, by path relative to `dir` with "/" separators. */
export function readPayloadDirectory(dir: string): TarFile[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new PayloadError('RetrievePayload', `${dir}: not a directory`);
  }
  return PAYLOAD_DIRS.flatMap((sub) => {
    const root = join(dir, sub);
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) return [];
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        return { path: relative(dir, path).split(sep).join('/'), data: new Uint8Array(readFileSync(path)) };
      });
  });
}

export function loadPayloadFromDirectory(dir: string, filter: ManifestFilter = {}): ReleasePayload {
  const files = readPayloadDirectory(dir);
  return payloadFromFiles(files, { digest: payloadDigest(files), pullSpec: pathToFileURL(dir).href }, filter);
}

/** A payload from the bytes of a .tar or .tar.gz (compression is detected from the content, not the name). */
export function payloadFromTarball(archive: Uint8Array, pullSpec: string, filter: ManifestFilter = {}): ReleasePayload {
  let files: TarFile[];
  try {
    files = readTar(archive);
  } catch (err) {
    throw new PayloadError('LoadPayload', `${pullSpec}: not a readable tar archive: ${(err as Error).message}`, { cause: err });
  }
  return payloadFromFiles(files, { digest: payloadDigest(files), pullSpec }, filter);
}

export function loadPayloadFromTarFile(path: string, filter: ManifestFilter = {}): ReleasePayload {
  return payloadFromTarball(new Uint8Array(readFileSync(path)), pathToFileURL(path).href, filter);
}
