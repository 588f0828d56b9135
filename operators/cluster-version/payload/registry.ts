// A client of the OCI distribution API (https://github.com/opencontainers/distribution-spec, spec.md) for
// release images: pull by digest with every byte checked against its digest, and the push half that
// `npm run payload -- push` uses. Anonymous access only: no token or basic auth (a registry that answers 401 is
// reported as such). `insecure` means plain HTTP, as containers' "insecure registries" for a local registry.
import type { ReleasePayload } from '../contracts.ts';
import { PayloadError } from './errors.ts';
import type { ManifestFilter } from './filter.ts';
import { HttpClient, describeFetchError, type HttpOptions } from './http.ts';
import { payloadFromFiles, sha256Digest } from './payload.ts';
import { readTar, type TarFile } from './tar.ts';

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The manifest types we can read, in the Accept header of every manifest GET. */
const ACCEPTED_MANIFESTS = [MediaTypes.ociManifest, MediaTypes.dockerManifest];
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** `[registry/]repository[:tag][@sha256:…]`, split as containers/image's docker reference parser does. */
export interface PullSpec {
  /** host[:port]; "docker.io" when the spec names none. */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function parsePullSpec(spec: string): PullSpec {
  const [nameAndTag, digest, extra] = spec.split('@');
  if (extra !== undefined || (digest !== undefined && !DIGEST.test(digest))) throw new Error(`invalid pull spec ${JSON.stringify(spec)}: bad digest`);
  const slash = nameAndTag.indexOf('/');
  const first = slash === -1 ? '' : nameAndTag.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = hasRegistry ? first : 'docker.io';
  let rest = hasRegistry ? nameAndTag.slice(slash + 1) : nameAndTag;
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(rest)) {
    throw new Error(`invalid pull spec ${JSON.stringify(spec)}: bad repository name ${JSON.stringify(rest)}`);
  }
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) throw new Error(`invalid pull spec ${JSON.stringify(spec)}: bad tag`);
  const repository = !hasRegistry && !rest.includes('/') ? `library/${rest}` : rest;
  return { registry, repository, ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

export interface RegistryOptions extends HttpOptions {
  /** Plain HTTP instead of HTTPS. */
  readonly insecure?: boolean;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Record<string, string>;
}

/** The distribution API of one registry. close() when done. */
export class RegistryClient {
  readonly registry: string;
  readonly #base: string;
  readonly #http: HttpClient;

  constructor(registry: string, options: RegistryOptions = {}) {
    this.registry = registry;
    this.#base = `${options.insecure ? 'http' : 'https'}://${registry === 'docker.io' ? 'registry-1.docker.io' : registry}/v2`;
    this.#http = new HttpClient(options);
  }

  /** GET a manifest by digest; its bytes must hash to that digest, or the registry (or a proxy) is lying. */
  async getManifest(repository: string, digest: string, signal?: AbortSignal): Promise<ImageManifest> {
    const bytes = await this.#get(repository, 'manifests', digest, { Accept: ACCEPTED_MANIFESTS.join(', ') }, signal);
    const actual = sha256Digest(bytes);
    if (actual !== digest) {
      throw new PayloadError('RetrievePayload', `${this.registry}/${repository}: manifest ${digest} was served with content of digest ${actual}: refusing a tampered or wrong manifest`);
    }
    let manifest: ImageManifest;
    try {
      manifest = JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageManifest;
    } catch (err) {
      throw new PayloadError('LoadPayload', `${this.registry}/${repository}@${digest}: manifest is not JSON`, { cause: err });
    }
    if (manifest.mediaType === MediaTypes.ociIndex || manifest.mediaType === MediaTypes.dockerManifestList) {
      throw new PayloadError('LoadPayload', `${this.registry}/${repository}@${digest}: is a multi-architecture index; give the digest of one image manifest`);
    }
    if (manifest.schemaVersion !== 2 || !Array.isArray(manifest.layers) || manifest.layers.length === 0) {
      throw new PayloadError('LoadPayload', `${this.registry}/${repository}@${digest}: not an OCI or Docker schema 2 image manifest with layers`);
    }
    return manifest;
  }

  /** GET a blob; its bytes must hash to `digest`. */
  async getBlob(repository: string, digest: string, signal?: AbortSignal): Promise<Uint8Array> {
    const bytes = await this.#get(repository, 'blobs', digest, {}, signal);
    const actual = sha256Digest(bytes);
    if (actual !== digest) {
      throw new PayloadError('RetrievePayload', `${this.registry}/${repository}: blob ${digest} was served with content of digest ${actual}: refusing a tampered or corrupt layer`);
    }
    return bytes;
  }

  /** Uploads a blob unless the registry has it (monolithic upload: POST for a session, then PUT ?digest=). */
  async pushBlob(repository: string, bytes: Uint8Array, signal?: AbortSignal): Promise<string> {
    const digest = sha256Digest(bytes);
    const head = await this.#request(`${repository}/blobs/${digest}`, { method: 'HEAD', signal });
    if (head.ok) return digest;
    const start = await this.#request(`${repository}/blobs/uploads/`, { method: 'POST', signal });
    if (start.status !== 202) throw await registryError(start, `start upload to ${this.registry}/${repository}`);
    await start.body?.cancel(); // undici keeps the connection busy until a body is consumed
    const location = new URL(start.headers.get('location') ?? '', `${this.#base}/`);
    location.searchParams.set('digest', digest);
    const put = await this.#http.request(location.href, {
      method: 'PUT', body: bytes, signal,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length) },
    });
    if (put.status !== 201) throw await registryError(put, `upload blob ${digest} to ${this.registry}/${repository}`);
    await put.body?.cancel();
    return digest;
  }

  /** PUTs a manifest under a tag (or digest) and returns its digest. */
  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string, signal?: AbortSignal): Promise<string> {
    const response = await this.#request(`${repository}/manifests/${reference}`, {
      method: 'PUT', body: bytes, signal, headers: { 'Content-Type': mediaType },
    });
    if (response.status !== 201) throw await registryError(response, `put manifest ${this.registry}/${repository}:${reference}`);
    await response.body?.cancel();
    return sha256Digest(bytes);
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  async #get(repository: string, kind: 'manifests' | 'blobs', digest: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Uint8Array> {
    const response = await this.#request(`${repository}/${kind}/${digest}`, { headers, signal });
    if (!response.ok) throw await registryError(response, `GET ${this.registry}/${repository} ${kind === 'blobs' ? 'blob' : 'manifest'} ${digest}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async #request(path: string, request: Parameters<HttpClient['request']>[1]) {
    const url = `${this.#base}/${path}`;
    try {
      return await this.#http.request(url, request);
    } catch (err) {
      throw new PayloadError('RetrievePayload', `${request?.method ?? 'GET'} ${url}: ${describeFetchError(err)}`, { cause: err });
    }
  }
}

