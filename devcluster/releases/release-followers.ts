// What makes ClusterOperators follow the release the cluster-version operator applies, in the dev cluster where
// no operator is really rolled out from a payload image:
// - the demo operator: a fake operator that reports ClusterOperator `demo` Available at the version in the
//   ConfigMap openshift-demo/demo-config the payload applies (as a real operator does once its new operand runs),
//   with knobs for tests and demos in the ConfigMap openshift-demo/demo-operator (not part of any payload):
//   `stall: "true"` keeps it at the version it reported last, `upgradeable: "false"` sets Upgradeable=False;
// - the Machine API operator's ClusterOperator `machine-api`: its conditions are the real operator's (through the
//   statusReporter hook of buildMachineApiOperator), its version the one in the payload's ConfigMap
//   openshift-machine-api/machine-api-release (standing for "this release's Machine API operator is rolled out").
import type { KubeConfig } from '@kubernetes/client-node';
import { CLUSTER_OPERATOR_RESOURCE, OPERATOR_VERSION_NAME, type ClusterOperator, type ClusterOperatorStatusCondition } from '../../operators/api/config-v1.ts';
import type { OperatorStatus, OperatorStatusReporter } from '../../operators/machine-api/cluster-operator.ts';
import { clusterOperatorStatusReporter } from '../../operators/machine-api/cluster-operator-status.ts';
import { createCache } from '../../operators/runtime/cache.ts';
import { setCondition } from '../../operators/runtime/conditions.ts';
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from '../../operators/runtime/errors.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import type { Logger } from '../../operators/runtime/log.ts';
import { kubeResourceClient, resourcePath } from '../../operators/runtime/resource-client.ts';
import type { KubeObject } from '../../operators/runtime/watcher.ts';
import { DEMO_OPERATOR, MACHINE_API_RELEASE_CONFIG_MAP } from './demo-manifests.ts';

/** The demo operator's knobs (its own ConfigMap in openshift-demo, outside the payload). */
export const DEMO_OPERATOR_CONTROL_CONFIG_MAP = 'demo-operator';

/** Delay before a failed report is tried again, in ms. */
const RETRY_MS = 250;

interface ConfigMap extends KubeObject {
  readonly data?: Readonly<Record<string, string>>;
}

/**
 * Runs `onChange` with the ConfigMaps of `namespace` (optionally one name) at start and after each change, one
 * call at a time, until `signal` aborts.
 */
async function followConfigMaps(
  kc: KubeConfig, namespace: string, name: string | undefined, signal: AbortSignal, logger: Logger,
  onChange: (byName: ReadonlyMap<string, ConfigMap>) => Promise<void>,
): Promise<void> {
  const cache = createCache<ConfigMap>(kc, `/api/v1/namespaces/${namespace}/configmaps`, {
    name: `configmaps-${namespace}`,
    ...(name ? { fieldSelector: `metadata.name=${name}` } : {}),
    logger,
  });
  let chain = Promise.resolve();
  let retry: NodeJS.Timeout | undefined;
  const run = () => {
    clearTimeout(retry);
    chain = chain.then(async () => {
      if (signal.aborted) return;
      const byName = new Map(cache.store.list().map((cm) => [cm.metadata?.name ?? '', cm]));
      await onChange(byName).catch((err: unknown) => {
        // A conflict with another writer of the ClusterOperator (the CVO applying its manifest, as at every start)
        // is expected and retried: only other failures are worth a warning. Either way try again soon, or the
        // report would wait for the next change.
        if (isConflict(err)) logger.debug('ClusterOperator changed meanwhile, reporting again', { error: errorMessage(err) });
        else logger.warn('Failed to report a ClusterOperator, retrying', { error: errorMessage(err) });
        if (!signal.aborted) retry = setTimeout(run, RETRY_MS);
      });
    });
  };
  const unsubscribe = cache.subscribe(run);
  const started = cache.start(signal);
  await cache.store.waitForSync(signal).then(run, () => undefined);
  await started;
  clearTimeout(retry);
  unsubscribe();
  await chain;
}

