// The Machine API operator's ClusterOperator `machine-api` (config.openshift.io/v1): the report the
// cluster-version operator gates on (shared/reference/cluster-version.md §1.5). Available=True, Degraded=False and
// versions[operator] equal to the release's version let an update go past this component's run level; the
// version is the release the operator was rolled out with (RELEASE_VERSION / --release-version), never its own
// package version, or the CVO would wait forever.
import { CLUSTER_OPERATOR_RESOURCE, OPERATOR_VERSION_NAME, type ClusterOperator, type ClusterOperatorStatusCondition, type ObjectReference } from '../api/config-v1.ts';
import { MACHINE_API_NAMESPACE } from '../api/machine-v1beta1.ts';
import { setCondition } from '../runtime/conditions.ts';
import { isAlreadyExists, isNotFound } from '../runtime/errors.ts';
import type { ResourceClient } from '../runtime/resource-client.ts';
import { writeStatus } from '../runtime/status.ts';
import type { OperatorStatus, OperatorStatusReporter } from './cluster-operator.ts';

/** The ClusterOperator MAO reports (machine-api-operator install/0000_30_machine-api-operator_13_clusteroperator.yaml). */
export const MACHINE_API_CLUSTER_OPERATOR = 'machine-api';

export interface ClusterOperatorReporterOptions {
  /** Default MACHINE_API_CLUSTER_OPERATOR. */
  readonly name?: string;
  /** Namespace of the Machine API objects, for relatedObjects. Default openshift-machine-api. */
  readonly namespace?: string;
  readonly now?: () => Date;
}

/** What must-gather collects for this operator. */
export function machineApiRelatedObjects(namespace: string): ObjectReference[] {
  return [
    { group: '', resource: 'namespaces', namespace: '', name: namespace },
    { group: 'machine.openshift.io', resource: 'machines', namespace, name: '' },
    { group: 'machine.openshift.io', resource: 'machinesets', namespace, name: '' },
    { group: 'machine.openshift.io', resource: 'machinehealthchecks', namespace, name: '' },
  ];
}

/**
 * Writes the ClusterOperator on each report: created when absent, then one merge patch of its status, sent only
 * when something changed; a condition's lastTransitionTime moves only when its status flips.
 */
export function clusterOperatorStatusReporter(client: ResourceClient, options: ClusterOperatorReporterOptions = {}): OperatorStatusReporter {
  const name = options.name ?? MACHINE_API_CLUSTER_OPERATOR;
  const relatedObjects = machineApiRelatedObjects(options.namespace ?? MACHINE_API_NAMESPACE);
  const now = options.now ?? (() => new Date());
  const ref = CLUSTER_OPERATOR_RESOURCE;
  return {
    async report(status) {
      const current = (await getOrCreate(client, name)) as ClusterOperator;
      await writeStatus(client, ref, current, {
        conditions: clusterOperatorConditions(current.status?.conditions, status, now()),
        versions: Object.entries(status.versions).map(([n, version]) => ({ name: n, version })),
        relatedObjects,
      });
    },
  };
}

/** Available, Progressing, Degraded and Upgradeable from the operator's status (MAO pkg/operator/status.go). */
export function clusterOperatorConditions(
  existing: readonly ClusterOperatorStatusCondition[] | undefined,
  status: OperatorStatus,
  now: Date,
): ClusterOperatorStatusCondition[] {
  const version = status.versions[OPERATOR_VERSION_NAME];
  let conditions = [...(existing ?? [])];
  const set = (type: string, value: boolean, reason: string, message: string) => {
    conditions = setCondition(conditions, { type, status: value ? 'True' : 'False', reason, message }, now);
  };
  set('Available', status.available, status.available ? 'AsExpected' : 'Initializing',
    status.available ? `Cluster Machine API Operator is available at ${version ?? 'an unknown version'}` : status.message);
  set('Progressing', status.progressing, status.progressing ? 'SyncingResources' : 'AsExpected', status.progressing ? status.message : '');
  set('Degraded', status.degraded, status.degraded ? 'SyncingFailed' : 'AsExpected', status.degraded ? status.message : '');
  set('Upgradeable', true, 'AsExpected', '');
  return conditions;
}

async function getOrCreate(client: ResourceClient, name: string): Promise<unknown> {
  const ref = CLUSTER_OPERATOR_RESOURCE;
  try {
    return await client.get(ref, undefined, name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    return await client.create(ref, undefined, { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name }, spec: {} });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return client.get(ref, undefined, name);
  }
}
