// The three emulated clouds a dev cluster can run Machines on, each brought up as the installer leaves a real one
// (network, images, credentials) and described the same way: the provider factory pointed at the emulator, the
// hollow-node source that follows its instances, the Secrets the providerSpec names, an installer-style worker
// MachineSet, and what the cloud holds for a MachineSet (to count instances, leaks and duplicates).
//   aws:   moto_server (a child process; it must be on PATH) behind the fault proxy the operator talks to
//          (ClientToken idempotency, faults, call counts); the hollow nodes poll moto directly.
//   gcp:   the Compute Engine wire fake, in this process.
//   azure: the ARM wire fake, in this process, over HTTPS with a throwaway CA.
// Used by the e2e suites here and by `npm start -- --cloud …` (devcluster/main.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateTagsCommand, CreateVpcCommand, DescribeImagesCommand, EC2Client,
} from '@aws-sdk/client-ec2';
import { AzureVmSource } from '../../../devcluster/hollow-nodes/azure-source.ts';
import { Ec2InstanceSource } from '../../../devcluster/hollow-nodes/ec2-source.ts';
import { GceInstanceSource } from '../../../devcluster/hollow-nodes/gce-source.ts';
import type { SnapshotSource } from '../../../devcluster/hollow-nodes/snapshot-source.ts';
import {
  CLUSTER_ID_LABEL, MACHINE_API_GROUP_VERSION, MACHINE_API_NAMESPACE, MACHINE_SET_LABEL, type Machine, type MachineSet,
} from '../../../operators/api/machine-v1beta1.ts';
import type { ProviderFactory } from '../../../operators/machine-api/providers/actuator.ts';
import { createAwsProviderFactory, MACHINE_UID_TAG as AWS_UID_TAG } from '../../../operators/machine-api/providers/aws/index.ts';
import { describeInstances } from '../../../operators/machine-api/providers/aws/client.ts';
import { ARM_ENDPOINT_ENV, AUTHORITY_HOST_ENV, createAzureProviderFactory, MACHINE_UID_TAG as AZURE_UID_TAG } from '../../../operators/machine-api/providers/azure/index.ts';
import { COMPUTE_ENDPOINT_ENV, createGcpProviderFactory, MACHINE_UID_LABEL } from '../../../operators/machine-api/providers/gcp/index.ts';
import { isAlreadyExists } from '../../../operators/runtime/errors.ts';
import { kubeJson } from '../../../operators/runtime/kube-http.ts';
import { Ec2FaultProxy } from '../../fakes/aws/ec2-proxy.ts';
import { startMotoServer, type MotoServer } from '../../fakes/aws/moto-server.ts';
import { AzureArmFake } from '../../fakes/azure/arm-server.ts';
import { GceFake } from '../../fakes/gcp/compute-server.ts';

export type CloudName = 'aws' | 'gcp' | 'azure';
export const CLOUD_NAMES: readonly CloudName[] = ['aws', 'gcp', 'azure'];

/** The cluster's infrastructure ID (the installer's `<name>-<random>`): resource names and the cluster-api-cluster label. */
export const INFRA_ID = 'mycluster-x7k2p';
const CREDENTIALS_SECRET = { aws: 'aws-cloud-credentials', gcp: 'gcp-cloud-credentials', azure: 'azure-cloud-credentials' } as const;
const USER_DATA_SECRET = 'worker-user-data';
const USER_DATA = JSON.stringify({ ignition: { version: '3.2.0' } });

/** One instance (VM) the cloud holds for a Machine. */
export interface CloudInstance {
  readonly id: string;
  /** The Machine it was made for: its name (the Name tag, the instance or VM name) and UID (the uid tag/label). */
  readonly machine: string;
  readonly uid: string;
  /** The cloud's word: running, pending, terminated / RUNNING, STOPPING / Succeeded, Deleting… */
  readonly state: string;
  /** Holds (or will hold) a Machine: neither going away nor gone. */
  readonly live: boolean;
}

/** Timings that keep a fleet of a few Machines settling in seconds (defaults are minutes, for real clouds). */
export interface EmulatorTimings {
  /**
   * In ms: how soon the provider looks again at an instance on its way up or down, how long its cached listing
   * answers, and how often the hollow nodes poll moto (AWS).
   */
  readonly pollMs: number;
}

export const FAST_TIMINGS: EmulatorTimings = { pollMs: 250 };

