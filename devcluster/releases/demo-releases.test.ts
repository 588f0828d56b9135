import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPayloadFromDirectory } from '../../operators/cluster-version/payload/index.ts';
import { createSignatureVerifier, type ConfigMap } from '../../operators/cluster-version/signatures/index.ts';
import { startUpdateGraphServer } from '../update-graph/server.ts';
import { parseBootImages } from '../../operators/machine-config/boot-images.ts';
import type { ConfigMapLike } from '../../operators/machine-config/target.ts';
import { demoLocalBootImage } from './demo-manifests.ts';
import { ensureDemoReleases } from './demo-releases.ts';

describe('demo releases', function () {
  this.timeout(10_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'demo-releases-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes 4.1.0, 4.2.0 and 4.3.0 once, each updating from the one before, and finds the same digests, key and signatures again; another data dir gets the same digests', async () => {
    const first = await ensureDemoReleases(dataDir);
    assert.deepEqual(first.releases.map((r) => r.version), ['4.1.0', '4.2.0', '4.3.0']);
    const payload = loadPayloadFromDirectory(first.releases[1].dir);
    assert.deepEqual(payload.metadata.previous, ['4.1.0']);
    assert.deepEqual(payload.manifests.map((m) => `${m.runLevel} ${m.component} ${m.object.kind}`), [
      '30 machine-api ConfigMap', '30 machine-api ClusterOperator',
      '50 demo Namespace', '50 demo ConfigMap', '50 demo ClusterOperator',
      '80 machine-config Namespace', '80 machine-config ConfigMap', '80 machine-config ConfigMap', '80 machine-config MachineConfigPool', '80 machine-config ClusterOperator',
    ]);
    const osImage = payload.manifests.find((m) => m.object.metadata?.name === 'machine-config-osimageurl')?.object as { data: Record<string, string> };
    assert.equal(osImage.data.releaseVersion, '4.2.0');
    assert.equal(osImage.data.baseOSContainerImage, payload.images.find((i) => i.name === 'rhel-coreos')?.image);
    assert.deepEqual(payload.images.filter((i) => i.name.endsWith('-boot-image')).map((i) => i.name), ['aws-boot-image', 'gcp-boot-image', 'azure-boot-image', 'local-boot-image']);
    // The boot images the machine-config operator reads for Replace pools, for the same release as the OS image.
    const bootImages = parseBootImages(payload.manifests.find((m) => m.object.metadata?.name === 'coreos-bootimages')?.object as ConfigMapLike, 'openshift-machine-config-operator');
    assert.ok(bootImages.ok, bootImages.ok ? '' : bootImages.message);
    assert.equal(bootImages.bootImages.releaseVersion, '4.2.0');
    assert.deepEqual(Object.keys(bootImages.bootImages.architectures.x86_64), ['aws', 'gcp', 'azure', 'local']);
    assert.equal(bootImages.bootImages.architectures.x86_64.local?.image, demoLocalBootImage('4.2.0'));
    assert.notEqual(demoLocalBootImage('4.1.0'), demoLocalBootImage('4.2.0'));

    const again = await ensureDemoReleases(dataDir);
    assert.deepEqual(again.releases.map((r) => r.digest), first.releases.map((r) => r.digest));
    assert.equal(again.publicKeyArmored, first.publicKeyArmored);
    assert.deepEqual(again.configMaps, first.configMaps);
    // Deterministic content: another data dir gets the very same payloads (its own key and signatures).
    const other = mkdtempSync(join(tmpdir(), 'demo-releases-'));
    try {
      assert.deepEqual((await ensureDemoReleases(other)).releases.map((r) => r.digest), first.releases.map((r) => r.digest));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('signs every release with the key the trust ConfigMap names, as the CVO verifies them', async () => {
    const demo = await ensureDemoReleases(dataDir);
    const byNamespace = (namespace: string) => demo.configMaps.filter((cm) => cm.metadata?.namespace === namespace);
    const verifier = createSignatureVerifier({
      readConfigMaps: async ({ namespace, name }) => byNamespace(namespace).filter((cm: ConfigMap) => name === undefined ? cm.metadata?.name !== 'release-verification' : cm.metadata?.name === name),
    });
    for (const release of demo.releases) {
      assert.deepEqual(await verifier.verify(release.digest, release.image, AbortSignal.timeout(5_000)), { verified: true, keys: ['verifier-public-key-dev'] });
    }
  });

  it('offers the releases in channel stable-4 through the update-graph server, 4.1.0 → 4.2.0 → 4.3.0', async () => {
    const demo = await ensureDemoReleases(dataDir);
    const server = await startUpdateGraphServer({ dir: demo.graphDir });
    try {
      const graph = await (await fetch(`${server.url}?channel=stable-4`, { headers: { Accept: 'application/json' } })).json() as { nodes: { version: string; payload: string }[]; edges: [number, number][] };
      assert.deepEqual(graph.nodes.map((n) => [n.version, n.payload]), demo.releases.map((r) => [r.version, r.image]));
      assert.deepEqual(graph.edges.map(([a, b]) => `${graph.nodes[a].version} → ${graph.nodes[b].version}`), ['4.1.0 → 4.2.0', '4.2.0 → 4.3.0']);
    } finally {
      await server.stop();
    }
    assert.match(readFileSync(join(demo.dir, 'dev-signing-key.pub.asc'), 'utf8'), /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
  });
});
