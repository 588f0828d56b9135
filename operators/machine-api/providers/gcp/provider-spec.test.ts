import assert from 'node:assert/strict';
import { TerminalError } from '../../../runtime/errors.ts';
import { parseGcpProviderSpec } from './provider-spec.ts';

/** What openshift-install writes for a worker MachineSet (zero values included). */
function installerSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'machine.openshift.io/v1beta1',
    kind: 'GCPMachineProviderSpec',
    metadata: { creationTimestamp: null },
    canIPForward: false,
    credentialsSecret: { name: 'gcp-cloud-credentials' },
    deletionProtection: false,
    disks: [{ autoDelete: true, boot: true, image: 'projects/rhcos-cloud/global/images/rhcos-9', labels: null, sizeGb: 128, type: 'pd-ssd' }],
    machineType: 'n2-standard-4',
    networkInterfaces: [{ network: 'c-network', subnetwork: 'c-worker-subnet' }],
    projectID: 'my-project',
    region: 'us-central1',
    serviceAccounts: [{ email: 'c-w@my-project.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] }],
    tags: ['c-worker'],
    userDataSecret: { name: 'worker-user-data' },
    zone: 'us-central1-a',
    ...overrides,
  };
}

function parseError(value: unknown): string {
  try {
    parseGcpProviderSpec(value);
  } catch (err) {
    assert.ok(err instanceof TerminalError);
    assert.equal(err.reason, 'InvalidConfiguration');
    return err.message;
  }
  assert.fail('expected a TerminalError');
}