export interface EmulatedCloud {
  readonly name: CloudName;
  /** The provider pointed at the emulator, for an operator in this process. */
  readonly provider: ProviderFactory;
  /** What the hollow kubelets follow. */
  readonly source: SnapshotSource;
  /** For an operator process (operators/machine-api/main.ts --providers <name>): its endpoint settings. */
  readonly operatorEnv: Readonly<Record<string, string>>;
  /** Endpoints for people, by what they serve. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** The credentials and user-data Secrets the providerSpec names, for openshift-machine-api. */
  secrets(): object[];
  /**
   * The Node a real kubelet on the Machine's instance registers: its name, and the providerID's form (the cloud
   * provider's). Machine-name based: GCP, Azure; AWS: the private DNS name, the Machine's InternalDNS address.
   */
  nodeIdentity(machine: Machine): { readonly nodeName: string | undefined; readonly providerID: RegExp };
  /** An installer-style worker MachineSet on this cloud. */
  machineSet(name: string, replicas: number): MachineSet;
  /** What the cloud holds for Machines named `<machineSet>-…`, going and gone ones included while still listed. */
  instances(machineSet: string): Promise<CloudInstance[]>;
  /** Everything else left in the cloud for Machines of `machineSet` besides instances (Azure: NICs, disks). */
  leftovers(machineSet: string): Promise<string[]>;
  /** Ends injected latency and forgets faults not yet served (GCP: planned faults stay until served). */
  clearFaults(): void;
  stop(): Promise<void>;
}

export interface AwsCloud extends EmulatedCloud {
  readonly name: 'aws';
  readonly moto: MotoServer;
  /** What the operator talks to: faults and RunInstances counts. */
  readonly proxy: Ec2FaultProxy;
}

export interface GcpCloud extends EmulatedCloud {
  readonly name: 'gcp';
  readonly fake: GceFake;
}

export interface AzureCloud extends EmulatedCloud {
  readonly name: 'azure';
  readonly fake: AzureArmFake;
}

export function startEmulatedCloud(name: CloudName, timings?: EmulatorTimings): Promise<EmulatedCloud> {
  switch (name) {
    case 'aws': return startAwsCloud(timings);
    case 'gcp': return startGcpCloud(timings);
    case 'azure': return startAzureCloud(timings);
  }
}

function secret(name: string, data: Record<string, string>): object {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'Opaque',
    metadata: { name, namespace: MACHINE_API_NAMESPACE },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

const userDataSecret = () => secret(USER_DATA_SECRET, { userData: USER_DATA, disableTemplating: 'true' });

/** A worker MachineSet as openshift-install writes it, around a providerSpec. */
function workerMachineSet(name: string, replicas: number, providerSpec: Record<string, unknown>): MachineSet {
  const selector = { [CLUSTER_ID_LABEL]: INFRA_ID, [MACHINE_SET_LABEL]: name };
  return {
    apiVersion: MACHINE_API_GROUP_VERSION,
    kind: 'MachineSet',
    metadata: { name, namespace: MACHINE_API_NAMESPACE, labels: { [CLUSTER_ID_LABEL]: INFRA_ID } },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...selector, 'machine.openshift.io/cluster-api-machine-role': 'worker', 'machine.openshift.io/cluster-api-machine-type': 'worker' } },
        spec: {
          lifecycleHooks: {},
          metadata: { labels: { 'node-role.kubernetes.io/worker': '' } },
          providerSpec: { value: { apiVersion: MACHINE_API_GROUP_VERSION, metadata: { creationTimestamp: null }, ...providerSpec } },
        },
      },
    },
  } as MachineSet;
}

const ofSet = (machineSet: string) => (machine: string) => machine.startsWith(`${machineSet}-`);

// ---- AWS -----------------------------------------------------------------------------------------------------

const AWS_REGION = 'us-east-1';
const AWS_ZONE = 'us-east-1a';