/** The registry's own error codes and messages ({"errors":[{code,message}]}), with the HTTP status. */
async function registryError(response: Awaited<ReturnType<HttpClient['request']>>, action: string): Promise<PayloadError> {
  const text = await response.text().catch(() => '');
  let detail = '';
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    detail = (body.errors ?? []).map((e) => `${e.code}: ${e.message}`).join('; ');
  } catch {
    detail = text.slice(0, 200);
  }
  return new PayloadError('RetrievePayload', `${action}: ${response.status} ${response.statusText}${detail ? ` (${detail})` : ''}`);
}

/**
 * The filesystem of an image from its layers' files, lowest layer first, with OCI whiteouts applied
 * (image-spec layer.md): `.wh.<name>` deletes <name> from lower layers, `.wh..wh..opq` empties its directory.
 */
export function mergeLayers(layers: readonly (readonly TarFile[])[]): TarFile[] {
  const files = new Map<string, TarFile>();
  const removeUnder = (prefix: string, exact?: string) => {
    for (const path of files.keys()) if (path === exact || path.startsWith(prefix)) files.delete(path);
  };
  for (const layer of layers) {
    // Whiteouts hide lower layers only, so apply them all before adding this layer's files.
    const whiteouts = layer.filter((f) => basename(f.path).startsWith('.wh.'));
    for (const { path } of whiteouts) {
      const dir = path.slice(0, path.lastIndexOf('/') + 1);
      const base = basename(path);
      if (base === '.wh..wh..opq') removeUnder(dir);
      else removeUnder(`${dir}${base.slice(4)}/`, `${dir}${base.slice(4)}`);
    }
    for (const file of layer) if (!whiteouts.includes(file)) files.set(file.path, file);
  }
  return [...files.values()];
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export interface RegistryLoadOptions extends RegistryOptions, ManifestFilter {
  readonly signal?: AbortSignal;
}

/**
 * Pulls a release image by digest (`registry/repository@sha256:…`): the manifest, checked against the digest,
 * then every layer, each checked against its descriptor. The payload's digest is the manifest digest.
 */
export async function loadPayloadFromRegistry(pullSpec: string, options: RegistryLoadOptions = {}): Promise<ReleasePayload> {
  let spec: PullSpec;
  try {
    spec = parsePullSpec(pullSpec);
  } catch (err) {
    throw new PayloadError('RetrievePayload', (err as Error).message, { cause: err });
  }
  const digest = spec.digest;
  if (!digest) throw new PayloadError('RetrievePayload', `${pullSpec}: a release image must be referenced by digest (…@sha256:<hex>), not by tag`);
  const client = new RegistryClient(spec.registry, options);
  try {
    const manifest = await client.getManifest(spec.repository, digest, options.signal);
    const layers: TarFile[][] = [];
    for (const layer of manifest.layers) {
      const blob = await client.getBlob(spec.repository, layer.digest, options.signal);
      try {
        layers.push(readTar(blob));
      } catch (err) {
        throw new PayloadError('LoadPayload', `${pullSpec}: layer ${layer.digest} is not a readable tar archive: ${(err as Error).message}`, { cause: err });
      }
    }
    return payloadFromFiles(mergeLayers(layers), { digest, pullSpec }, options);
  } finally {
    await client.close();
  }
}
