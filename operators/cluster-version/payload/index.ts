// Release payloads: parsing, validation and filtering, and loading from a directory, a tarball over HTTP(S) or a
// registry. shared/reference/cluster-version.md §2.
export { loadPayloadFromDirectory, loadPayloadFromTarFile, payloadFromTarball, readPayloadDirectory } from './directory.ts';
export { PayloadError, invalidPayload, type PayloadErrorReason } from './errors.ts';
export { manifestInclusion, type Inclusion, type ManifestFilter } from './filter.ts';
export { HttpClient, describeFetchError, withHttpClient, type HttpOptions } from './http.ts';
export { parseManifestFileName, type ManifestName } from './manifest-name.ts';
export {
  CINCINNATI_METADATA_KIND, IMAGE_REFERENCES_FILE, RELEASE_MANIFESTS_DIR, RELEASE_METADATA_FILE, isManifestFile, isSemVer,
  parseImageReferences, parseManifestFile, parseReleaseMetadata,
} from './parse.ts';
export { PAYLOAD_DIRS, canonicalPayloadTar, payloadContent, payloadDigest, payloadFromFiles, sha256Digest } from './payload.ts';
export {
  MediaTypes, RegistryClient, loadPayloadFromRegistry, mergeLayers, parsePullSpec,
  type Descriptor, type ImageManifest, type PullSpec, type RegistryLoadOptions, type RegistryOptions,
} from './registry.ts';
export { createPayloadSource, releaseLocation, type PayloadSourceOptions, type ReleaseLocation } from './source.ts';
export { isGzip, readTar, writeCanonicalTar, type TarFile } from './tar.ts';
export { loadPayloadFromTarball, type TarballOptions } from './tarball.ts';
