// The manifests of the dev cluster's demo releases (4.1.0, 4.2.0, 4.3.0), as files of a payload's
// release-manifests/ (shared/reference/cluster-version.md §2.1: 0000_<run level>_<component>_<name>.yaml, applied
// in run-level order, a ClusterOperator manifest gating its level). Pure and deterministic: the same version gives
// the same bytes, so a payload's digest (and the signature stored for it) stays valid across restarts.
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { MACHINE_API_NAMESPACE } from '../../operators/api/machine-v1beta1.ts';

/** The releases `npm start` serves, oldest first, each updating from the one before. */
export const DEMO_VERSIONS = ['4.1.0', '4.2.0', '4.3.0'] as const;
/** The update-graph channel listing them (ClusterVersion spec.channel). */
export const DEMO_CHANNEL = 'stable-4';

/** The demo component: its namespace and the ConfigMap whose `version` the demo operator reports. */
export const DEMO_OPERATOR = { clusterOperator: 'demo', namespace: 'openshift-demo', configMap: 'demo-config' } as const;
/**
 * The ConfigMap the payload applies at machine-api's run level naming the release: standing for "the Machine API
 * operator of this release is rolled out", it is where the machine-api ClusterOperator's version comes from
 * (release-followers.ts).
 */
export const MACHINE_API_RELEASE_CONFIG_MAP = { namespace: MACHINE_API_NAMESPACE, name: 'machine-api-release' } as const;

/** The default cluster profile's inclusion annotation. */
const PROFILE_ANNOTATION = 'include.release.openshift.io/self-managed-high-availability';
/** The fake image repository of the demo releases. */
const REPOSITORY = 'registry.local:5000/ocp/release-content';
/** Clouds with a per-cloud boot image in image-references (as the installer's rhcos stream lists). */
const BOOT_IMAGE_CLOUDS = ['aws', 'gcp', 'azure', 'local'] as const;

export interface DemoImage {
  readonly name: string;
  readonly image: string;
  readonly annotations?: Record<string, string>;
}

/** A fake but well-formed digest, stable for a given seed. */
export function fakeDigest(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`;
}

/**
 * Kubernetes minor the release's nodes run: 4.1 → 1.32, 4.2 → 1.33, 4.3 → 1.34 (nodeInfo.kubeletVersion). 4.1.0 is
 * what a hollow node boots with (local cloud DEFAULT_OS_IMAGE, hollow-nodes KUBELET_VERSION v1.32.0), so the
 * machine-config operator adopts the nodes of a 4.1.0 install instead of rebooting them.
 */
function kubeMinor(version: string): number {
  return 31 + Number(version.split('.')[1]);
}

/** image-references: the OS image, and a boot image per cloud (tag `<cloud>-boot-image`). */
export function demoImages(version: string): DemoImage[] {
  return [
    { name: 'rhel-coreos', image: `${REPOSITORY}@${fakeDigest(`rhel-coreos ${version}`)}`, annotations: { 'io.openshift.build.version-display-names': 'machine-os=Red Hat Enterprise Linux CoreOS' } },
    { name: 'machine-api-operator', image: `${REPOSITORY}@${fakeDigest(`machine-api-operator ${version}`)}` },
    { name: 'demo-operator', image: `${REPOSITORY}@${fakeDigest(`demo-operator ${version}`)}` },
    ...BOOT_IMAGE_CLOUDS.map((cloud) => ({ name: `${cloud}-boot-image`, image: `${REPOSITORY}@${fakeDigest(`${cloud} boot image ${version}`)}` })),
  ];
}

/** What a node booted into the release's OS reports in status.nodeInfo (the osimageurl ConfigMap names it too). */
export interface DemoNodeInfo {
  readonly osImage: string;
  readonly kubeletVersion: string;
  readonly containerRuntimeVersion: string;
}

export function demoNodeInfo(version: string): DemoNodeInfo {
  const minor = kubeMinor(version);
  return { osImage: `Red Hat Enterprise Linux CoreOS ${version}`, kubeletVersion: `v1.${minor}.0`, containerRuntimeVersion: `cri-o://1.${minor}.0` };
}

/** The AWS regions the demo stream lists an AMI for. */
const DEMO_AWS_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'] as const;

const hexOf = (seed: string) => fakeDigest(seed).slice('sha256:'.length);

/** The local cloud image of the release (the stream's `local` entry), derived from its `local-boot-image` tag. */
export function demoLocalBootImage(version: string): string {
  return `rhcos-${version}-${hexOf(`local boot image ${version}`).slice(0, 12)}`;
}

/** The local cloud's image catalogue for the demo releases: each release's local boot image boots its OS. */
export function demoLocalImages(): Record<string, DemoNodeInfo> {
  return Object.fromEntries(DEMO_VERSIONS.map((version) => [demoLocalBootImage(version), demoNodeInfo(version)]));
}