describe('GCPMachineProviderSpec parsing', function () {
  it('reads an installer-written worker spec, with Go zero values as unset', function () {
    const spec = parseGcpProviderSpec(installerSpec());
    assert.deepEqual(spec, {
      machineType: 'n2-standard-4',
      region: 'us-central1',
      zone: 'us-central1-a',
      projectID: 'my-project',
      disks: [{ autoDelete: true, boot: true, sizeGb: 128, type: 'pd-ssd', image: 'projects/rhcos-cloud/global/images/rhcos-9', labels: {} }],
      networkInterfaces: [{ network: 'c-network', subnetwork: 'c-worker-subnet', publicIP: false }],
      serviceAccounts: [{ email: 'c-w@my-project.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] }],
      tags: ['c-worker'],
      labels: {},
      metadata: [],
      userDataSecret: 'worker-user-data',
      credentialsSecret: 'gcp-cloud-credentials',
      preemptible: false,
      gpus: [],
      shieldedInstanceConfig: {},
      canIPForward: false,
      deletionProtection: false,
    });
  });

  it('accepts the legacy gcpprovider.openshift.io group and every optional field', function () {
    const spec = parseGcpProviderSpec(installerSpec({
      apiVersion: 'gcpprovider.openshift.io/v1beta1',
      machineType: 'n1-standard-4',
      projectID: '',
      gpus: [{ count: 2, type: 'nvidia-tesla-t4' }],
      onHostMaintenance: 'Terminate',
      restartPolicy: 'Never',
      provisioningModel: 'Spot',
      shieldedInstanceConfig: { secureBoot: 'Enabled', virtualizedTrustedPlatformModule: 'Enabled', integrityMonitoring: 'Enabled' },
      confidentialCompute: 'Disabled',
      labels: { team: 'ml' },
      gcpMetadata: [{ key: 'serial-port-enable', value: 'true' }, { key: 'flag', value: null }],
      disks: [{ autoDelete: true, boot: true, image: 'rhcos', sizeGb: 0, encryptionKey: { kmsKey: { name: 'k', keyRing: 'r', location: 'global' }, kmsKeyServiceAccount: 'kms@p.iam.gserviceaccount.com' } }],
      networkInterfaces: [{ network: 'n', subnetwork: 's', projectID: 'host-project', publicIP: true }],
      targetPools: [],
    }));
    assert.equal(spec.projectID, undefined);
    assert.deepEqual(spec.gpus, [{ count: 2, type: 'nvidia-tesla-t4' }]);
    assert.deepEqual(spec.disks[0], { autoDelete: true, boot: true, image: 'rhcos', labels: {}, encryptionKey: { kmsKey: { name: 'k', keyRing: 'r', location: 'global' }, kmsKeyServiceAccount: 'kms@p.iam.gserviceaccount.com' } });
    assert.deepEqual(spec.metadata, [{ key: 'serial-port-enable', value: 'true' }, { key: 'flag', value: null }]);
    assert.deepEqual(spec.networkInterfaces, [{ network: 'n', subnetwork: 's', projectID: 'host-project', publicIP: true }]);
    assert.equal(spec.provisioningModel, 'Spot');
  });

  const invalid: ReadonlyArray<{ name: string; overrides: Record<string, unknown>; message: string }> = [
    { name: 'an unknown field', overrides: { machineTyp: 'n2-standard-4' }, message: 'unknown field "spec.providerSpec.value.machineTyp"' },
    { name: 'an unknown field in a disk', overrides: { disks: [{ boot: true, image: 'i', sizeGB: 10 }] }, message: 'unknown field "spec.providerSpec.value.disks[0].sizeGB"' },
    { name: 'a zone outside the region', overrides: { zone: 'us-east1-b' }, message: 'spec.providerSpec.value.zone: Invalid value: "us-east1-b": zone not in configured region (us-central1)' },
    { name: 'a missing machine type', overrides: { machineType: '' }, message: 'spec.providerSpec.value.machineType: Required value: machineType should be set to one of the supported GCP machine types' },
    { name: 'GPUs without onHostMaintenance Terminate', overrides: { machineType: 'n1-standard-4', gpus: [{ count: 1, type: 'nvidia-tesla-t4' }], onHostMaintenance: 'Migrate' }, message: 'spec.providerSpec.value.onHostMaintenance: Invalid value: "Migrate": must be Terminate for an instance with GPUs' },
    { name: 'an A2 machine type that would live-migrate', overrides: { machineType: 'a2-highgpu-1g' }, message: 'spec.providerSpec.value.onHostMaintenance: Required value: must be Terminate for an instance with GPUs' },
    { name: 'GPUs on a family without accelerators', overrides: { machineType: 'n2-standard-4', gpus: [{ count: 1, type: 'nvidia-tesla-t4' }], onHostMaintenance: 'Terminate' }, message: 'spec.providerSpec.value.gpus: Forbidden: machine type n2-standard-4 does not support accelerators; only the N1 family takes guest accelerators' },
    { name: 'an unsupported GPU type', overrides: { machineType: 'n1-standard-4', gpus: [{ count: 1, type: 'nvidia-rtx-9090' }], onHostMaintenance: 'Terminate' }, message: 'spec.providerSpec.value.gpus[0].type: Unsupported value: "nvidia-rtx-9090": supported values: "nvidia-tesla-k80", "nvidia-tesla-p100", "nvidia-tesla-v100", "nvidia-tesla-a100", "nvidia-tesla-p4", "nvidia-tesla-t4", "nvidia-a100-80gb", "nvidia-h100-mega-80gb", "nvidia-h100-80gb"' },
    { name: 'preemptible with the Spot model', overrides: { preemptible: true, provisioningModel: 'Spot' }, message: 'spec.providerSpec.value.provisioningModel: Invalid value: "Spot": preemptible cannot be used together with \'Spot\' provisioning model' },
    { name: 'an unknown provisioning model', overrides: { provisioningModel: 'Reserved' }, message: 'spec.providerSpec.value.provisioningModel: Unsupported value: "Reserved": supported values: "Spot"' },
    { name: 'restartPolicy Always on a preemptible instance', overrides: { preemptible: true, restartPolicy: 'Always' }, message: 'spec.providerSpec.value.restartPolicy: Invalid value: "Always": preemptible/spot instances cannot be automatically restarted' },
    { name: 'confidential compute that would live-migrate', overrides: { confidentialCompute: 'AMDEncryptedVirtualization' }, message: 'spec.providerSpec.value.onHostMaintenance: Required value: must be Terminate when confidentialCompute is AMDEncryptedVirtualization' },
    { name: 'integrity monitoring without a vTPM', overrides: { shieldedInstanceConfig: { virtualizedTrustedPlatformModule: 'Disabled' } }, message: 'spec.providerSpec.value.shieldedInstanceConfig.virtualizedTrustedPlatformModule: Invalid value: "Disabled": must be Enabled while integrityMonitoring is enabled (it is by default)' },
    { name: 'a boot disk without an image', overrides: { disks: [{ boot: true, autoDelete: true, sizeGb: 100 }] }, message: 'spec.providerSpec.value.disks[0].image: Required value: boot disk must specify an image' },
    { name: 'no boot disk', overrides: { disks: [{ boot: false, image: 'i' }] }, message: 'spec.providerSpec.value.disks: Invalid value: 0 boot disks: exactly one disk must have boot: true' },
    { name: 'a disk too small', overrides: { disks: [{ boot: true, image: 'i', sizeGb: 10 }] }, message: 'spec.providerSpec.value.disks[0].sizeGb: Invalid value: 10: must be between 16 and 65536 GB' },
    { name: 'no network interface', overrides: { networkInterfaces: [] }, message: 'spec.providerSpec.value.networkInterfaces: Required value: at least 1 network interface is required' },
    { name: 'a network interface without a subnetwork', overrides: { networkInterfaces: [{ network: 'n' }] }, message: 'spec.providerSpec.value.networkInterfaces[0].subnetwork: Required value: subnetwork is required' },
    { name: 'two service accounts', overrides: { serviceAccounts: [{ email: 'a@p', scopes: ['s'] }, { email: 'b@p', scopes: ['s'] }] }, message: 'spec.providerSpec.value.serviceAccounts: Invalid value: "2 service accounts supplied": exactly 1 service account must be supplied' },
    { name: 'a label GCE would refuse', overrides: { labels: { Team: 'x' } }, message: 'spec.providerSpec.value.labels: Invalid value: "Team": a label key must start with a lowercase letter and have at most 63 lowercase letters, digits, \'_\' or \'-\'' },
    { name: 'a network tag GCE would refuse', overrides: { tags: ['Worker_Tag'] }, message: 'spec.providerSpec.value.tags[0]: Invalid value: "Worker_Tag": must match ^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$' },
    { name: 'no credentials Secret', overrides: { credentialsSecret: undefined }, message: 'spec.providerSpec.value.credentialsSecret: Required value: credentialsSecret must be provided' },
    { name: 'target pools', overrides: { targetPools: ['pool'] }, message: 'spec.providerSpec.value.targetPools: Forbidden: target pool registration is not supported by this provider' },
    { name: 'a wrong kind', overrides: { kind: 'AWSMachineProviderConfig' }, message: 'spec.providerSpec.value.kind: Unsupported value: "AWSMachineProviderConfig": supported values: "GCPMachineProviderSpec"' },
  ];
  for (const { name, overrides, message } of invalid) {
    it(`rejects ${name} with a message naming the field`, function () {
      assert.equal(parseError(installerSpec(overrides)), message);
    });
  }

  it('reports every problem at once, in brackets', function () {
    assert.equal(
      parseError(installerSpec({ region: '', zone: 'us-central1-a', canIPForward: 'yes', disks: [] })),
      '[spec.providerSpec.value.region: Required value: region is required, spec.providerSpec.value.disks: Required value: at least 1 disk is required, spec.providerSpec.value.canIPForward: Invalid value: "yes": must be a boolean]',
    );
  });
});
