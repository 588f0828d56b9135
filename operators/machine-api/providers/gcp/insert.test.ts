import assert from 'node:assert/strict';
import { instanceResource, requestId, sanitizeLabel } from './insert.ts';
import { parseGcpProviderSpec } from './provider-spec.ts';

const UID = '0d3c7f0e-5b7a-4a43-9d39-6b1f4c2a9e10';

function spec(overrides: Record<string, unknown> = {}) {
  return parseGcpProviderSpec({
    kind: 'GCPMachineProviderSpec', machineType: 'n1-standard-4', region: 'us-central1', zone: 'us-central1-b', credentialsSecret: { name: 'c' },
    disks: [{ autoDelete: true, boot: true, image: 'rhcos-9', sizeGb: 128, type: 'pd-ssd', labels: { tier: 'boot' } }],
    networkInterfaces: [{ network: 'net', subnetwork: 'sub' }],
    ...overrides,
  });
}

const ctx = { name: 'worker-b-x7k2p', uid: UID, clusterID: 'c-abc12', project: 'my-project' };

describe('instances.insert request', function () {
  it('derives a stable version-5 UUID per Machine, purpose and attempt', function () {
    const id = requestId(UID, 'insert');
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(requestId(UID, 'insert', 0), id);
    assert.equal(new Set([id, requestId(UID, 'delete'), requestId(UID, 'insert', 1), requestId('other-uid', 'insert')]).size, 4);
  });

  it('sanitizes label values to GCE syntax', function () {
    assert.equal(sanitizeLabel('Kubernetes.IO/Cluster_x'), 'kubernetes-io-cluster_x');
    assert.equal(sanitizeLabel('a'.repeat(70)).length, 63);
  });

  it('builds the instance as MAO does, with the ownership labels winning over the spec', function () {
    const resource = instanceResource(spec({ labels: { team: 'ml', 'machine-uid': 'spoofed' }, tags: ['w'], serviceAccounts: [{ email: 'sa@p.iam.gserviceaccount.com', scopes: ['s'] }] }), ctx);
    assert.deepEqual(resource, {
      name: 'worker-b-x7k2p',
      machineType: 'zones/us-central1-b/machineTypes/n1-standard-4',
      canIpForward: false,
      deletionProtection: false,
      labels: { team: 'ml', 'machine-uid': UID, 'kubernetes-io-cluster-c-abc12': 'owned' },
      tags: { items: ['w'] },
      scheduling: { preemptible: false },
      shieldedInstanceConfig: { enableSecureBoot: false, enableVtpm: true, enableIntegrityMonitoring: true },
      disks: [{
        autoDelete: true,
        boot: true,
        initializeParams: {
          diskSizeGb: 128,
          diskType: 'zones/us-central1-b/diskTypes/pd-ssd',
          sourceImage: 'projects/my-project/global/images/rhcos-9',
          labels: { tier: 'boot', 'kubernetes-io-cluster-c-abc12': 'owned' },
        },
      }],
      networkInterfaces: [{ network: 'projects/my-project/global/networks/net', subnetwork: 'projects/my-project/regions/us-central1/subnetworks/sub' }],
      serviceAccounts: [{ email: 'sa@p.iam.gserviceaccount.com', scopes: ['s'] }],
    });
  });

  it('maps GPUs, scheduling, shielded and confidential settings, KMS keys and a shared-VPC network', function () {
    const resource = instanceResource(spec({
      gpus: [{ count: 2, type: 'nvidia-tesla-t4' }],
      onHostMaintenance: 'Terminate',
      preemptible: true,
      shieldedInstanceConfig: { secureBoot: 'Enabled', integrityMonitoring: 'Disabled', virtualizedTrustedPlatformModule: 'Disabled' },
      confidentialCompute: 'AMDEncryptedVirtualizationNestedPaging',
      disks: [{ boot: true, image: 'projects/rhcos-cloud/global/images/rhcos-9', encryptionKey: { kmsKey: { name: 'k', keyRing: 'r', location: 'us' }, kmsKeyServiceAccount: 'kms@p.iam.gserviceaccount.com' } }],
      networkInterfaces: [{ network: 'net', subnetwork: 'sub', projectID: 'host-project', publicIP: true }],
    }), ctx);
    assert.deepEqual(resource.guestAccelerators, [{ acceleratorType: 'zones/us-central1-b/acceleratorTypes/nvidia-tesla-t4', acceleratorCount: 2 }]);
    assert.deepEqual(resource.scheduling, { preemptible: true, onHostMaintenance: 'TERMINATE', automaticRestart: false });
    assert.deepEqual(resource.shieldedInstanceConfig, { enableSecureBoot: true, enableVtpm: false, enableIntegrityMonitoring: false });
    assert.deepEqual(resource.confidentialInstanceConfig, { enableConfidentialCompute: true, confidentialInstanceType: 'SEV_SNP' });
    assert.deepEqual(resource.disks?.[0].diskEncryptionKey, { kmsKeyName: 'projects/my-project/locations/us/keyRings/r/cryptoKeys/k', kmsKeyServiceAccount: 'kms@p.iam.gserviceaccount.com' });
    assert.equal(resource.disks?.[0].initializeParams?.sourceImage, 'projects/rhcos-cloud/global/images/rhcos-9');
    assert.deepEqual(resource.networkInterfaces, [{
      network: 'projects/host-project/global/networks/net',
      subnetwork: 'projects/host-project/regions/us-central1/subnetworks/sub',
      accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }],
    }]);
  });

  it('puts user data first under user-data, and lets a gcpMetadata user-data replace it', function () {
    assert.deepEqual(instanceResource(spec({ gcpMetadata: [{ key: 'a', value: '1' }, { key: 'b', value: null }] }), { ...ctx, userData: 'ign' }).metadata, {
      items: [{ key: 'user-data', value: 'ign' }, { key: 'a', value: '1' }, { key: 'b' }],
    });
    assert.deepEqual(instanceResource(spec({ gcpMetadata: [{ key: 'user-data', value: 'mine' }] }), { ...ctx, userData: 'ign' }).metadata, { items: [{ key: 'user-data', value: 'mine' }] });
    assert.equal(instanceResource(spec(), ctx).metadata, undefined);
  });
});
