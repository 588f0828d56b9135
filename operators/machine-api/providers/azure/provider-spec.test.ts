import assert from 'node:assert/strict';
import { TerminalError } from '../../../runtime/errors.ts';
import { parseAzureProviderSpec, resolveAzureSpec } from './provider-spec.ts';
import { resourceNames, vmParameters } from './resources.ts';

// What openshift-install writes for a worker MachineSet on Azure (zero values included).
const INSTALLER_SPEC = {
  apiVersion: 'machine.openshift.io/v1beta1',
  kind: 'AzureMachineProviderSpec',
  metadata: { creationTimestamp: null },
  acceleratedNetworking: true,
  credentialsSecret: { name: 'azure-cloud-credentials', namespace: 'openshift-machine-api' },
  diagnostics: {},
  image: { offer: '', publisher: '', resourceID: '/resourceGroups/c-rg/providers/Microsoft.Compute/galleries/gallery_c/images/c-gen2/versions/latest', sku: '', version: '' },
  location: 'centralus',
  managedIdentity: 'c-identity',
  networkResourceGroup: 'c-rg',
  osDisk: { diskSettings: {}, diskSizeGB: 128, managedDisk: { securityProfile: { diskEncryptionSet: {} }, storageAccountType: 'Premium_LRS' }, osType: 'Linux' },
  publicIP: false,
  publicLoadBalancer: 'c',
  resourceGroup: 'c-rg',
  securityProfile: { settings: {} },
  subnet: 'c-worker-subnet',
  userDataSecret: { name: 'worker-user-data' },
  vmSize: 'Standard_D4s_v3',
  vnet: 'c-vnet',
  zone: '1',
};

function parseError(value: unknown): string {
  try {
    parseAzureProviderSpec(value);
  } catch (err) {
    assert.ok(err instanceof TerminalError);
    assert.equal(err.reason, 'InvalidConfiguration');
    return err.message;
  }
  assert.fail('expected a TerminalError');
}

const at = 'spec.providerSpec.value';

