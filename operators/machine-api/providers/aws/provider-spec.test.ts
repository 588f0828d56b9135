import assert from 'node:assert/strict';
import { TerminalError } from '../../../runtime/errors.ts';
import { parseAwsProviderSpec } from './provider-spec.ts';
import { runInstancesInput } from './launch.ts';

// What openshift-install writes for a worker MachineSet (zero values included).
const INSTALLER_SPEC = {
  apiVersion: 'machine.openshift.io/v1beta1',
  kind: 'AWSMachineProviderConfig',
  metadata: { creationTimestamp: null },
  ami: { id: 'ami-0a1b2c3d4e5f67890' },
  instanceType: 'm6i.xlarge',
  placement: { availabilityZone: 'us-east-1a', region: 'us-east-1' },
  subnet: { filters: [{ name: 'tag:Name', values: ['mycluster-abcde-private-us-east-1a'] }] },
  securityGroups: [{ filters: [{ name: 'tag:Name', values: ['mycluster-abcde-worker-sg'] }] }],
  blockDevices: [{ ebs: { encrypted: true, iops: 0, kmsKey: { arn: '' }, volumeSize: 120, volumeType: 'gp3' } }],
  credentialsSecret: { name: 'aws-cloud-credentials' },
  userDataSecret: { name: 'worker-user-data' },
  iamInstanceProfile: { id: 'mycluster-abcde-worker-profile' },
  deviceIndex: 0,
  capacityReservationId: '',
  metadataServiceOptions: {},
  tags: [{ name: 'kubernetes.io/cluster/mycluster-abcde', value: 'owned' }],
};

function parseError(value: unknown): string {
  try {
    parseAwsProviderSpec(value);
  } catch (err) {
    assert.ok(err instanceof TerminalError);
    assert.equal(err.reason, 'InvalidConfiguration');
    return err.message;
  }
  assert.fail('expected a TerminalError');
}

describe('AWS providerSpec', function () {
  it('accepts what the installer writes, zero values read as unset', function () {
    const spec = parseAwsProviderSpec(INSTALLER_SPEC);
    assert.equal(spec.amiId, 'ami-0a1b2c3d4e5f67890');
    assert.equal(spec.region, 'us-east-1');
    assert.deepEqual(spec.blockDevices, [{ ebs: { volumeSize: 120, volumeType: 'gp3', encrypted: true } }]);
    assert.deepEqual(spec.iamInstanceProfile, { name: 'mycluster-abcde-worker-profile' });
    assert.equal(spec.capacityReservationId, undefined);
    assert.equal(spec.metadataServiceAuthentication, undefined);
    assert.equal(spec.marketType, 'OnDemand');
  });

  it('accepts the apiVersion older installers wrote', function () {
    assert.equal(parseAwsProviderSpec({ ...INSTALLER_SPEC, apiVersion: 'awsproviderconfig.openshift.io/v1beta1' }).instanceType, 'm6i.xlarge');
  });

  const invalid: ReadonlyArray<{ name: string; value: unknown; message: string }> = [
    { name: 'an unknown top-level field', value: { ...INSTALLER_SPEC, instanceTyp: 'x' }, message: 'unknown field "spec.providerSpec.value.instanceTyp"' },
    { name: 'an unknown nested field', value: { ...INSTALLER_SPEC, placement: { region: 'us-east-1', zone: 'a' } }, message: 'unknown field "spec.providerSpec.value.placement.zone"' },
    { name: 'a missing instance type', value: { ...INSTALLER_SPEC, instanceType: '' }, message: 'spec.providerSpec.value.instanceType: Required value' },
    { name: 'a missing region', value: { ...INSTALLER_SPEC, placement: {} }, message: 'spec.providerSpec.value.placement.region: Required value' },
    { name: 'an AMI by filters', value: { ...INSTALLER_SPEC, ami: { filters: [{ name: 'name', values: ['rhcos*'] }] } }, message: 'spec.providerSpec.value.ami: Unsupported value: only ami.id is supported (the Machine API webhook rejects arn and filters too)' },
    { name: 'a reference with both id and filters', value: { ...INSTALLER_SPEC, subnet: { id: 'subnet-1', filters: [{ name: 'tag:Name', values: ['x'] }] } }, message: 'spec.providerSpec.value.subnet: Invalid value: only one of id, arn or filters may be set' },
    { name: 'a mistyped volume size', value: { ...INSTALLER_SPEC, blockDevices: [{ ebs: { volumeSize: '120' } }] }, message: 'spec.providerSpec.value.blockDevices[0].ebs.volumeSize: Invalid value: "120": must be an integer' },
    { name: 'two root devices', value: { ...INSTALLER_SPEC, blockDevices: [{ ebs: {} }, { ebs: {} }] }, message: 'spec.providerSpec.value.blockDevices: Invalid value: only one block device may omit deviceName (the root device)' },
    { name: 'an unknown tenancy', value: { ...INSTALLER_SPEC, placement: { region: 'us-east-1', tenancy: 'shared' } }, message: 'spec.providerSpec.value.placement.tenancy: Unsupported value: "shared": supported values: "default", "dedicated", "host"' },
    { name: 'a bad IMDS setting', value: { ...INSTALLER_SPEC, metadataServiceOptions: { authentication: 'required' } }, message: 'spec.providerSpec.value.metadataServiceOptions.authentication: Unsupported value: "required": supported values: "Required", "Optional"' },
    { name: 'a bad capacity reservation', value: { ...INSTALLER_SPEC, capacityReservationId: 'cr-1' }, message: 'spec.providerSpec.value.capacityReservationId: Invalid value: "cr-1": must match ^cr-[0-9a-f]{17}$' },
    { name: 'a wrong kind', value: { ...INSTALLER_SPEC, kind: 'GCPMachineProviderSpec' }, message: 'spec.providerSpec.value.kind: Unsupported value: "GCPMachineProviderSpec": supported values: "AWSMachineProviderConfig"' },
    { name: 'load balancers', value: { ...INSTALLER_SPEC, loadBalancers: [{ name: 'api', type: 'network' }] }, message: 'spec.providerSpec.value.loadBalancers: Forbidden: load balancer registration is not supported by this provider' },
    { name: 'no providerSpec', value: undefined, message: 'spec.providerSpec.value: Required value' },
  ];
  for (const { name, value, message } of invalid) {
    it(`rejects ${name} naming the field`, function () {
      assert.equal(parseError(value), message);
    });
  }

  it('reports every bad field at once', function () {
    assert.equal(
      parseError({ ...INSTALLER_SPEC, instanceType: 5, publicIp: 'yes' }),
      '[spec.providerSpec.value.instanceType: Invalid value: 5: must be a string, spec.providerSpec.value.publicIp: Invalid value: "yes": must be a boolean]',
    );
  });
});

