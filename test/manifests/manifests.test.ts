// manifests/ against the embedded API server with the real kubectl: everything applies under strict validation in
// file order, and the RBAC grants exactly the API calls the operator makes (the table below, one row per call
// site), with no wildcards and nothing more.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startTestServer, type TestServer } from '../support/dev-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MANIFESTS = join(ROOT, 'manifests');
const NAMESPACE = 'openshift-machine-api';

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
const p = (group: string, resource: string, verbs: string, scope: Permission['scope'], by: string): Permission[] =>
  verbs.split(' ').map((verb) => ({ group, resource, verb, scope, by }));

/** Every API call the operator makes. */
const CALLS: readonly Permission[] = [
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
];

interface PolicyRule {
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
  readonly nonResourceURLs?: string[];
}
interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly rules?: PolicyRule[];
  readonly roleRef?: { readonly kind: string; readonly name: string };
  readonly subjects?: { readonly kind: string; readonly name: string; readonly namespace?: string }[];
  readonly spec?: { readonly template?: { readonly spec?: { readonly serviceAccountName?: string } } };
}

function manifests(): Manifest[] {
  return readdirSync(MANIFESTS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(MANIFESTS, f), 'utf8')).map((d) => d.toJS() as Manifest));
}
const one = (kind: string) => {
  const found = manifests().filter((m) => m.kind === kind);
  assert.equal(found.length, 1, `one ${kind}`);
  return found[0];
};
const grants = (rules: readonly PolicyRule[]) =>
  rules.flatMap((r) => (r.apiGroups ?? []).flatMap((group) => (r.resources ?? []).flatMap((resource) => r.verbs.map((verb) => ({ group, resource, verb })))));
const key = (g: { group: string; resource: string; verb: string }) => `${g.group}/${g.resource}:${g.verb}`;

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

    it('are accepted under strict validation after the CRDs, in file order', async () => {
      await server.kubectl(['apply', '--validate=strict', '-f', join(ROOT, 'crds')]);
      const applied = await server.kubectl(['apply', '--validate=strict', '-f', MANIFESTS]);
      assert.equal(applied.stderr, '');
      assert.deepEqual(applied.stdout.trim().split('\n'), [
        `namespace/${NAMESPACE} created`,
        'serviceaccount/machine-api-operator created',
        'clusterrole.rbac.authorization.k8s.io/machine-api-operator created',
        'clusterrolebinding.rbac.authorization.k8s.io/machine-api-operator created',
        'role.rbac.authorization.k8s.io/machine-api-operator created',
        'rolebinding.rbac.authorization.k8s.io/machine-api-operator created',
        'deployment.apps/machine-api-operator created',
        'service/machine-api-operator-metrics created',
      ]);
      const again = await server.kubectl(['apply', '--validate=strict', '-f', MANIFESTS]);
      assert.ok(again.stdout.trim().split('\n').every((line) => line.endsWith(' unchanged')), again.stdout);
    });
  });

  describe('RBAC', () => {
    const clusterRole = () => one('ClusterRole');
    const role = () => one('Role');

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
      for (const call of CALLS) {
        const granted = call.scope === 'cluster' ? cluster.has(key(call)) : namespaced.has(key(call));
        assert.ok(granted, `${key(call)} (${call.scope}) is needed by ${call.by}`);
      }
    });

    it('grants nothing the operator does not use', () => {
      const used = new Set(CALLS.map(key));
      for (const grant of [...grants(clusterRole().rules ?? []), ...grants(role().rules ?? [])]) {
        assert.ok(used.has(key(grant)), `${key(grant)} is granted but no call site uses it`);
      }
      assert.equal(grants(role().rules ?? []).filter((g) => CALLS.some((c) => c.scope === 'cluster' && key(c) === key(g))).length, 0);
    });

    it('binds both roles to the ServiceAccount the Deployment runs as', () => {
      const account = one('Deployment').spec?.template?.spec?.serviceAccountName;
      assert.equal(account, one('ServiceAccount').metadata.name);
      for (const [binding, roleKind] of [[one('ClusterRoleBinding'), 'ClusterRole'], [one('RoleBinding'), 'Role']] as const) {
        assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: one(roleKind).metadata.name });
        assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: account, namespace: NAMESPACE }]);
      }
      assert.equal(role().metadata.namespace, NAMESPACE);
    });
  });
});