export async function startAwsCloud(timings: EmulatorTimings = FAST_TIMINGS): Promise<AwsCloud> {
  let moto: MotoServer;
  try {
    moto = await startMotoServer();
  } catch (err) {
    // CI has moto_server; a machine without it must not pass by skipping.
    throw new Error(`the AWS emulator needs moto_server on PATH (pip install 'moto[server]'): ${(err as Error).message}`, { cause: err });
  }
  const proxy = await Ec2FaultProxy.start(moto.endpoint);
  const direct = new EC2Client({ endpoint: moto.endpoint, region: AWS_REGION, credentials: { accessKeyId: 'installer', secretAccessKey: 'installer' }, maxAttempts: 1 });
  // What openshift-install creates before any worker: a VPC, a private subnet per zone and the node security group,
  // found by the MachineSet through their Name tags; the AMI is one of moto's catalogue.
  const vpc = await direct.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const subnet = await direct.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: AWS_ZONE }));
  await direct.send(new CreateTagsCommand({ Resources: [subnet.Subnet!.SubnetId!], Tags: [{ Key: 'Name', Value: `${INFRA_ID}-subnet-private-${AWS_ZONE}` }] }));
  const sg = await direct.send(new CreateSecurityGroupCommand({ GroupName: `${INFRA_ID}-node`, Description: 'Cluster nodes', VpcId: vpc.Vpc!.VpcId }));
  await direct.send(new CreateTagsCommand({ Resources: [sg.GroupId!], Tags: [{ Key: 'Name', Value: `${INFRA_ID}-node` }] }));
  const images = await direct.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const amiId = images.Images?.find((i) => i.RootDeviceName && i.Architecture === 'x86_64')?.ImageId;
  if (!amiId) throw new Error('moto offers no x86_64 AMI with a root device');

  const source = new Ec2InstanceSource({ endpoint: moto.endpoint, region: AWS_REGION, pollMs: timings.pollMs });
  return {
    name: 'aws',
    moto,
    proxy,
    provider: createAwsProviderFactory({ endpoint: proxy.endpoint, deletePollMs: timings.pollMs, freshnessMs: timings.pollMs }),
    source,
    operatorEnv: { AWS_ENDPOINT_URL_EC2: proxy.endpoint },
    endpoints: { 'EC2 (fault proxy, for the operator)': proxy.endpoint, 'EC2 (moto)': moto.endpoint },
    nodeIdentity: (m) => ({
      nodeName: m.status?.addresses?.find((a) => a.type === 'InternalDNS' && /^ip-10-0-1-\d+\.ec2\.internal$/.test(a.address))?.address,
      providerID: new RegExp(`^aws:///${AWS_ZONE}/i-[0-9a-f]+$`),
    }),
    secrets: () => [secret(CREDENTIALS_SECRET.aws, { aws_access_key_id: 'AKIDEMULATED', aws_secret_access_key: 'emulated-secret' }), userDataSecret()],
    machineSet: (name, replicas) => workerMachineSet(name, replicas, {
      kind: 'AWSMachineProviderConfig',
      ami: { id: amiId },
      blockDevices: [{ ebs: { encrypted: true, iops: 0, kmsKey: { arn: '' }, volumeSize: 120, volumeType: 'gp3' } }],
      credentialsSecret: { name: CREDENTIALS_SECRET.aws },
      deviceIndex: 0,
      instanceType: 'm6i.xlarge',
      metadataServiceOptions: {},
      placement: { availabilityZone: AWS_ZONE, region: AWS_REGION },
      securityGroups: [{ filters: [{ name: 'tag:Name', values: [`${INFRA_ID}-node`] }] }],
      subnet: { filters: [{ name: 'tag:Name', values: [`${INFRA_ID}-subnet-private-${AWS_ZONE}`] }] },
      tags: [{ name: `kubernetes.io/cluster/${INFRA_ID}`, value: 'owned' }],
      userDataSecret: { name: USER_DATA_SECRET },
    }),
    async instances(machineSet) {
      const all = await describeInstances(direct, [{ Name: 'tag-key', Values: [AWS_UID_TAG] }], AbortSignal.timeout(10_000));
      const tag = (i: (typeof all)[number], key: string) => i.Tags?.find((t) => t.Key === key)?.Value ?? '';
      return all
        .map((i) => ({ id: i.InstanceId ?? '', machine: tag(i, 'Name'), uid: tag(i, AWS_UID_TAG), state: i.State?.Name ?? '', live: ['pending', 'running'].includes(i.State?.Name ?? '') }))
        .filter((i) => ofSet(machineSet)(i.machine));
    },
    leftovers: async () => [],
    clearFaults: () => proxy.reset(),
    async stop() {
      direct.destroy();
      await proxy.close();
      await moto.stop();
    },
  };
}

// ---- GCP -----------------------------------------------------------------------------------------------------

const GCP_PROJECT = 'test-project';
const GCP_ZONE = 'us-central1-a';

