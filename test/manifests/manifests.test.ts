// manifests/ against the embedded API server with the real kubectl: every operator's folder applies under strict
// validation in order, the Machine API and machine-config operators' RBAC grants exactly the API calls each makes
// (the tables below, one row per call site) with no wildcards and nothing more, and the cluster-version operator,
// which applies arbitrary payload manifests, is bound to cluster-admin as upstream's is.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startTestServer, type TestServer } from '../support/dev-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MANIFESTS = join(ROOT, 'manifests');

interface Permission {
  readonly group: string;
  /** "resource" or "resource/subresource". */
  readonly resource: string;
  readonly verb: string;
  /** Where the objects live: the operator's namespace, or anywhere (cluster-scoped or every namespace). */
  readonly scope: 'namespace' | 'cluster';
  /** The call site, so a change in the code points here. */
  readonly by: string;
}

const MAPI = 'machine.openshift.io';
const MCFG = 'machineconfiguration.openshift.io';
const CONFIG = 'config.openshift.io';
const p = (group: string, resource: string, verbs: string, scope: Permission['scope'], by: string): Permission[] =>
  verbs.split(' ').map((verb) => ({ group, resource, verb, scope, by }));

/** An operator deployed from manifests/<folder>/, in the order they are applied. */
interface Operator {
  readonly folder: string;
  readonly namespace: string;
  /** Its ServiceAccount, Deployment and RBAC objects are all named so. */
  readonly name: string;
  readonly replicas: number;
  /** Every API call the operator makes; undefined for the CVO, which is cluster-admin. */
  readonly calls?: readonly Permission[];
}

const MACHINE_API: Operator = {
  folder: 'machine-api',
  namespace: 'openshift-machine-api',
  name: 'machine-api-operator',
  replicas: 2,
  calls: [
    ...p(MAPI, 'machines', 'list watch', 'namespace', 'operator.ts machines cache'),
    ...p(MAPI, 'machines', 'create', 'namespace', 'machineset/controller.ts createMachine'),
    ...p(MAPI, 'machines', 'patch', 'namespace', 'machineset adoption, machine finalizer (runtime/finalizers.ts), machine/scope.ts applyStep, MHC external remediation'),
    ...p(MAPI, 'machines', 'delete', 'namespace', 'machineset scale-down, machinehealthcheck remediation'),
    ...p(MAPI, 'machines/status', 'patch', 'namespace', 'runtime/status.ts writeStatus (machine, drain, nodelink)'),
    ...p(MAPI, 'machinesets', 'list watch', 'namespace', 'operator.ts machinesets cache'),
    ...p(MAPI, 'machinesets/status', 'patch', 'namespace', 'machineset/controller.ts writeStatus'),
    ...p(MAPI, 'machinesets/finalizers', 'update', 'namespace', 'blockOwnerDeletion on created Machines (OwnerReferencesPermissionEnforcement)'),
    ...p(MAPI, 'machinehealthchecks', 'list watch', 'namespace', 'operator.ts machinehealthchecks cache'),
    ...p(MAPI, 'machinehealthchecks/status', 'patch', 'namespace', 'machinehealthcheck/controller.ts writeStatus'),
    ...p('', 'events', 'create patch', 'namespace', 'runtime/events.ts Recorder'),
    ...p('coordination.k8s.io', 'leases', 'get create update', 'namespace', 'runtime/leader-election.ts coordinationLeaseClient'),
    ...p('', 'secrets', 'get', 'namespace', 'operator.ts secretReader (ProviderDeps.readSecret)'),
    ...p('', 'nodes', 'list watch', 'cluster', 'operator.ts nodes cache'),
    ...p('', 'nodes', 'patch', 'cluster', 'nodelink/controller.ts, drain/controller.ts cordon'),
    ...p('', 'nodes', 'delete', 'cluster', 'machine/delete.ts'),
    ...p('', 'pods', 'list watch', 'cluster', 'operator.ts pods cache'),
    ...p('', 'pods/eviction', 'create', 'cluster', 'drain/controller.ts'),
  ],
};

