// Against a real registry (Debian's docker-registry, started per suite): push with the `payload push` module,
// pull by digest, and tampering seen from the client side.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushPayload, type PushResult } from '../../../scripts/payload/push.ts';
import { requireRegistryBinary, startRegistry, type TestRegistry } from '../../../test/fakes/registry/registry.ts';
import { loadPayloadFromDirectory } from './directory.ts';
import { PayloadError } from './errors.ts';
import { writeSamplePayload } from './fixtures.test-util.ts';
import { MediaTypes, RegistryClient, loadPayloadFromRegistry, parsePullSpec } from './registry.ts';
import { createPayloadSource } from './source.ts';

async function rejection(promise: Promise<unknown>): Promise<PayloadError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof PayloadError, `expected a PayloadError, got ${String(err)}`);
  return err;
}

describe('parsePullSpec', () => {
  const cases: Array<[spec: string, expected: ReturnType<typeof parsePullSpec>]> = [
    [`127.0.0.1:5000/ocp/release@sha256:${'a'.repeat(64)}`, { registry: '127.0.0.1:5000', repository: 'ocp/release', digest: `sha256:${'a'.repeat(64)}` }],
    ['quay.io/openshift-release-dev/ocp-release:4.16.2-x86_64', { registry: 'quay.io', repository: 'openshift-release-dev/ocp-release', tag: '4.16.2-x86_64' }],
    ['localhost/release:1', { registry: 'localhost', repository: 'release', tag: '1' }],
    ['busybox', { registry: 'docker.io', repository: 'library/busybox' }],
    ['openshift/origin-release:4.16', { registry: 'docker.io', repository: 'openshift/origin-release', tag: '4.16' }],
  ];
  for (const [spec, expected] of cases) it(`splits ${spec}`, () => assert.deepEqual(parsePullSpec(spec), expected));

  it('rejects a malformed digest and an upper-case repository', () => {
    assert.throws(() => parsePullSpec('quay.io/x@sha256:123'), /bad digest/);
    assert.throws(() => parsePullSpec('quay.io/Release:1'), /bad repository name/);
  });
});

describe('release images in a registry', function () {
  this.timeout(30_000);
  let registry: TestRegistry;
  let dir: string;
  let pushed: PushResult;

  before(async function () {
    requireRegistryBinary(this);
    registry = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'payload-registry-'));
    writeSamplePayload(join(dir, 'root'));
    pushed = await pushPayload(join(dir, 'root'), `${registry.host}/ocp/release:4.16.2`, { insecure: true });
  });
  after(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pushes an OCI image and reports the pull spec by manifest digest', () => {
    assert.equal(pushed.version, '4.16.2');
    assert.match(pushed.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(pushed.pullSpec, `${registry.host}/ocp/release@${pushed.digest}`);
  });

  it('serves the manifest under the tag with the same digest (the registry agrees)', async () => {
    const response = await fetch(`http://${registry.host}/v2/ocp/release/manifests/4.16.2`, { headers: { Accept: MediaTypes.ociManifest } });
    assert.equal(response.headers.get('docker-content-digest'), pushed.digest);
    assert.equal((await response.json() as { mediaType: string }).mediaType, MediaTypes.ociManifest);
  });

  it('pulls by digest: the same payload as the directory, with the manifest digest as payload digest', async () => {
    const payload = await loadPayloadFromRegistry(pushed.pullSpec, { insecure: true });
    const local = loadPayloadFromDirectory(join(dir, 'root'));
    assert.equal(payload.digest, pushed.digest);
    assert.equal(payload.pullSpec, pushed.pullSpec);
    assert.deepEqual(payload.metadata, local.metadata);
    assert.deepEqual(payload.images, local.images);
    assert.deepEqual(payload.manifests, local.manifests);
  });

  it('pulls through the PayloadSource when the registry is listed as insecure', async () => {
    const payload = await createPayloadSource({ insecureRegistries: [registry.host] }).load({ image: pushed.pullSpec }, new AbortController().signal);
    assert.equal(payload.version, '4.16.2');
  });

  it('pushes the same payload to the same digest again (reproducible image)', async () => {
    const again = await pushPayload(join(dir, 'root'), `${registry.host}/ocp/release:again`, { insecure: true });
    assert.equal(again.digest, pushed.digest);
  });

  it('refuses a digest the registry does not have', async () => {
    const missing = `${registry.host}/ocp/release@sha256:${'0'.repeat(64)}`;
    const err = await rejection(loadPayloadFromRegistry(missing, { insecure: true }));
    assert.equal(err.reason, 'RetrievePayload');
    assert.match(err.message, new RegExp(`GET ${registry.host}/ocp/release manifest sha256:0{64}: 404 Not Found \\(MANIFEST_UNKNOWN: `));
  });

  it('refuses a pull spec by tag', async () => {
    const err = await rejection(loadPayloadFromRegistry(`${registry.host}/ocp/release:4.16.2`, { insecure: true }));
    assert.match(err.message, /must be referenced by digest/);
  });

  describe('with tampered storage', () => {
    let otherDigest: string;
    before(async () => {
      // A second, independent image to tamper with, so the suite above keeps an intact one.
      writeSamplePayload(join(dir, 'other'), '4.16.3');
      otherDigest = (await pushPayload(join(dir, 'other'), `${registry.host}/ocp/other:4.16.3`, { insecure: true })).digest;
    });

    it('detects a layer whose bytes no longer match its digest', async () => {
      const client = new RegistryClient(registry.host, { insecure: true });
      const manifest = await client.getManifest('ocp/other', otherDigest).finally(() => client.close());
      const layer = registry.blobPath(manifest.layers[0].digest);
      const original = readFileSync(layer);
      const tampered = Buffer.from(original);
      tampered[tampered.length - 20] ^= 0xff; // same size, one byte flipped
      writeFileSync(layer, tampered);
      try {
        const err = await rejection(loadPayloadFromRegistry(`${registry.host}/ocp/other@${otherDigest}`, { insecure: true }));
        assert.equal(err.reason, 'RetrievePayload');
        assert.match(err.message, new RegExp(`blob ${manifest.layers[0].digest} was served with content of digest sha256:[0-9a-f]{64}: refusing a tampered or corrupt layer`));
      } finally {
        writeFileSync(layer, original);
      }
    });

    it('detects a manifest whose bytes no longer match the requested digest', async () => {
      const path = registry.blobPath(otherDigest);
      const original = readFileSync(path, 'utf8');
      // Same length, still valid JSON: the layer size changes by one digit.
      const tampered = original.replace(/"size":(\d+)}\]/, (_m, size: string) => `"size":${size.slice(0, -1)}${(Number(size.at(-1)) + 1) % 10}}]`);
      assert.notEqual(tampered, original);
      writeFileSync(path, tampered);
      try {
        const err = await rejection(loadPayloadFromRegistry(`${registry.host}/ocp/other@${otherDigest}`, { insecure: true }));
        assert.equal(err.reason, 'RetrievePayload');
        assert.match(err.message, new RegExp(`manifest ${otherDigest} was served with content of digest sha256:[0-9a-f]{64}: refusing a tampered or wrong manifest`));
      } finally {
        writeFileSync(path, original);
      }
    });
  });
});
