import assert from 'node:assert/strict';
import type { BootImages } from '../boot-images.ts';
import { readBootImage, streamArchitectureOf, withBootImage } from './boot-image.ts';

const P = 'spec.template.spec.providerSpec.value';

const IMAGES: BootImages = {
  releaseVersion: '4.2.0',
  stream: 'rhcos-4.2',
  architectures: {
    x86_64: {
      aws: { regions: { 'us-east-1': { release: '42.94.1', image: 'ami-0123456789abcdef0' }, 'eu-west-1': { release: '42.94.1', image: 'ami-0fedcba9876543210' } } },
      gcp: { release: '42.94.1', project: 'rhcos-cloud', name: 'rhcos-42-94-1' },
      azure: { release: '42.94.1', publisher: 'azureopenshift', offer: 'aro4', sku: 'aro_42', version: '42.94.1' },
      local: { release: '42.94.1', image: 'rhcos-4.2.0-local' },
    },
    aarch64: { aws: { regions: { 'us-east-1': { release: '42.94.1', image: 'ami-0aaaaaaaaaaaaaaaa' } } } },
  },
};

const aws = {
  apiVersion: 'machine.openshift.io/v1beta1', kind: 'AWSMachineProviderConfig', metadata: { creationTimestamp: null },
  ami: { id: 'ami-0old' }, instanceType: 'm6i.xlarge', placement: { region: 'us-east-1', availabilityZone: 'us-east-1a' },
  tags: [{ name: 'kubernetes.io/cluster/c', value: 'owned' }], userDataSecret: { name: 'worker-user-data' },
};
const gcp = {
  apiVersion: 'machine.openshift.io/v1beta1', kind: 'GCPMachineProviderSpec', machineType: 'n2-standard-4', region: 'us-central1', zone: 'us-central1-a',
  disks: [
    { autoDelete: true, boot: false, sizeGb: 100, type: 'pd-ssd' },
    { autoDelete: true, boot: true, sizeGb: 128, type: 'pd-ssd', image: 'https://www.googleapis.com/compute/v1/projects/rhcos-cloud/global/images/rhcos-41' },
  ],
};
const azure = {
  apiVersion: 'machine.openshift.io/v1beta1', kind: 'AzureMachineProviderSpec', location: 'eastus', vmSize: 'Standard_D4s_v3',
  image: { offer: '', publisher: '', resourceID: '/resourceGroups/c-rg/providers/Microsoft.Compute/galleries/g/images/c-gen2/versions/latest', sku: '', version: '' },
  osDisk: { osType: 'Linux', diskSizeGB: 128, managedDisk: { storageAccountType: 'Premium_LRS' } },
};
const local = { apiVersion: 'machine.openshift.io/v1beta1', kind: 'LocalMachineProviderSpec', instanceType: 'local.small', zone: 'local-a', bootDelaySeconds: 0 };

describe('readBootImage', () => {
  it('reads each provider\'s boot image in its canonical form', () => {
    assert.deepEqual(readBootImage(aws), { ok: true, value: 'ami-0old' });
    assert.deepEqual(readBootImage(gcp), { ok: true, value: 'projects/rhcos-cloud/global/images/rhcos-41' }, 'the URL prefix is dropped');
    assert.deepEqual(readBootImage(azure), { ok: true, value: azure.image.resourceID });
    assert.deepEqual(readBootImage({ ...azure, image: { publisher: 'p', offer: 'o', sku: 's', version: '1', resourceID: '' } }), { ok: true, value: 'p:o:s:1' });
    assert.deepEqual(readBootImage({ ...local, image: 'rhcos-4.1.0-local' }), { ok: true, value: 'rhcos-4.1.0-local' });
  });

  it('answers undefined for a spec that names no boot image (the local cloud\'s default)', () => {
    assert.deepEqual(readBootImage(local), { ok: true, value: undefined });
    assert.deepEqual(readBootImage({ ...gcp, disks: [] }), { ok: true, value: undefined });
  });

  it('names the kind field of a provider it does not know, and a missing value', () => {
    assert.deepEqual(readBootImage({ kind: 'VSphereMachineProviderSpec' }), {
      ok: false,
      message: `${P}.kind: Unsupported value: "VSphereMachineProviderSpec": the boot image can be replaced only for "AWSMachineProviderConfig", "GCPMachineProviderSpec", "AzureMachineProviderSpec", "LocalMachineProviderSpec"`,
    });
    assert.deepEqual(readBootImage({}, 'spec.providerSpec.value'), {
      ok: false,
      message: 'spec.providerSpec.value.kind: Unsupported value: absent: the boot image can be replaced only for "AWSMachineProviderConfig", "GCPMachineProviderSpec", "AzureMachineProviderSpec", "LocalMachineProviderSpec"',
    });
    assert.deepEqual(readBootImage(undefined), { ok: false, message: `${P}: Required value` });
  });
});

