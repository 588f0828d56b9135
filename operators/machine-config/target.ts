// Where the nodes' OS target comes from and what a pool's rendered config holds (§5.1 steps 1–3, condensed): the
// payload's ConfigMap `openshift-machine-config-operator/machine-config-osimageurl` (applied by the CVO at run level
// 80) names the OS image by digest and the release; each pool gets one immutable MachineConfig
// `rendered-<pool>-<hash>` holding it, which node agents apply and which stays for rollbacks. OpenShift merges the
// pool's selected MachineConfigs (Ignition files, kernel arguments) into it as well; here only the OS part is
// rendered, as that is what the release rolls (README.md, "Gaps").
// Pure: the controller reads the ConfigMap from its cache and writes what these functions return.
import { createHash } from 'node:crypto';
import {
  CONTAINER_RUNTIME_VERSION_ANNOTATION,
  GENERATED_BY_CONTROLLER_VERSION_ANNOTATION,
  KUBELET_VERSION_ANNOTATION,
  MACHINE_CONFIG_POOL_RESOURCE,
  MACHINE_CONFIG_RESOURCE,
  OS_IMAGE_NAME_ANNOTATION,
  OSIMAGEURL_CONFIG_MAP,
  OSIMAGEURL_KEYS,
  RELEASE_IMAGE_VERSION_ANNOTATION,
  type MachineConfig,
  type MachineConfigPool,
} from '../api/machineconfiguration-v1.ts';
import { parseSemVer } from '../cluster-version/updates/semver.ts';
import type { KubeObject } from '../runtime/watcher.ts';

/** The Ignition spec version of rendered configs (RHCOS 4.x reads 3.x). */
export const IGNITION_VERSION = '3.4.0';

/** What a release says about node OS: the image to boot and what a node booted into it reports. */
export interface OsTarget {
  readonly releaseVersion: string;
  /** baseOSContainerImage: pinned by digest inside the signed payload, so nodes need no separate check (§10.6). */
  readonly osImageURL: string;
  readonly extensionsImage?: string;
  /** status.nodeInfo.osImage, e.g. "Red Hat Enterprise Linux CoreOS 4.2.0". */
  readonly osImageName: string;
  /** status.nodeInfo.kubeletVersion, e.g. "v1.32.0". */
  readonly kubeletVersion: string;
  /** status.nodeInfo.containerRuntimeVersion, e.g. "cri-o://1.32.0". */
  readonly containerRuntimeVersion: string;
}

export interface ConfigMapLike extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
}

export type TargetResult =
  | { readonly ok: true; readonly target: OsTarget }
  /** `missing`: not applied yet (install in progress), as opposed to applied but malformed. */
  | { readonly ok: false; readonly missing: boolean; readonly message: string };

const DIGEST_IMAGE = /^[^\s@]+@sha256:[0-9a-f]{64}$/;
const KUBELET_VERSION = /^v\d+\.\d+\.\d+(?:[-+].*)?$/;

/**
 * The OS target from the osimageurl ConfigMap, or a message naming each missing or malformed key, e.g.
 * `ConfigMap openshift-machine-config-operator/machine-config-osimageurl: data.baseOSContainerImage: "quay.io/x:latest" is not pinned by digest (want <repository>@sha256:<64 hex>)`.
 */
export function parseOsTarget(configMap: ConfigMapLike | undefined, namespace: string): TargetResult {
  const where = `ConfigMap ${namespace}/${OSIMAGEURL_CONFIG_MAP}`;
  if (!configMap) return { ok: false, missing: true, message: `${where} not found: the release payload has not been applied yet` };
  const data = configMap.data ?? {};
  const problems: string[] = [];
  const required = (key: string): string => {
    const value = data[key]?.trim();
    if (!value) problems.push(`data.${key}: required`);
    return value ?? '';
  };
  const releaseVersion = required(OSIMAGEURL_KEYS.releaseVersion);
  const osImageURL = required(OSIMAGEURL_KEYS.baseOSContainerImage);
  const osImageName = required(OSIMAGEURL_KEYS.osImageName);
  const kubeletVersion = required(OSIMAGEURL_KEYS.kubeletVersion);
  const containerRuntimeVersion = required(OSIMAGEURL_KEYS.containerRuntimeVersion);
  if (releaseVersion && !parseSemVer(releaseVersion)) problems.push(`data.releaseVersion: ${JSON.stringify(releaseVersion)} is not a semantic version`);
  if (osImageURL && !DIGEST_IMAGE.test(osImageURL)) {
    problems.push(`data.baseOSContainerImage: ${JSON.stringify(osImageURL)} is not pinned by digest (want <repository>@sha256:<64 hex>)`);
  }
  if (kubeletVersion && !KUBELET_VERSION.test(kubeletVersion)) problems.push(`data.kubeletVersion: ${JSON.stringify(kubeletVersion)} is not a kubelet version such as "v1.32.0"`);
  if (problems.length > 0) return { ok: false, missing: false, message: `${where}: ${problems.join('; ')}` };
  const extensionsImage = data[OSIMAGEURL_KEYS.baseOSExtensionsContainerImage]?.trim();
  return {
    ok: true,
    target: { releaseVersion, osImageURL, osImageName, kubeletVersion, containerRuntimeVersion, ...(extensionsImage ? { extensionsImage } : {}) },
  };
}

