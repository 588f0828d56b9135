import assert from 'node:assert/strict';
import type { KubeObject } from '../../runtime/watcher.ts';
import { PayloadError } from './errors.ts';
import { manifestInclusion } from './filter.ts';
import { SAMPLE_MANIFESTS, imageReferences, releaseMetadata } from './fixtures.test-util.ts';
import { parseManifestFileName } from './manifest-name.ts';
import { isSemVer, parseImageReferences, parseManifestFile, parseReleaseMetadata } from './parse.ts';
import { payloadDigest, payloadFromFiles } from './payload.ts';
import type { TarFile } from './tar.ts';

/** Runs fn and returns the PayloadError it throws. */
function payloadError(fn: () => unknown): PayloadError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PayloadError, `expected a PayloadError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a PayloadError');
}

describe('parseManifestFileName', () => {
  const cases: Array<[name: string, expected: ReturnType<typeof parseManifestFileName>]> = [
    ['0000_30_machine-api_01_deployment.yaml', { runLevel: '30', component: 'machine-api' }],
    ['0000_50_cluster-monitoring-operator_00_0alertmanager-config.yaml', { runLevel: '50', component: 'cluster-monitoring-operator' }],
    ['0000_80_machine-config_01_clusteroperator.yaml', { runLevel: '80', component: 'machine-config' }],
    ['0000_05_config-operator_02_apiserver.crd.yaml', { runLevel: '05', component: 'config-operator' }],
    ['0000_90_cvo_x.yaml', { runLevel: '90', component: 'cvo' }],
    ['0000_30_machine-api.yaml', undefined], // no "_" after the component
    ['0001_30_x_y.yaml', undefined],
    ['0000_xx_machine-api_01.yaml', undefined],
    ['0000_30_-bad_01.yaml', undefined],
    ['deployment.yaml', undefined],
  ];
  for (const [name, expected] of cases) {
    it(`reads ${name} as ${expected ? `run level ${expected.runLevel}, component ${expected.component}` : 'not following the convention'}`, () => {
      assert.deepEqual(parseManifestFileName(name), expected);
    });
  }
});

describe('release-metadata', () => {
  it('parses kind, version, previous and metadata', () => {
    assert.deepEqual(parseReleaseMetadata(releaseMetadata('4.16.2')), {
      kind: 'cincinnati-metadata-v0', version: '4.16.2', previous: ['4.16.0', '4.16.1'], metadata: { url: 'https://errata.example/4.16.2' },
    });
  });

  const invalid: Array<[title: string, text: string, message: string]> = [
    ['a wrong kind', '{"kind":"cincinnati-metadata-v1","version":"4.16.2"}', 'release-manifests/release-metadata: kind: must be "cincinnati-metadata-v0", got "cincinnati-metadata-v1"'],
    ['a missing version', '{"kind":"cincinnati-metadata-v0"}', 'release-manifests/release-metadata: version: required'],
    ['a version that is not SemVer', '{"kind":"cincinnati-metadata-v0","version":"4.16"}', 'release-manifests/release-metadata: version: "4.16" is not a semantic version'],
    ['a previous entry that is not SemVer', '{"kind":"cincinnati-metadata-v0","version":"4.16.2","previous":["4.16.1","latest"]}', 'release-manifests/release-metadata: previous[1]: "latest" is not a semantic version'],
    ['a JSON array', '[]', 'release-manifests/release-metadata: must be a JSON object'],
  ];
  for (const [title, text, message] of invalid) {
    it(`rejects ${title}, naming the file and field`, () => {
      const err = payloadError(() => parseReleaseMetadata(text));
      assert.equal(err.message, message);
      assert.equal(err.reason, 'LoadPayload');
      assert.equal(err.file, 'release-manifests/release-metadata');
    });
  }

  it('reports the line of a JSON syntax error', () => {
    const err = payloadError(() => parseReleaseMetadata('{\n  "kind": "cincinnati-metadata-v0",\n  "version": 4.16.2\n}'));
    assert.equal(err.line, 3);
    assert.match(err.message, /^release-manifests\/release-metadata:3: invalid JSON: /);
  });

  it('knows SemVer from near misses', () => {
    assert.deepEqual(['4.16.2', '4.17.0-ec.3', '4.16.0-0.nightly-2026-08-01-000000', '1.0.0+build.1', '4.16', 'v4.16.2', '04.1.0'].map(isSemVer),
      [true, true, true, true, false, false, false]);
  });
});

describe('image-references', () => {
  it('lists every tag with its pull spec by digest, the OS and boot images among them', () => {
    const images = parseImageReferences(imageReferences('4.16.2'), '4.16.2');
    assert.deepEqual(images.map((i) => i.name), ['cluster-version-operator', 'machine-config-operator', 'rhel-coreos', 'rhel-coreos-extensions', 'aws-boot-image', 'gcp-boot-image']);
    assert.match(images[2].image, /^quay\.example\/ocp\/rhel-coreos@sha256:c{64}$/);
  });

  it('rejects an ImageStream whose name is not the release version', () => {
    assert.equal(payloadError(() => parseImageReferences(imageReferences('4.16.1'), '4.16.2')).message,
      'release-manifests/image-references: metadata.name: "4.16.1" must equal the version in release-manifests/release-metadata ("4.16.2")');
  });

  it('rejects an image referenced by tag', () => {
    assert.equal(payloadError(() => parseImageReferences(imageReferences('4.16.2', { mco: 'quay.example/ocp/mco:latest' }), '4.16.2')).message,
      'release-manifests/image-references: spec.tags[0].from.name: "quay.example/ocp/mco:latest" is not a pull spec by digest (<repository>@sha256:<hex>)');
  });
});

describe('manifest files', () => {
  it('parses every document of a multi-document file in order, with run level and component from the name', () => {
    const manifests = parseManifestFile('0000_30_machine-api_01_configmap.yaml', SAMPLE_MANIFESTS['0000_30_machine-api_01_configmap.yaml']);
    assert.deepEqual(manifests.map((m) => [m.index, m.runLevel, m.component, m.object.metadata?.name]), [
      [0, '30', 'machine-api', 'machine-api-config'],
      [1, '30', 'machine-api', 'hypershift-only'],
      [2, '30', 'machine-api', 'excluded-by-id'],
    ]);
  });

  it('skips empty documents', () => {
    const text = '---\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n';
    assert.deepEqual(parseManifestFile('x.yaml', text).map((m) => m.object.metadata?.name), ['a']);
  });

  it('reports malformed YAML with the file and line', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {a: b\ndata: {}\n';
    const err = payloadError(() => parseManifestFile('0000_10_x_y.yaml', text));
    assert.equal(err.file, 'release-manifests/0000_10_x_y.yaml');
    assert.ok(err.line !== undefined && err.line >= 5, `line ${err.line}`);
    assert.match(err.message, /^release-manifests\/0000_10_x_y\.yaml:\d+: invalid YAML: /);
  });

  it('names the line of a document without kind', () => {
    const text = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nmetadata:\n  name: b\n';
    assert.equal(payloadError(() => parseManifestFile('f.yaml', text)).message, 'release-manifests/f.yaml:6: kind: required');
  });
});

describe('manifestInclusion', () => {
  const object = (annotations: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations } });
  const cases: Array<[title: string, annotations: Record<string, string>, filter: Parameters<typeof manifestInclusion>[1], included: boolean]> = [
    ['includes a manifest opted in to the default profile', { 'include.release.openshift.io/self-managed-high-availability': 'true' }, {}, true],
    ['leaves out a manifest without the include annotation', {}, {}, false],
    ['leaves out a manifest of another profile', { 'include.release.openshift.io/hypershift': 'true' }, {}, false],
    ['includes it under that profile', { 'include.release.openshift.io/hypershift': 'true' }, { profile: 'hypershift' }, true],
    ['leaves out an include annotation whose value is not "true"', { 'include.release.openshift.io/self-managed-high-availability': 'yes' }, {}, false],
    ['leaves out a manifest excluded for the running identifier', { 'include.release.openshift.io/self-managed-high-availability': 'true', 'exclude.release.openshift.io/hosted': 'true' }, { excludeIdentifier: 'hosted' }, false],
    ['keeps it when the operator runs without that identifier', { 'include.release.openshift.io/self-managed-high-availability': 'true', 'exclude.release.openshift.io/hosted': 'true' }, {}, true],
  ];
  for (const [title, annotations, filter, included] of cases) {
    it(title, () => assert.equal(manifestInclusion(object(annotations), filter).included, included));
  }
});

describe('payloadFromFiles', () => {
  const files = (version = '4.16.2'): TarFile[] => [
    ...Object.entries(SAMPLE_MANIFESTS).map(([name, text]) => ({ path: `release-manifests/${name}`, data: Buffer.from(text) })),
    { path: 'release-manifests/release-metadata', data: Buffer.from(releaseMetadata(version)) },
    { path: 'release-manifests/image-references', data: Buffer.from(imageReferences(version)) },
  ];

  it('keeps the included manifests in lexical file order, with create-only and delete annotations intact', () => {
    const payload = payloadFromFiles(files().reverse(), { digest: 'sha256:x', pullSpec: 'test' });
    assert.equal(payload.version, '4.16.2');
    assert.deepEqual(payload.manifests.map((m) => `${m.file}#${m.index}`), [
      '0000_00_cluster-version-operator_01_namespace.yaml#0',
      '0000_30_machine-api_01_configmap.yaml#0',
      '0000_30_machine-api_01_configmap.yaml#2',
      '0000_80_machine-config_01_clusteroperator.yaml#0',
    ]);
    assert.equal(payload.manifests[1].object.metadata?.annotations?.['release.openshift.io/create-only'], 'true');
  });

  it('applies the exclusion identifier', () => {
    const payload = payloadFromFiles(files(), { digest: 'sha256:x', pullSpec: 'test' }, { excludeIdentifier: 'internal-openshift-hosted' });
    assert.ok(!payload.manifests.some((m) => m.object.metadata?.name === 'excluded-by-id'));
  });

  it('refuses a payload without release-metadata, naming the file', () => {
    const err = payloadError(() => payloadFromFiles(files().filter((f) => !f.path.endsWith('release-metadata')), { digest: 'sha256:x', pullSpec: 'test' }));
    assert.equal(err.file, 'release-manifests/release-metadata');
  });

  it('gives the same digest whatever the file order, and another one when a byte changes', () => {
    const base = payloadDigest(files());
    assert.equal(payloadDigest(files().reverse()), base);
    assert.match(base, /^sha256:[0-9a-f]{64}$/);
    const changed = files().map((f) => (f.path.endsWith('release-metadata') ? { ...f, data: Buffer.from(releaseMetadata('4.16.2', ['4.16.0'])) } : f));
    assert.notEqual(payloadDigest(changed), base);
  });

  it('ignores files outside release-manifests/ and manifests/ in the digest', () => {
    assert.equal(payloadDigest([...files(), { path: 'etc/other', data: Buffer.from('x') }]), payloadDigest(files()));
  });
});