export async function startGcpCloud(timings: EmulatorTimings = FAST_TIMINGS): Promise<GcpCloud> {
  const fake = await GceFake.start({ projects: [GCP_PROJECT] });
  const serviceAccount = fake.serviceAccountKey(GCP_PROJECT);
  return {
    name: 'gcp',
    fake,
    provider: createGcpProviderFactory({ endpoint: fake.endpoint, operationPollMs: timings.pollMs, operationWaitMs: 2_000, freshnessMs: timings.pollMs }),
    source: new GceInstanceSource(fake, GCP_PROJECT),
    operatorEnv: { [COMPUTE_ENDPOINT_ENV]: fake.endpoint },
    endpoints: { 'Compute Engine': fake.endpoint },
    nodeIdentity: (m) => ({ nodeName: m.metadata.name, providerID: new RegExp(`^gce://${GCP_PROJECT}/${GCP_ZONE}/${m.metadata.name}$`) }),
    secrets: () => [secret(CREDENTIALS_SECRET.gcp, { 'service_account.json': serviceAccount }), userDataSecret()],
    machineSet: (name, replicas) => workerMachineSet(name, replicas, {
      kind: 'GCPMachineProviderSpec',
      canIPForward: false,
      credentialsSecret: { name: CREDENTIALS_SECRET.gcp },
      deletionProtection: false,
      disks: [{ autoDelete: true, boot: true, image: 'projects/rhcos-cloud/global/images/rhcos-9', labels: null, sizeGb: 128, type: 'pd-ssd' }],
      machineType: 'n2-standard-4',
      networkInterfaces: [{ network: `${INFRA_ID}-network`, subnetwork: `${INFRA_ID}-worker-subnet` }],
      projectID: GCP_PROJECT,
      region: 'us-central1',
      serviceAccounts: [{ email: `${INFRA_ID}-w@${GCP_PROJECT}.iam.gserviceaccount.com`, scopes: ['https://www.googleapis.com/auth/cloud-platform'] }],
      tags: [`${INFRA_ID}-worker`],
      userDataSecret: { name: USER_DATA_SECRET },
      zone: GCP_ZONE,
    }),
    async instances(machineSet) {
      return fake.instances(GCP_PROJECT).filter((i) => ofSet(machineSet)(i.name)).map((i) => ({
        id: String(i.id), machine: i.name, uid: i.labels?.[MACHINE_UID_LABEL] ?? '', state: i.status, live: i.status !== 'STOPPING',
      }));
    },
    leftovers: async () => [],
    // reset() would forget the instances too.
    clearFaults: () => void (fake.latencyMs = 0),
    stop: () => fake.close(),
  };
}

// ---- Azure ---------------------------------------------------------------------------------------------------

const AZURE_SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const AZURE_RG = `${INFRA_ID}-rg`;
const AZURE_LOCATION = 'eastus';