describe('Azure providerSpec', function () {
  it('accepts what the installer writes, zero values read as unset', function () {
    const spec = parseAzureProviderSpec(INSTALLER_SPEC);
    assert.deepEqual(spec.image, { resourceID: '/resourceGroups/c-rg/providers/Microsoft.Compute/galleries/gallery_c/images/c-gen2/versions/latest' });
    assert.deepEqual(spec.osDisk, { osType: 'Linux', diskSizeGB: 128, storageAccountType: 'Premium_LRS', ephemeral: false });
    assert.equal(spec.securityProfile, undefined);
    assert.equal(spec.bootDiagnostics, undefined);
    assert.deepEqual(spec.credentialsSecret, { name: 'azure-cloud-credentials', namespace: 'openshift-machine-api' });
  });

  it('accepts the apiVersion older installers wrote', function () {
    assert.equal(parseAzureProviderSpec({ ...INSTALLER_SPEC, apiVersion: 'azureproviderconfig.openshift.io/v1beta1' }).vmSize, 'Standard_D4s_v3');
  });

  it('takes location and resource group from the credentials Secret when the spec leaves them out', function () {
    const spec = resolveAzureSpec(parseAzureProviderSpec({ ...INSTALLER_SPEC, location: '', resourceGroup: '', networkResourceGroup: '' }), { region: 'eastus2', resourceGroup: 'from-secret' });
    assert.deepEqual([spec.location, spec.resourceGroup, spec.networkResourceGroup], ['eastus2', 'from-secret', 'from-secret']);
    assert.throws(() => resolveAzureSpec(parseAzureProviderSpec({ ...INSTALLER_SPEC, location: '' }), {}), { message: `${at}.location: Required value: set it, or azure_region in the credentials Secret` });
  });

  const invalid: ReadonlyArray<{ name: string; value: unknown; message: string }> = [
    { name: 'an unknown top-level field', value: { ...INSTALLER_SPEC, vmSzie: 'x' }, message: `unknown field "${at}.vmSzie"` },
    { name: 'an unknown nested field', value: { ...INSTALLER_SPEC, osDisk: { ...INSTALLER_SPEC.osDisk, size: 1 } }, message: `unknown field "${at}.osDisk.size"` },
    { name: 'an OS disk of 0 GB', value: { ...INSTALLER_SPEC, osDisk: { ...INSTALLER_SPEC.osDisk, diskSizeGB: 0 } }, message: `${at}.osDisk.diskSizeGB: Invalid value: 0: diskSizeGB must be greater than zero and less than 32768` },
    { name: 'an OS disk of 32768 GB', value: { ...INSTALLER_SPEC, osDisk: { ...INSTALLER_SPEC.osDisk, diskSizeGB: 32768 } }, message: `${at}.osDisk.diskSizeGB: Invalid value: 32768: diskSizeGB must be greater than zero and less than 32768` },
    { name: 'a missing vmSize', value: { ...INSTALLER_SPEC, vmSize: '' }, message: `${at}.vmSize: Required value` },
    { name: 'a subnet without vnet', value: { ...INSTALLER_SPEC, vnet: '' }, message: `${at}.vnet: Required value: vnet and subnet are set together` },
    { name: 'an image with both resourceID and marketplace fields', value: { ...INSTALLER_SPEC, image: { ...INSTALLER_SPEC.image, publisher: 'RedHat' } }, message: `${at}.image.resourceID: Forbidden: resourceID is already specified by the publisher field` },
    { name: 'a partial marketplace image', value: { ...INSTALLER_SPEC, image: { publisher: 'RedHat', offer: 'rh-ocp-worker', sku: 'rh-ocp-worker' } }, message: `${at}.image.version: Required value: publisher, offer, sku and version are set together` },
    { name: 'an unknown OS type', value: { ...INSTALLER_SPEC, osDisk: { ...INSTALLER_SPEC.osDisk, osType: 'linux' } }, message: `${at}.osDisk.osType: Unsupported value: "linux": supported values: "Linux", "Windows"` },
    { name: 'duplicate data disk LUNs', value: { ...INSTALLER_SPEC, dataDisks: [{ nameSuffix: 'a', diskSizeGB: 4, lun: 0, deletionPolicy: 'Delete' }, { nameSuffix: 'b', diskSizeGB: 4, lun: 0, deletionPolicy: 'Delete' }] }, message: `${at}.dataDisks[1].lun: Duplicate value: 0` },
    { name: 'a data disk without a deletion policy', value: { ...INSTALLER_SPEC, dataDisks: [{ nameSuffix: 'a', diskSizeGB: 4, lun: 0 }] }, message: `${at}.dataDisks[0].deletionPolicy: Required value: Delete or Detach` },
    { name: 'a cached ultra disk', value: { ...INSTALLER_SPEC, dataDisks: [{ nameSuffix: 'a', diskSizeGB: 4, lun: 0, deletionPolicy: 'Delete', cachingType: 'ReadOnly', managedDisk: { storageAccountType: 'UltraSSD_LRS' } }] }, message: `${at}.dataDisks[0].cachingType: Invalid value: "ReadOnly": must be None for UltraSSD_LRS disks` },
    { name: 'a TrustedLaunch profile without its settings', value: { ...INSTALLER_SPEC, securityProfile: { settings: { securityType: 'TrustedLaunch' } } }, message: `${at}.securityProfile.settings.trustedLaunch: Required value: when securityType is TrustedLaunch` },
    { name: 'customer-managed boot diagnostics without a URI', value: { ...INSTALLER_SPEC, diagnostics: { boot: { storageAccountType: 'CustomerManaged' } } }, message: `${at}.diagnostics.boot.customerManaged.storageAccountURI: Required value: when storageAccountType is CustomerManaged` },
    { name: 'a bad spot price', value: { ...INSTALLER_SPEC, spotVMOptions: { maxPrice: 'cheap' } }, message: `${at}.spotVMOptions.maxPrice: Invalid value: "cheap": must be a decimal quantity, e.g. "0.12" or -1` },
    { name: 'a zone and an availability set', value: { ...INSTALLER_SPEC, availabilitySet: 'as-1' }, message: `${at}.availabilitySet: Invalid value: "as-1": a VM is in an availability set or in a zone, not both` },
    { name: 'no credentials Secret', value: { ...INSTALLER_SPEC, credentialsSecret: undefined }, message: `${at}.credentialsSecret: Required value: Azure credentials are read from this Secret` },
    { name: 'a wrong kind', value: { ...INSTALLER_SPEC, kind: 'AWSMachineProviderConfig' }, message: `${at}.kind: Unsupported value: "AWSMachineProviderConfig": supported values: "AzureMachineProviderSpec"` },
    { name: 'no providerSpec', value: undefined, message: `${at}: Required value` },
  ];
  for (const { name, value, message } of invalid) {
    it(`rejects ${name} naming the field`, function () {
      assert.equal(parseError(value), message);
    });
  }

  it('reports every bad field at once', function () {
    assert.equal(parseError({ ...INSTALLER_SPEC, vmSize: 5, publicIP: 'yes' }), `[${at}.vmSize: Invalid value: 5: must be a string, ${at}.publicIP: Invalid value: "yes": must be a boolean]`);
  });
});

