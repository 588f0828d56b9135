// Payloads the dev cluster must refuse, requested with kubectl: unsigned, signed by a key the cluster does not
// trust, tampered with after signing, malformed, and not the version asked for. Each leaves ReleaseAccepted=False
// with the reason, and the cluster as it was: same history and desired release, payload objects untouched.
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signatureConfigMapFor, writeDemoPayload, type DemoRelease } from '../../../devcluster/releases/demo-releases.ts';
import { generateSigningKey } from '../../../operators/cluster-version/signatures/index.ts';
import { condition, getClusterVersion, operatorVersions, patchDesiredUpdate, settledAt, startCvoCluster, until, type CvoE2eCluster } from './harness.ts';

describe('dev cluster refuses bad payloads', function () {
  this.timeout(30_000);
  let c: CvoE2eCluster;
  beforeEach(async () => {
    c = await startCvoCluster();
    await until(c, '4.1.0 installed', settledAt('4.1.0'));
  });
  afterEach(async () => {
    await c?.stop();
  });

  const releases = () => c.cluster.clusterVersion!.releases;
  const writePatch = (): DemoRelease => writeDemoPayload(join(releases().dir, '4.2.1'), { version: '4.2.1', previous: ['4.1.0'] });
  const storeSignature = async (release: DemoRelease, key = releases().privateKeyArmored) =>
    c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(await signatureConfigMapFor(release, key)) });

  const cases: Array<{ name: string; prepare: () => Promise<Record<string, unknown>>; reason: string; message: RegExp }> = [
    {
      name: 'an unsigned payload',
      prepare: async () => ({ version: '4.2.1', image: writePatch().image }),
      reason: 'RetrievePayload',
      message: /failure=The update cannot be verified: .*sha256:[0-9a-f]{64}/,
    },
    {
      name: 'a payload signed by a key the cluster does not trust',
      prepare: async () => {
        const release = writePatch();
        await storeSignature(release, (await generateSigningKey('someone else')).privateKeyArmored);
        return { version: '4.2.1', image: release.image };
      },
      reason: 'RetrievePayload',
      message: /failure=The update cannot be verified: /,
    },
    {
      name: 'a payload tampered with after it was signed',
      prepare: async () => {
        const release = writePatch();
        await storeSignature(release);
        appendFileSync(join(release.dir, 'release-manifests', '0000_50_demo_01_config.yaml'), '  injected: "true"\n');
        return { version: '4.2.1', image: release.image };
      },
      reason: 'RetrievePayload',
      message: /failure=The update cannot be verified: /,
    },
    {
      name: 'a malformed payload',
      prepare: async () => {
        const release = writePatch();
        writeFileSync(join(release.dir, 'release-manifests', 'release-metadata'), 'not JSON');
        return { version: '4.2.1', image: release.image };
      },
      reason: 'LoadPayload',
      message: /failure=release-manifests\/release-metadata: /,
    },
    {
      name: 'a payload whose version is not the one requested',
      prepare: async () => ({ version: '4.2.1', image: releases().releases[1].image }),
      reason: 'VerifyPayloadVersion',
      message: /failure=release image version 4\.2\.0 does not match the expected upstream version 4\.2\.1$/,
    },
  ];
  for (const refusal of cases) {
    it(`refuses ${refusal.name} and leaves the cluster untouched`, async () => {
      const before = await getClusterVersion(c);
      await patchDesiredUpdate(c, await refusal.prepare());
      const cv = await until(c, 'ReleaseAccepted=False', (v) => condition(v, 'ReleaseAccepted').status === 'False');
      assert.equal(condition(cv, 'ReleaseAccepted').reason, refusal.reason);
      assert.match(String(condition(cv, 'ReleaseAccepted').message), refusal.message);
      assert.deepEqual(cv.status?.history, before.status?.history);
      assert.deepEqual(cv.status?.desired, before.status?.desired);
      const { stdout } = await c.kubectl(['get', 'configmap', '-n', 'openshift-demo', 'demo-config', '-o', 'jsonpath={.data.version}']);
      assert.equal(stdout, '4.1.0');
      assert.deepEqual(await operatorVersions(c), { demo: '4.1.0', 'machine-api': '4.1.0', 'machine-config': '4.1.0' });
    });
  }
});
