import assert from 'node:assert/strict';
import { expectedNodeInfo, nodeInfoMatches, parseOsTarget, renderMachineConfig, type OsTarget } from './target.ts';

const NS = 'openshift-machine-config-operator';
const IMAGE = 'quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:' + 'c'.repeat(64);
const DATA = {
  releaseVersion: '4.2.0',
  baseOSContainerImage: IMAGE,
  baseOSExtensionsContainerImage: 'quay.io/x@sha256:' + 'd'.repeat(64),
  osImageName: 'Red Hat Enterprise Linux CoreOS 4.2.0',
  kubeletVersion: 'v1.33.0',
  containerRuntimeVersion: 'cri-o://1.33.0',
};
const pool = { metadata: { name: 'worker', uid: 'pool-uid' } };

describe('parseOsTarget', () => {
  it('reads the release, the OS image by digest and what nodes booted into it report', () => {
    assert.deepEqual(parseOsTarget({ data: DATA }, NS), {
      ok: true,
      target: {
        releaseVersion: '4.2.0', osImageURL: IMAGE, extensionsImage: DATA.baseOSExtensionsContainerImage,
        osImageName: 'Red Hat Enterprise Linux CoreOS 4.2.0', kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'cri-o://1.33.0',
      },
    });
  });

  it('says the ConfigMap is missing (install in progress) apart from malformed', () => {
    assert.deepEqual(parseOsTarget(undefined, NS), {
      ok: false, missing: true,
      message: 'ConfigMap openshift-machine-config-operator/machine-config-osimageurl not found: the release payload has not been applied yet',
    });
  });

  it('names every missing or malformed key', () => {
    const got = parseOsTarget({ data: { ...DATA, releaseVersion: '4.2', baseOSContainerImage: 'quay.io/rhcos:latest', kubeletVersion: '1.33', osImageName: '' } }, NS);
    assert.deepEqual(got, {
      ok: false, missing: false,
      message: 'ConfigMap openshift-machine-config-operator/machine-config-osimageurl: data.osImageName: required; '
        + 'data.releaseVersion: "4.2" is not a semantic version; '
        + 'data.baseOSContainerImage: "quay.io/rhcos:latest" is not pinned by digest (want <repository>@sha256:<64 hex>); '
        + 'data.kubeletVersion: "1.33" is not a kubelet version such as "v1.32.0"',
    });
  });
});

describe('renderMachineConfig', () => {
  const target = (parseOsTarget({ data: DATA }, NS) as { target: OsTarget }).target;

  it('renders an OS-only config owned by the pool, named after what it holds', () => {
    const mc = renderMachineConfig(pool, target, 'v0.1.0');
    assert.match(mc.metadata?.name ?? '', /^rendered-worker-[0-9a-f]{32}$/);
    assert.deepEqual(mc.spec, {
      config: { ignition: { version: '3.4.0' } }, osImageURL: IMAGE, baseOSExtensionsContainerImage: DATA.baseOSExtensionsContainerImage,
      kernelArguments: [], extensions: [], fips: false, kernelType: 'default',
    });
    assert.deepEqual(mc.metadata?.annotations, {
      'machineconfiguration.openshift.io/release-image-version': '4.2.0',
      'machine-fleet.io/os-image-name': 'Red Hat Enterprise Linux CoreOS 4.2.0',
      'machine-fleet.io/kubelet-version': 'v1.33.0',
      'machine-fleet.io/container-runtime-version': 'cri-o://1.33.0',
      'machineconfiguration.openshift.io/generated-by-controller-version': 'v0.1.0',
    });
    assert.deepEqual(mc.metadata?.ownerReferences, [{
      apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfigPool', name: 'worker', uid: 'pool-uid', controller: true, blockOwnerDeletion: true,
    }]);
  });

  it('gives the same release the same name whatever the operator version, and another release another name', () => {
    const a = renderMachineConfig(pool, target, 'v0.1.0').metadata?.name;
    assert.equal(renderMachineConfig(pool, target, 'v0.2.0').metadata?.name, a);
    assert.notEqual(renderMachineConfig(pool, { ...target, releaseVersion: '4.2.1' }, 'v0.1.0').metadata?.name, a);
    assert.equal(renderMachineConfig({ metadata: { name: 'infra' } }, target, 'v0.1.0').metadata?.name, a?.replace('worker', 'infra'));
  });

  it('tells what a node booted into the config reports', () => {
    const expected = expectedNodeInfo(renderMachineConfig(pool, target, 'v0.1.0'))!;
    assert.deepEqual(expected, { osImage: 'Red Hat Enterprise Linux CoreOS 4.2.0', kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'cri-o://1.33.0' });
    assert.equal(nodeInfoMatches({ osImage: expected.osImage, kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'cri-o://1.33.0' }, expected), true);
    assert.equal(nodeInfoMatches({ osImage: expected.osImage, kubeletVersion: 'v1.32.0', containerRuntimeVersion: 'cri-o://1.33.0' }, expected), false);
    assert.equal(expectedNodeInfo({ metadata: { name: '00-worker' } }), undefined);
  });
});