export async function startAzureCloud(timings: EmulatorTimings = FAST_TIMINGS): Promise<AzureCloud> {
  const fake = await AzureArmFake.start();
  // The installer's network: the worker subnet and the public load balancer the NICs join.
  const network = `/subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/${AZURE_RG}/providers/Microsoft.Network`;
  fake.seed(`${network}/virtualNetworks/${INFRA_ID}-vnet/subnets/${INFRA_ID}-worker-subnet`, { location: AZURE_LOCATION, properties: { addressPrefix: '10.0.1.0/24' } });
  fake.seed(`${network}/loadBalancers/${INFRA_ID}`, { location: AZURE_LOCATION, properties: { backendAddressPools: [{ id: `${network}/loadBalancers/${INFRA_ID}/backendAddressPools/${INFRA_ID}`, name: INFRA_ID }] } });
  // An operator process trusts the fake's CA through NODE_EXTRA_CA_CERTS (read once at start-up).
  const caDir = mkdtempSync(join(tmpdir(), 'azure-ca-'));
  const caFile = join(caDir, 'ca.crt');
  writeFileSync(caFile, fake.caPem);
  const p = fake.principal;
  const resources = (type: string, machineSet: string) => fake.list(type, AZURE_RG).filter((id) => ofSet(machineSet)(id.slice(id.lastIndexOf('/') + 1)));
  return {
    name: 'azure',
    fake,
    provider: createAzureProviderFactory({
      endpoint: fake.endpoint, authorityHost: fake.endpoint, caCertificates: fake.caPem,
      lroPollIntervalMs: 20, provisionPollMs: timings.pollMs, deletePollMs: timings.pollMs, freshnessMs: timings.pollMs,
    }),
    source: new AzureVmSource(fake),
    operatorEnv: { [ARM_ENDPOINT_ENV]: fake.endpoint, [AUTHORITY_HOST_ENV]: fake.endpoint, NODE_EXTRA_CA_CERTS: caFile },
    endpoints: { 'Resource Manager and Entra ID': fake.endpoint, 'CA certificate': caFile },
    nodeIdentity: (m) => ({
      nodeName: m.metadata.name,
      providerID: new RegExp(`^azure:///subscriptions/${AZURE_SUBSCRIPTION}/resourceGroups/${AZURE_RG}/providers/Microsoft\\.Compute/virtualMachines/${m.metadata.name}$`),
    }),
    secrets: () => [
      secret(CREDENTIALS_SECRET.azure, {
        azure_client_id: p.clientId, azure_client_secret: p.clientSecret, azure_tenant_id: p.tenantId, azure_subscription_id: AZURE_SUBSCRIPTION,
        azure_resourcegroup: AZURE_RG, azure_region: AZURE_LOCATION, azure_resource_prefix: INFRA_ID,
      }),
      userDataSecret(),
    ],
    machineSet: (name, replicas) => workerMachineSet(name, replicas, {
      kind: 'AzureMachineProviderSpec',
      credentialsSecret: { name: CREDENTIALS_SECRET.azure, namespace: MACHINE_API_NAMESPACE },
      diagnostics: {},
      image: { offer: '', publisher: '', resourceID: `/resourceGroups/${AZURE_RG}/providers/Microsoft.Compute/galleries/gallery_${INFRA_ID.replace(/-/g, '_')}/images/${INFRA_ID}-gen2/versions/latest`, sku: '', version: '' },
      location: AZURE_LOCATION,
      managedIdentity: `${INFRA_ID}-identity`,
      networkResourceGroup: AZURE_RG,
      osDisk: { diskSettings: {}, diskSizeGB: 128, managedDisk: { securityProfile: { diskEncryptionSet: {} }, storageAccountType: 'Premium_LRS' }, osType: 'Linux' },
      publicIP: false,
      publicLoadBalancer: INFRA_ID,
      resourceGroup: AZURE_RG,
      securityProfile: { settings: {} },
      subnet: `${INFRA_ID}-worker-subnet`,
      userDataSecret: { name: USER_DATA_SECRET },
      vmSize: 'Standard_D4s_v3',
      vnet: `${INFRA_ID}-vnet`,
      zone: '1',
    }),
    async instances(machineSet) {
      return resources('virtualMachines', machineSet).flatMap((id) => {
        const vm = fake.get(id) as { name: string; tags?: Record<string, string>; properties: { vmId?: string; provisioningState?: string } } | undefined;
        if (!vm) return [];
        const state = vm.properties.provisioningState ?? '';
        return [{ id: vm.properties.vmId ?? id, machine: vm.name, uid: vm.tags?.[AZURE_UID_TAG] ?? '', state, live: state !== 'Deleting' }];
      });
    },
    leftovers: async (machineSet) => ['networkInterfaces', 'disks', 'publicIPAddresses'].flatMap((type) => resources(type, machineSet)),
    clearFaults: () => fake.reset(),
    async stop() {
      await fake.close();
      rmSync(caDir, { recursive: true, force: true });
    },
  };
}

// ---- npm start -- --cloud <name> ----------------------------------------------------------------------------

export interface DevClusterCloudOptions {
  readonly dataDir: string;
  readonly kubeconfigPath: string;
  /** The operator runs as its own process (`--operators external`): say how to start it against the emulator. */
  readonly externalOperator: boolean;
}

/**
 * For `npm start -- --cloud <name>` (devcluster/main.ts): creates the Secrets through the API server (kept when they
 * exist, as after a restart on the same data dir), writes an example MachineSet to `<dataDir>/<name>-machineset.json`,
 * and returns the lines to print: the endpoints, how to start the operator as its own process, commands to try.
 */
export async function prepareDevClusterCloud(cloud: EmulatedCloud, kc: KubeConfig, options: DevClusterCloudOptions): Promise<string[]> {
  for (const secret of cloud.secrets()) {
    try {
      await kubeJson(kc, `/api/v1/namespaces/${MACHINE_API_NAMESPACE}/secrets`, { method: 'POST', body: secret });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  const example = join(options.dataDir, `${cloud.name}-machineset.json`);
  writeFileSync(example, `${JSON.stringify(cloud.machineSet(`${INFRA_ID}-worker-${cloud.name}`, 2), null, 2)}\n`);
  const env = Object.entries(cloud.operatorEnv).map(([k, v]) => `${k}=${v}`).join(' ');
  return [
    `Emulated ${cloud.name}:`,
    ...Object.entries(cloud.endpoints).map(([what, url]) => `  ${what}: ${url}`),
    ...(options.externalOperator
      ? ['', 'Start the Machine API operator:', `  ${env} npm run operator:machine-api -- --kubeconfig ${options.kubeconfigPath} --metrics-port 0 --providers ${cloud.name}`]
      : []),
    '',
    'Try:',
    `  export KUBECONFIG=${options.kubeconfigPath}`,
    `  kubectl apply -f ${example}`,
    '  kubectl get machinesets,machines -n openshift-machine-api -o wide',
    '  kubectl get nodes -o wide',
  ];
}