/** Merge-patches the status of ClusterOperator `name`, creating it first if needed. */
async function writeClusterOperatorStatus(kc: KubeConfig, name: string, status: (current: ClusterOperator) => ClusterOperator['status']): Promise<void> {
  const ref = CLUSTER_OPERATOR_RESOURCE;
  let current: ClusterOperator;
  try {
    current = await kubeJson<ClusterOperator>(kc, resourcePath(ref, undefined, name));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    current = await kubeJson<ClusterOperator>(kc, resourcePath(ref, undefined), { method: 'POST', body: { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name }, spec: {} } })
      .catch(async (e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
        return kubeJson<ClusterOperator>(kc, resourcePath(ref, undefined, name));
      });
  }
  const next = status(current);
  if (JSON.stringify(next) === JSON.stringify(current.status)) return;
  await kubeJson(kc, resourcePath(ref, undefined, name, 'status'), { method: 'PATCH', contentType: 'application/merge-patch+json', body: { status: next } });
}

/** The demo operator until `signal` aborts. */
export async function runDemoOperator(kc: KubeConfig, signal: AbortSignal, logger: Logger): Promise<void> {
  let reported: string | undefined;
  await followConfigMaps(kc, DEMO_OPERATOR.namespace, undefined, signal, logger, async (configMaps) => {
    const wanted = configMaps.get(DEMO_OPERATOR.configMap)?.data?.version;
    const knobs = configMaps.get(DEMO_OPERATOR_CONTROL_CONFIG_MAP)?.data ?? {};
    const stalled = knobs.stall === 'true' && reported !== undefined;
    const version = stalled ? reported : wanted;
    if (version === undefined) return; // the payload's ConfigMap is not there yet: nothing to report
    const now = new Date();
    await writeClusterOperatorStatus(kc, DEMO_OPERATOR.clusterOperator, (current) => {
      let conditions: ClusterOperatorStatusCondition[] = [...(current.status?.conditions ?? [])];
      const set = (type: string, value: boolean, reason: string, message: string) => {
        conditions = setCondition(conditions, { type, status: value ? 'True' : 'False', reason, message }, now);
      };
      set('Available', true, 'AsExpected', `The demo operand runs version ${version}`);
      set('Progressing', stalled && wanted !== version, stalled ? 'Stalled' : 'AsExpected', stalled ? `Stalled at ${version} (ConfigMap ${DEMO_OPERATOR.namespace}/${DEMO_OPERATOR_CONTROL_CONFIG_MAP} stall=true)` : '');
      set('Degraded', false, 'AsExpected', '');
      if (knobs.upgradeable === 'false') set('Upgradeable', false, 'DemoNotUpgradeable', knobs.message ?? 'The demo operator is told to block minor updates');
      else set('Upgradeable', true, 'AsExpected', '');
      return {
        conditions,
        versions: [{ name: OPERATOR_VERSION_NAME, version }],
        relatedObjects: [{ group: '', resource: 'namespaces', name: DEMO_OPERATOR.namespace }],
      };
    });
    reported = version;
  });
}

export interface ReleaseFollowingReporter {
  /** For buildMachineApiOperator's statusReporter: the operator's own reports. */
  readonly reporter: OperatorStatusReporter;
  /** Re-reports whenever the release ConfigMap changes, until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
}

/**
 * ClusterOperator `machine-api` with the Machine API operator's conditions and, as version, the release in
 * openshift-machine-api/machine-api-release (or `fallbackVersion` before any payload applied it).
 */
export function releaseFollowingReporter(kc: KubeConfig, fallbackVersion: string, logger: Logger): ReleaseFollowingReporter {
  const inner = clusterOperatorStatusReporter(kubeResourceClient(kc));
  let last: OperatorStatus | undefined;
  let release: string | undefined;
  const write = (signal: AbortSignal) =>
    last ? inner.report({ ...last, versions: { ...last.versions, [OPERATOR_VERSION_NAME]: release ?? fallbackVersion } }, signal) : Promise.resolve();
  return {
    reporter: {
      async report(status, signal) {
        last = status;
        await write(signal);
      },
    },
    run: (signal) =>
      followConfigMaps(kc, MACHINE_API_RELEASE_CONFIG_MAP.namespace, MACHINE_API_RELEASE_CONFIG_MAP.name, signal, logger, async (configMaps) => {
        release = configMaps.get(MACHINE_API_RELEASE_CONFIG_MAP.name)?.data?.version;
        await write(signal);
      }),
  };
}
