// `payload push`: a payload directory as an OCI image in a registry. One layer (the gzip of the payload's
// canonical tar, so the image filesystem is the payload root), an OCI image config labelled
// io.openshift.release=<version> as OpenShift's release images are, and an OCI image manifest tagged as asked.
// The manifest digest is what signatures sign and what the operator pulls by.
import { gzipSync } from 'node:zlib';
import {
  MediaTypes, RegistryClient, canonicalPayloadTar, parsePullSpec, payloadDigest, payloadFromFiles, readPayloadDirectory,
  sha256Digest, type RegistryOptions,
} from '../../operators/cluster-version/payload/index.ts';

export interface PushResult {
  readonly version: string;
  readonly digest: string;
  /** registry/repository@digest: the pull spec to put in desiredUpdate.image. */
  readonly pullSpec: string;
}

/** Pushes the payload directory `dir` to `to` (registry/repository:tag). Validates the payload first. */
export async function pushPayload(dir: string, to: string, options: RegistryOptions = {}, signal?: AbortSignal): Promise<PushResult> {
  const target = parsePullSpec(to);
  if (target.digest) throw new Error(`${to}: push to a tag (registry/repository:tag), not a digest`);
  const files = readPayloadDirectory(dir);
  const payload = payloadFromFiles(files, { digest: payloadDigest(files), pullSpec: dir });

  const tar = canonicalPayloadTar(files);
  const layer = gzipSync(tar);
  const config = json({
    architecture: 'amd64',
    os: 'linux',
    config: { Labels: { 'io.openshift.release': payload.version } },
    rootfs: { type: 'layers', diff_ids: [sha256Digest(tar)] },
  });
  const client = new RegistryClient(target.registry, options);
  try {
    const layerDigest = await client.pushBlob(target.repository, layer, signal);
    const configDigest = await client.pushBlob(target.repository, config, signal);
    const manifest = json({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: configDigest, size: config.length },
      layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: layerDigest, size: layer.length }],
    });
    const digest = await client.putManifest(target.repository, target.tag ?? 'latest', manifest, MediaTypes.ociManifest, signal);
    return { version: payload.version, digest, pullSpec: `${target.registry}/${target.repository}@${digest}` };
  } finally {
    await client.close();
  }
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}