/** operators/machine-config/: the operator only; the node agent (PROTOCOL.md) is another component. */
const MACHINE_CONFIG: Operator = {
  folder: 'machine-config',
  namespace: 'openshift-machine-config-operator',
  name: 'machine-config-operator',
  replicas: 2,
  calls: [
    ...p(MCFG, 'machineconfigpools', 'list watch', 'cluster', 'operator.ts pools cache'),
    ...p(MCFG, 'machineconfigpools', 'patch', 'cluster', 'pool-controller.ts spec.configuration'),
    ...p(MCFG, 'machineconfigpools/status', 'patch', 'cluster', 'pool-controller.ts writeStatus'),
    ...p(MCFG, 'machineconfigpools/finalizers', 'update', 'cluster', 'blockOwnerDeletion on rendered MachineConfigs (target.ts renderMachineConfig)'),
    ...p(MCFG, 'machineconfigs', 'list watch', 'cluster', 'operator.ts machineconfigs cache'),
    ...p(MCFG, 'machineconfigs', 'create', 'cluster', 'pool-controller.ts rendered MachineConfig'),
    ...p('', 'nodes', 'list watch', 'cluster', 'operator.ts nodes cache'),
    ...p('', 'nodes', 'patch', 'cluster', 'pool-controller.ts annotateNode (adopt, start, roll back)'),
    ...p(CONFIG, 'clusteroperators', 'list watch', 'cluster', 'operator.ts clusteroperators cache (field selector metadata.name)'),
    ...p(CONFIG, 'clusteroperators', 'create', 'cluster', 'cluster-operator-controller.ts'),
    ...p(CONFIG, 'clusteroperators/status', 'patch', 'cluster', 'cluster-operator-controller.ts writeStatus'),
    ...p(MAPI, 'machines', 'list watch', 'cluster', 'operator.ts machines cache (optional-resource.ts, every namespace)'),
    ...p(MAPI, 'machines', 'patch', 'cluster', 'replace/reconcile.ts delete-machine annotation'),
    ...p(MAPI, 'machinesets', 'list watch', 'cluster', 'operator.ts machinesets cache (optional-resource.ts, every namespace)'),
    ...p(MAPI, 'machinesets', 'patch', 'cluster', 'replace/reconcile.ts boot image, replicas, replace annotations'),
    ...p('', 'events', 'create patch', 'cluster', 'runtime/events.ts Recorder: pools and Nodes in "default", MachineSets in theirs'),
    ...p('', 'configmaps', 'list watch', 'namespace', 'operator.ts configmaps cache (osimageurl, coreos-bootimages)'),
    ...p('coordination.k8s.io', 'leases', 'get create update', 'namespace', 'runtime/leader-election.ts coordinationLeaseClient'),
  ],
};

const CLUSTER_VERSION: Operator = {
  folder: 'cluster-version',
  namespace: 'openshift-cluster-version',
  name: 'cluster-version-operator',
  replicas: 1,
};

const OPERATORS = [MACHINE_API, MACHINE_CONFIG, CLUSTER_VERSION];

interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
  readonly nonResourceURLs?: string[];
}
interface Container {
  readonly args?: string[];
  readonly env?: { readonly name: string; readonly value?: string }[];
  readonly livenessProbe?: { readonly httpGet?: { readonly path: string } };
  readonly readinessProbe?: { readonly httpGet?: { readonly path: string } };
}
interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly rules?: PolicyRule[];
  readonly roleRef?: { readonly kind: string; readonly name: string };
  readonly subjects?: { readonly kind: string; readonly name: string; readonly namespace?: string }[];
  readonly spec?: { readonly replicas?: number; readonly template?: { readonly spec?: { readonly serviceAccountName?: string; readonly containers?: Container[] } } };
}

function manifests(folder: string): Manifest[] {
  const dir = join(MANIFESTS, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJS() as Manifest));
}
const all = (op: Operator, kind: string) => manifests(op.folder).filter((m) => m.kind === kind);
const one = (op: Operator, kind: string) => {
  const found = all(op, kind);
  assert.equal(found.length, 1, `one ${kind} in manifests/${op.folder}`);
  return found[0];
};
const container = (op: Operator) => {
  const containers = one(op, 'Deployment').spec?.template?.spec?.containers ?? [];
  assert.equal(containers.length, 1);
  return containers[0];
};
const grants = (rules: readonly PolicyRule[]) =>
  rules.flatMap((r) => (r.apiGroups ?? []).flatMap((group) => (r.resources ?? []).flatMap((resource) => r.verbs.map((verb) => ({ group, resource, verb })))));
const key = (g: { group: string; resource: string; verb: string }) => `${g.group}/${g.resource}:${g.verb}`;
const serviceAccount = (op: Operator) => ({ kind: 'ServiceAccount', name: op.name, namespace: op.namespace });