describe('RunInstances request', function () {
  const ctx = { machineName: 'w-1', uid: '0f6c1a2b-0000-4000-8000-000000000001', clusterID: 'mycluster-abcde', subnetId: 'subnet-1', securityGroupIds: ['sg-1'], rootDeviceName: '/dev/xvda', userData: Buffer.from('ign') };

  it('carries the ClientToken, ownership tags on instance and volumes, user data and the root volume', function () {
    const input = runInstancesInput(parseAwsProviderSpec(INSTALLER_SPEC), ctx);
    assert.equal(input.ClientToken, ctx.uid);
    assert.equal(input.UserData, Buffer.from('ign').toString('base64'));
    assert.deepEqual(input.IamInstanceProfile, { Name: 'mycluster-abcde-worker-profile' });
    assert.deepEqual(input.BlockDeviceMappings, [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: true, VolumeSize: 120, VolumeType: 'gp3', Encrypted: true } }]);
    assert.equal(input.SubnetId, 'subnet-1');
    assert.deepEqual(input.SecurityGroupIds, ['sg-1']);
    const tags = [{ Key: 'kubernetes.io/cluster/mycluster-abcde', Value: 'owned' }, { Key: 'Name', Value: 'w-1' }, { Key: 'machine.openshift.io/machine-uid', Value: ctx.uid }];
    assert.deepEqual(input.TagSpecifications, [{ ResourceType: 'instance', Tags: tags }, { ResourceType: 'volume', Tags: tags }]);
  });

  it('launches spot, public-IP and IMDSv2 instances as MAO does', function () {
    const input = runInstancesInput(parseAwsProviderSpec({ ...INSTALLER_SPEC, spotMarketOptions: { maxPrice: '0.12' }, publicIp: true, metadataServiceOptions: { authentication: 'Required' } }), ctx);
    assert.deepEqual(input.InstanceMarketOptions, { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate', MaxPrice: '0.12' } });
    assert.deepEqual(input.NetworkInterfaces, [{ DeviceIndex: 0, DeleteOnTermination: true, SubnetId: 'subnet-1', Groups: ['sg-1'], AssociatePublicIpAddress: true }]);
    assert.equal(input.SubnetId, undefined);
    assert.deepEqual(input.MetadataOptions, { HttpEndpoint: 'enabled', HttpTokens: 'required' });
  });
});