describe('Azure VM request', function () {
  const spec = resolveAzureSpec(parseAzureProviderSpec({
    ...INSTALLER_SPEC,
    image: { publisher: 'RedHat', offer: 'rh-ocp-worker', sku: 'rh-ocp-worker', version: '413.92.2023101700', type: 'MarketplaceWithPlan' },
    spotVMOptions: { maxPrice: '0.12' },
    dataDisks: [{ nameSuffix: 'etcd', diskSizeGB: 256, lun: 0, deletionPolicy: 'Detach', managedDisk: { storageAccountType: 'UltraSSD_LRS' } }],
    securityProfile: { settings: { securityType: 'TrustedLaunch', trustedLaunch: { uefiSettings: { secureBoot: 'Enabled', virtualizedTrustedPlatformModule: 'Enabled' } } } },
  }), {});
  const names = resourceNames(spec, 'c-worker-a', 'c');
  const vm = vmParameters(spec, { subscriptionId: 's1', names, tags: { 'machine-uid': 'u1' }, nicId: '/nic', userData: Buffer.from('ign') });

  it('names the OS and data disks after the Machine and sets their delete options', function () {
    assert.equal(vm.storageProfile?.osDisk?.name, 'c-worker-a_OSDisk');
    assert.equal(vm.storageProfile?.osDisk?.deleteOption, 'Delete');
    assert.deepEqual(vm.storageProfile?.dataDisks, [{ name: 'c-worker-a_etcd', lun: 0, createOption: 'Empty', diskSizeGB: 256, deleteOption: 'Detach', managedDisk: { storageAccountType: 'UltraSSD_LRS' } }]);
    assert.deepEqual(vm.additionalCapabilities, { ultraSSDEnabled: true });
  });

  it('makes spot, marketplace-plan, trusted-launch and managed-identity VMs as MAO does', function () {
    assert.deepEqual([vm.priority, vm.evictionPolicy, vm.billingProfile], ['Spot', 'Delete', { maxPrice: 0.12 }]);
    assert.deepEqual(vm.plan, { name: 'rh-ocp-worker', product: 'rh-ocp-worker', publisher: 'RedHat' });
    assert.deepEqual(vm.securityProfile, { securityType: 'TrustedLaunch', uefiSettings: { secureBootEnabled: true, vTpmEnabled: true } });
    assert.deepEqual(vm.identity, { type: 'UserAssigned', userAssignedIdentities: { '/subscriptions/s1/resourceGroups/c-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/c-identity': {} } });
    assert.equal(vm.osProfile?.customData, Buffer.from('ign').toString('base64'));
    assert.match(vm.osProfile?.linuxConfiguration?.ssh?.publicKeys?.[0]?.keyData ?? '', /^ssh-rsa AAAAB3NzaC1yc2E/);
  });

  it('refuses a public IP name longer than Azure allows', function () {
    const withIP = resolveAzureSpec(parseAzureProviderSpec({ ...INSTALLER_SPEC, publicIP: true }), {});
    assert.throws(() => resourceNames(withIP, 'w'.repeat(60), 'cluster'), { message: /^spec\.providerSpec\.value\.publicIP: Invalid value: true: the public IP name "cluster-w+" would be longer than 63 characters$/ });
  });
});