/**
 * The release's boot images as CoreOS stream metadata (operators/machine-config/boot-images.ts reads it): an RHCOS
 * build string as the real streams have ("42.94.202608010000-0"), and per cloud an image derived from the
 * `<cloud>-boot-image` tag's seed, so every value is stable per version.
 */
export function demoBootImageStream(version: string): object {
  const [major, minor, patch] = version.split('.');
  const build = `${major}${minor}.94.20260801${patch.padStart(4, '0')}-0`;
  return {
    stream: `rhcos-${major}.${minor}`,
    metadata: { 'last-modified': '2026-08-01T00:00:00Z', generator: 'machine-fleet demo releases' },
    architectures: {
      x86_64: {
        images: {
          aws: {
            regions: Object.fromEntries(DEMO_AWS_REGIONS.map((region) => [region, { release: build, image: `ami-${hexOf(`aws boot image ${version} ${region}`).slice(0, 17)}` }])),
          },
          gcp: { release: build, project: 'rhcos-cloud', name: `rhcos-${build.replaceAll('.', '-')}-gcp-x86-64` },
          azure: { release: build, publisher: 'azureopenshift', offer: 'aro4', sku: `aro_${major}${minor}`, version: build.replace(/-0$/, '') },
          local: { release: build, image: demoLocalBootImage(version) },
        },
      },
    },
  };
}

interface Manifest {
  readonly metadata: { readonly annotations?: Record<string, string> };
}

/**
 * Opts a manifest in to the cluster profile: without `include.release.openshift.io/<profile>: "true"` the CVO
 * drops it (payload/filter.ts, upstream pkg/manifest Include).
 */
function inProfile(object: Manifest): Manifest {
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [PROFILE_ANNOTATION]: 'true' } } };
}

/** release-manifests/ of `version`: file name → YAML. */
export function demoManifests(version: string): Record<string, string> {
  const node = demoNodeInfo(version);
  const clusterOperator = (name: string, relatedNamespace: string) => ({
    apiVersion: 'config.openshift.io/v1',
    kind: 'ClusterOperator',
    metadata: { name },
    spec: {},
    status: { versions: [{ name: 'operator', version }], relatedObjects: [{ group: '', resource: 'namespaces', name: relatedNamespace }] },
  });
  const configMap = (namespace: string, name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });
  const objects: Record<string, unknown> = {
    '0000_30_machine-api_00_release.yaml': configMap(MACHINE_API_RELEASE_CONFIG_MAP.namespace, MACHINE_API_RELEASE_CONFIG_MAP.name, { version }),
    '0000_30_machine-api_99_clusteroperator.yaml': clusterOperator('machine-api', MACHINE_API_NAMESPACE),
    '0000_50_demo_00_namespace.yaml': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: DEMO_OPERATOR.namespace } },
    '0000_50_demo_01_config.yaml': configMap(DEMO_OPERATOR.namespace, DEMO_OPERATOR.configMap, { version, greeting: `Hello from ${version}` }),
    '0000_50_demo_99_clusteroperator.yaml': clusterOperator(DEMO_OPERATOR.clusterOperator, DEMO_OPERATOR.namespace),
    '0000_80_machine-config_00_namespace.yaml': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'openshift-machine-config-operator' } },
    // The keys operators/machine-config/target.ts reads (its README, "Where the target comes from").
    '0000_80_machine-config_05_osimageurl.yaml': configMap('openshift-machine-config-operator', 'machine-config-osimageurl', {
      releaseVersion: version,
      baseOSContainerImage: demoImages(version)[0].image,
      osImageName: node.osImage,
      kubeletVersion: node.kubeletVersion,
      containerRuntimeVersion: node.containerRuntimeVersion,
    }),
    // The boot images pools with osUpdate.strategy Replace put into MachineSets (operators/machine-config/boot-images.ts).
    '0000_80_machine-config_06_coreos-bootimages.yaml': configMap('openshift-machine-config-operator', 'coreos-bootimages', {
      releaseVersion: version,
      stream: JSON.stringify(demoBootImageStream(version)),
    }),
    // The worker pool, created once: after the install its spec (maxUnavailable, paused, canary) is the admin's.
    '0000_80_machine-config_10_pool-worker.yaml': {
      apiVersion: 'machineconfiguration.openshift.io/v1',
      kind: 'MachineConfigPool',
      metadata: { name: 'worker', annotations: { 'release.openshift.io/create-only': 'true' } },
      spec: { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/worker': '' } }, maxUnavailable: 2 },
    },
    // The CVO's run-level-80 gate: machine-config reports the version only once every node runs its OS.
    '0000_80_machine-config_99_clusteroperator.yaml': clusterOperator('machine-config', 'openshift-machine-config-operator'),
  };
  return Object.fromEntries(Object.entries(objects).map(([file, object]) => [file, stringify(inProfile(object as Manifest))]));
}