/** The nodeInfo fields a node booted into a config reports. */
export interface ExpectedNodeInfo {
  readonly osImage: string;
  readonly kubeletVersion: string;
  readonly containerRuntimeVersion: string;
}

/**
 * The rendered config of `pool` for `target`. Its name hashes everything a node applies, so the same release gives
 * the same name (a restarted operator renders nothing new) and a new one a new name; the owner reference lets the
 * garbage collector remove a deleted pool's configs, while older configs of a live pool stay for rollbacks.
 */
export function renderMachineConfig(pool: MachineConfigPool, target: OsTarget, controllerVersion: string): MachineConfig {
  const spec = {
    config: { ignition: { version: IGNITION_VERSION } },
    osImageURL: target.osImageURL,
    ...(target.extensionsImage ? { baseOSExtensionsContainerImage: target.extensionsImage } : {}),
    kernelArguments: [],
    extensions: [],
    fips: false,
    kernelType: 'default',
  };
  const annotations = {
    [RELEASE_IMAGE_VERSION_ANNOTATION]: target.releaseVersion,
    [OS_IMAGE_NAME_ANNOTATION]: target.osImageName,
    [KUBELET_VERSION_ANNOTATION]: target.kubeletVersion,
    [CONTAINER_RUNTIME_VERSION_ANNOTATION]: target.containerRuntimeVersion,
  };
  const poolName = pool.metadata?.name ?? '';
  const hash = createHash('sha256').update(JSON.stringify({ spec, annotations })).digest('hex').slice(0, 32);
  return {
    apiVersion: MACHINE_CONFIG_RESOURCE.apiVersion,
    kind: MACHINE_CONFIG_RESOURCE.kind,
    metadata: {
      name: `rendered-${poolName}-${hash}`,
      annotations: { ...annotations, [GENERATED_BY_CONTROLLER_VERSION_ANNOTATION]: controllerVersion },
      ownerReferences: [{
        apiVersion: MACHINE_CONFIG_POOL_RESOURCE.apiVersion,
        kind: MACHINE_CONFIG_POOL_RESOURCE.kind,
        name: poolName,
        uid: pool.metadata?.uid ?? '',
        controller: true,
        blockOwnerDeletion: true,
      }],
    },
    spec,
  };
}

/** What a node running `config` must report, or undefined for a config that does not say (not rendered by us). */
export function expectedNodeInfo(config: MachineConfig | undefined): ExpectedNodeInfo | undefined {
  const a = config?.metadata?.annotations ?? {};
  const osImage = a[OS_IMAGE_NAME_ANNOTATION];
  const kubeletVersion = a[KUBELET_VERSION_ANNOTATION];
  const containerRuntimeVersion = a[CONTAINER_RUNTIME_VERSION_ANNOTATION];
  if (!osImage || !kubeletVersion || !containerRuntimeVersion) return undefined;
  return { osImage, kubeletVersion, containerRuntimeVersion };
}

/** Whether a node's status.nodeInfo shows it booted into the config. */
export function nodeInfoMatches(
  nodeInfo: { readonly osImage?: string; readonly kubeletVersion?: string; readonly containerRuntimeVersion?: string } | undefined,
  expected: ExpectedNodeInfo,
): boolean {
  return nodeInfo?.osImage === expected.osImage
    && nodeInfo?.kubeletVersion === expected.kubeletVersion
    && nodeInfo?.containerRuntimeVersion === expected.containerRuntimeVersion;
}
