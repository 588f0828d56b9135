import assert from 'node:assert/strict';
import { parseBootImages } from './boot-images.ts';

const NS = 'openshift-machine-config-operator';
const WHERE = `ConfigMap ${NS}/coreos-bootimages`;

const STREAM = {
  stream: 'rhcos-4.2',
  metadata: { 'last-modified': '2026-08-01T00:00:00Z' },
  architectures: {
    x86_64: {
      artifacts: { qemu: {} },
      images: {
        aws: { regions: { 'us-east-1': { release: '42.94.1', image: 'ami-0123456789abcdef0' }, 'eu-west-1': { release: '42.94.1', image: 'ami-0fedcba9876543210' } } },
        gcp: { release: '42.94.1', project: 'rhcos-cloud', name: 'rhcos-42-94-1-gcp-x86-64' },
        azure: { release: '42.94.1', publisher: 'azureopenshift', offer: 'aro4', sku: 'aro_42', version: '42.94.1' },
        local: { release: '42.94.1', image: 'rhcos-4.2.0-local' },
        ibmcloud: { release: '42.94.1', regions: {} },
      },
    },
    aarch64: { images: { aws: { regions: { 'us-east-1': { release: '42.94.1', image: 'ami-0aaaaaaaaaaaaaaaa' } } } } },
  },
};

const configMap = (data: Record<string, string>) => ({ metadata: { name: 'coreos-bootimages', namespace: NS }, data });

describe('parseBootImages', () => {
  it('reads the release and the aws, gcp, azure and local images of every architecture, ignoring other platforms', () => {
    const got = parseBootImages(configMap({ releaseVersion: '4.2.0', stream: JSON.stringify(STREAM) }), NS);
    assert.ok(got.ok);
    assert.equal(got.bootImages.releaseVersion, '4.2.0');
    assert.equal(got.bootImages.stream, 'rhcos-4.2');
    assert.deepEqual(got.bootImages.architectures.x86_64, {
      aws: { regions: { 'us-east-1': { release: '42.94.1', image: 'ami-0123456789abcdef0' }, 'eu-west-1': { release: '42.94.1', image: 'ami-0fedcba9876543210' } } },
      gcp: { release: '42.94.1', project: 'rhcos-cloud', name: 'rhcos-42-94-1-gcp-x86-64' },
      azure: { release: '42.94.1', publisher: 'azureopenshift', offer: 'aro4', sku: 'aro_42', version: '42.94.1' },
      local: { release: '42.94.1', image: 'rhcos-4.2.0-local' },
    });
    assert.deepEqual(Object.keys(got.bootImages.architectures.aarch64), ['aws']);
  });

  it('says the ConfigMap is missing apart from malformed', () => {
    assert.deepEqual(parseBootImages(undefined, NS), { ok: false, missing: true, message: `${WHERE} not found: the release payload has not been applied yet` });
  });

  it('names the missing keys and a stream that is not JSON', () => {
    assert.deepEqual(parseBootImages(configMap({}), NS), { ok: false, missing: false, message: `${WHERE}: data.releaseVersion: required; data.stream: required` });
    const got = parseBootImages(configMap({ releaseVersion: 'four', stream: '{"stream":' }), NS);
    assert.equal(got.ok, false);
    assert.match(!got.ok ? got.message : '', /^ConfigMap openshift-machine-config-operator\/coreos-bootimages: data.releaseVersion: "four" is not a semantic version; data.stream: not JSON: /);
  });

  it('names every malformed entry of the stream by its path', () => {
    const stream = {
      architectures: {
        x86_64: {
          images: {
            aws: { regions: { 'us-east-1': { release: '42.94.1' } } },
            gcp: { release: '42.94.1', name: 'rhcos' },
            azure: 'aro4',
            local: { release: '42.94.1', image: '' },
          },
        },
        s390x: {},
      },
    };
    const got = parseBootImages(configMap({ releaseVersion: '4.2.0', stream: JSON.stringify(stream) }), NS);
    assert.deepEqual(got, {
      ok: false,
      missing: false,
      message: `${WHERE}: data.stream: architectures.x86_64.images.aws.regions.us-east-1.image: required; `
        + 'data.stream: architectures.x86_64.images.gcp.project: required; '
        + 'data.stream: architectures.x86_64.images.azure: must be an object; '
        + 'data.stream: architectures.x86_64.images.local.image: "" must be a non-empty string; '
        + 'data.stream: architectures.s390x.images: required',
    });
    assert.deepEqual(parseBootImages(configMap({ releaseVersion: '4.2.0', stream: '{"architectures":{}}' }), NS), {
      ok: false, missing: false, message: `${WHERE}: data.stream: architectures: must list at least one architecture`,
    });
  });
});