describe('withBootImage', () => {
  it('sets the AMI of the placement region and keeps every other field as written', () => {
    const got = withBootImage({ ...aws, ami: { arn: 'arn:aws:ec2:…' } }, IMAGES, 'x86_64');
    assert.deepEqual(got, { ok: true, value: { image: 'ami-0123456789abcdef0', field: `${P}.ami.id`, value: { ...aws, ami: { id: 'ami-0123456789abcdef0' } } } });
    const eu = { ...aws, placement: { region: 'eu-west-1' } };
    assert.deepEqual(withBootImage(eu, IMAGES, 'x86_64'), { ok: true, value: { image: 'ami-0fedcba9876543210', field: `${P}.ami.id`, value: { ...eu, ami: { id: 'ami-0fedcba9876543210' } } } });
    const arm = withBootImage(aws, IMAGES, 'aarch64');
    assert.equal(arm.ok && arm.value.image, 'ami-0aaaaaaaaaaaaaaaa', 'the architecture\'s own AMI');
  });

  it('names placement.region when it is missing or the stream has no AMI for it', () => {
    assert.deepEqual(withBootImage({ ...aws, placement: {} }, IMAGES, 'x86_64'), { ok: false, message: `${P}.placement.region: Required value: the boot image (AMI) is chosen by region` });
    assert.deepEqual(withBootImage({ ...aws, placement: { region: 'ap-south-2' } }, IMAGES, 'x86_64'), {
      ok: false,
      message: `${P}.placement.region: Unsupported value: "ap-south-2": coreos-bootimages data.stream: architectures.x86_64.images.aws.regions has no AMI for it (regions: "eu-west-1", "us-east-1")`,
    });
  });

  it('sets the GCP boot disk\'s image as a project image path, leaving the other disks alone', () => {
    const got = withBootImage(gcp, IMAGES, 'x86_64');
    assert.ok(got.ok);
    assert.equal(got.value.image, 'projects/rhcos-cloud/global/images/rhcos-42-94-1');
    assert.equal(got.value.field, `${P}.disks[1].image`);
    assert.deepEqual(got.value.value, { ...gcp, disks: [gcp.disks[0], { ...gcp.disks[1], image: 'projects/rhcos-cloud/global/images/rhcos-42-94-1' }] });
    assert.deepEqual(readBootImage(got.value.value), { ok: true, value: got.value.image });
    assert.deepEqual(withBootImage({ ...gcp, disks: [gcp.disks[0]] }, IMAGES, 'x86_64'), { ok: false, message: `${P}.disks: Required value: no disk with boot: true to set the boot image on` });
  });

  it('replaces an Azure resource ID with the stream\'s marketplace image', () => {
    const got = withBootImage(azure, IMAGES, 'x86_64');
    assert.ok(got.ok);
    assert.equal(got.value.image, 'azureopenshift:aro4:aro_42:42.94.1');
    assert.deepEqual(got.value.value, {
      ...azure,
      image: { publisher: 'azureopenshift', offer: 'aro4', sku: 'aro_42', version: '42.94.1', resourceID: '', type: 'MarketplaceNoPlan' },
    });
    assert.deepEqual(readBootImage(got.value.value), { ok: true, value: got.value.image });
  });

  it('adds the local image field', () => {
    const got = withBootImage(local, IMAGES, 'x86_64');
    assert.deepEqual(got, { ok: true, value: { image: 'rhcos-4.2.0-local', field: `${P}.image`, value: { ...local, image: 'rhcos-4.2.0-local' } } });
  });

  it('says which stream entry is missing for the provider and architecture', () => {
    assert.deepEqual(withBootImage(gcp, IMAGES, 'aarch64'), {
      ok: false,
      message: 'coreos-bootimages data.stream: architectures.aarch64.images.gcp: Required value: GCPMachineProviderSpec Machines (aarch64) need a gcp boot image in release 4.2.0',
    });
    assert.equal(withBootImage({ kind: 'Other' }, IMAGES, 'x86_64').ok, false);
  });
});

describe('streamArchitectureOf', () => {
  it('maps the MachineSet\'s kubernetes.io/arch to the stream\'s architecture name, x86_64 by default', () => {
    assert.equal(streamArchitectureOf({ 'capacity.cluster-autoscaler.kubernetes.io/labels': 'kubernetes.io/arch=arm64,foo=bar' }), 'aarch64');
    assert.equal(streamArchitectureOf({ 'capacity.cluster-autoscaler.kubernetes.io/labels': 'kubernetes.io/arch=amd64' }), 'x86_64');
    assert.equal(streamArchitectureOf(undefined), 'x86_64');
  });
});