describe('manifests/', function () {
  this.timeout(30_000);

  describe('applied with kubectl', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ ephemeral: true });
    });
    after(async () => {
      await server?.stop();
    });

    it('are accepted under strict validation after the CRDs, each operator in file order', async () => {
      await server.kubectl(['apply', '--validate=strict', '-f', join(ROOT, 'crds')]);
      const files = OPERATORS.flatMap((op) => ['-f', join(MANIFESTS, op.folder)]);
      const applied = await server.kubectl(['apply', '--validate=strict', ...files]);
      assert.equal(applied.stderr, '');
      const rbac = 'rbac.authorization.k8s.io';
      assert.deepEqual(applied.stdout.trim().split('\n'), [
        'namespace/openshift-machine-api created',
        'serviceaccount/machine-api-operator created',
        `clusterrole.${rbac}/machine-api-operator created`,
        `clusterrolebinding.${rbac}/machine-api-operator created`,
        `role.${rbac}/machine-api-operator created`,
        `rolebinding.${rbac}/machine-api-operator created`,
        'deployment.apps/machine-api-operator created',
        'service/machine-api-operator-metrics created',
        'namespace/openshift-machine-config-operator created',
        'serviceaccount/machine-config-operator created',
        `clusterrole.${rbac}/machine-config-operator created`,
        `clusterrolebinding.${rbac}/machine-config-operator created`,
        `role.${rbac}/machine-config-operator created`,
        `rolebinding.${rbac}/machine-config-operator created`,
        'deployment.apps/machine-config-operator created',
        'service/machine-config-operator-metrics created',
        'namespace/openshift-cluster-version created',
        'serviceaccount/cluster-version-operator created',
        `clusterrolebinding.${rbac}/cluster-version-operator created`,
        'deployment.apps/cluster-version-operator created',
        'service/cluster-version-operator-metrics created',
      ]);
      const again = await server.kubectl(['apply', '--validate=strict', ...files]);
      assert.ok(again.stdout.trim().split('\n').every((line) => line.endsWith(' unchanged')), again.stdout);
    });
  });

  for (const op of OPERATORS) {
    describe(`${op.folder}/ Deployment`, () => {
      it(`runs ${op.replicas} replica(s) as its ServiceAccount, in its namespace, with leader election and probes`, () => {
        const deployment = one(op, 'Deployment');
        assert.equal(deployment.metadata.namespace, op.namespace);
        assert.equal(deployment.spec?.replicas, op.replicas);
        assert.equal(deployment.spec?.template?.spec?.serviceAccountName, one(op, 'ServiceAccount').metadata.name);
        assert.equal(one(op, 'Namespace').metadata.name, op.namespace);
        const c = container(op);
        assert.ok(c.args?.includes('--leader-elect'), JSON.stringify(c.args));
        assert.ok(c.args?.includes(`--namespace=${op.namespace}`), JSON.stringify(c.args));
        assert.equal(c.livenessProbe?.httpGet?.path, '/healthz');
        assert.equal(c.readinessProbe?.httpGet?.path, '/readyz');
      });
    });
  }

  for (const op of OPERATORS) {
    const calls = op.calls;
    if (!calls) continue;
    describe(`${op.folder}/ RBAC`, () => {
      const clusterRole = () => one(op, 'ClusterRole');
      const role = () => one(op, 'Role');

      it('uses no wildcards, resource names or non-resource URLs', () => {
        for (const rule of [...(clusterRole().rules ?? []), ...(role().rules ?? [])]) {
          for (const value of [...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]) assert.ok(!value.includes('*'), JSON.stringify(rule));
          assert.equal(rule.resourceNames, undefined);
          assert.equal(rule.nonResourceURLs, undefined);
        }
      });

      it('grants every API call the operator makes, cluster-wide only where the objects are outside its namespace', () => {
        const cluster = new Set(grants(clusterRole().rules ?? []).map(key));
        const namespaced = new Set(grants(role().rules ?? []).map(key));
        for (const call of calls) {
          const granted = call.scope === 'cluster' ? cluster.has(key(call)) : namespaced.has(key(call));
          assert.ok(granted, `${key(call)} (${call.scope}) is needed by ${call.by}`);
        }
      });

      it('grants nothing the operator does not use', () => {
        const used = new Set(calls.map(key));
        for (const grant of [...grants(clusterRole().rules ?? []), ...grants(role().rules ?? [])]) {
          assert.ok(used.has(key(grant)), `${key(grant)} is granted but no call site uses it`);
        }
        assert.equal(grants(role().rules ?? []).filter((g) => calls.some((c) => c.scope === 'cluster' && key(c) === key(g))).length, 0);
      });

      it('binds both roles to the ServiceAccount the Deployment runs as', () => {
        for (const [binding, roleKind] of [[one(op, 'ClusterRoleBinding'), 'ClusterRole'], [one(op, 'RoleBinding'), 'Role']] as const) {
          assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: one(op, roleKind).metadata.name });
          assert.deepEqual(binding.subjects, [serviceAccount(op)]);
        }
        assert.equal(role().metadata.namespace, op.namespace);
      });
    });
  }

  describe('cluster-version/', () => {
    const op = CLUSTER_VERSION;

    it('binds cluster-admin to its ServiceAccount and defines no roles of its own', () => {
      const binding = one(op, 'ClusterRoleBinding');
      assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' });
      assert.deepEqual(binding.subjects, [serviceAccount(op)]);
      for (const kind of ['ClusterRole', 'Role', 'RoleBinding']) assert.deepEqual(all(op, kind), [], kind);
    });

    it('takes the release to install from RELEASE_IMAGE, a placeholder the admin sets', () => {
      const c = container(op);
      assert.ok(c.args?.includes('--release-image=$(RELEASE_IMAGE)'), JSON.stringify(c.args));
      assert.match(c.env?.find((e) => e.name === 'RELEASE_IMAGE')?.value ?? '', /SET-ME/);
    });
  });
});
