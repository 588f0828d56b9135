// Checks of crds/machineconfiguration.openshift.io_*.yaml: kube-apiserver's CRD validation, the identity and printer
// columns of `oc get mcp`, that OpenShift's own pools and configs go through prune → default → validate unchanged,
// and that machine-fleet's additions are defaulted and validated. Expected values come from openshift/api
// machineconfiguration/v1 (types.go, zz_generated.crd-manifests/0000_80_machine-config_01_machineconfigpools-Default)
// and openshift/machine-config-operator manifests/master.machineconfigpool.yaml.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { applyDefaults, pruneUnknownFields, validateAgainstSchema, validateCustomResourceDefinition } from '../../devcluster/apiserver/schema/index.ts';
import { customResourcePrinter } from '../../devcluster/apiserver/table/index.ts';
import type { JsonObject, KubeObject, PrinterColumn, SchemaNode } from '../../devcluster/apiserver/types.ts';
import { MACHINE_CONFIG_POOL_RESOURCE, MACHINE_CONFIG_RESOURCE } from '../api/machineconfiguration-v1.ts';

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[] };
    versions: { name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: SchemaNode }; subresources?: JsonObject; additionalPrinterColumns?: PrinterColumn[] }[];
  };
}

function loadCrd(plural: string): Crd {
  const docs = parseAllDocuments(readFileSync(new URL(`../../crds/machineconfiguration.openshift.io_${plural}.yaml`, import.meta.url), 'utf8'));
  assert.equal(docs.length, 1);
  assert.deepEqual([...docs[0].errors, ...docs[0].warnings], []);
  return docs[0].toJS() as Crd;
}
const pools = loadCrd('machineconfigpools');
const configs = loadCrd('machineconfigs');

function admit(crd: Crd, obj: JsonObject) {
  const schema = crd.spec.versions[0].schema.openAPIV3Schema;
  const stored = structuredClone(obj);
  const pruned = pruneUnknownFields(stored as KubeObject, schema);
  applyDefaults(stored, schema);
  return { stored, pruned, errors: validateAgainstSchema(stored as KubeObject, schema).map((e) => `${e.field}: ${e.reason}`) };
}

// manifests/master.machineconfigpool.yaml, with a status as the MCO writes it mid-update.
const masterPool: JsonObject = {
  apiVersion: 'machineconfiguration.openshift.io/v1',
  kind: 'MachineConfigPool',
  metadata: {
    name: 'master',
    labels: {
      'machineconfiguration.openshift.io/mco-built-in': '',
      'operator.machineconfiguration.openshift.io/required-for-upgrade': '',
      'pools.operator.machineconfiguration.openshift.io/master': '',
    },
  },
  spec: {
    machineConfigSelector: { matchLabels: { 'machineconfiguration.openshift.io/role': 'master' } },
    nodeSelector: { matchLabels: { 'node-role.kubernetes.io/master': '' } },
    paused: false,
    maxUnavailable: 1,
    configuration: { name: 'rendered-master-0123', source: [{ apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfig', name: '00-master' }] },
  },
  status: {
    observedGeneration: 3,
    configuration: { name: 'rendered-master-abcd', source: [{ apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfig', name: '00-master' }] },
    machineCount: 3, updatedMachineCount: 1, readyMachineCount: 1, unavailableMachineCount: 1, degradedMachineCount: 0,
    certExpirys: [{ bundle: 'KubeAPIServerServingCAData', subject: 'CN=admin-kubeconfig-signer,OU=openshift', expiry: '2036-08-01T10:00:00Z' }],
    conditions: [
      { type: 'Updated', status: 'False', lastTransitionTime: '2026-08-20T11:00:00Z', reason: '', message: '' },
      { type: 'Updating', status: 'True', lastTransitionTime: '2026-08-20T11:00:00Z', reason: '', message: 'All nodes are updating to MachineConfig rendered-master-0123' },
      { type: 'Degraded', status: 'False', lastTransitionTime: '2026-08-20T10:00:00Z', reason: '', message: '' },
      { type: 'RenderDegraded', status: 'False', lastTransitionTime: null, reason: '', message: '' },
    ],
  },
};

describe('machineconfiguration.openshift.io CRDs (crds/)', () => {
  for (const [crd, r] of [[pools, MACHINE_CONFIG_POOL_RESOURCE], [configs, MACHINE_CONFIG_RESOURCE]] as const) {
    it(`serves ${r.kind} cluster-scoped as v1, as the TypeScript resource constant says, and passes CRD validation`, () => {
      assert.deepEqual(
        { name: crd.metadata.name, scope: crd.spec.scope, group: crd.spec.group, kind: crd.spec.names.kind, listKind: crd.spec.names.listKind, plural: crd.spec.names.plural, singular: crd.spec.names.singular, versions: crd.spec.versions.map((v) => v.name) },
        { name: `${r.plural}.${r.group}`, scope: 'Cluster', group: r.group, kind: r.kind, listKind: r.listKind, plural: r.plural, singular: r.singular, versions: [r.version] },
      );
      assert.deepEqual(validateCustomResourceDefinition(crd as unknown as KubeObject), []);
    });
  }

  it('gives the short names mcp and mc, and the pool a status subresource', () => {
    assert.deepEqual([pools.spec.names.shortNames, configs.spec.names.shortNames, pools.spec.versions[0].subresources], [['mcp'], ['mc'], { status: {} }]);
  });

  it('prints the columns of oc get mcp', () => {
    const columns = pools.spec.versions[0].additionalPrinterColumns!;
    assert.deepEqual(columns.map((c) => c.name.toUpperCase()), [
      'CONFIG', 'UPDATED', 'UPDATING', 'DEGRADED', 'MACHINECOUNT', 'READYMACHINECOUNT', 'UPDATEDMACHINECOUNT', 'DEGRADEDMACHINECOUNT', 'AGE',
    ]);
    const cells = customResourcePrinter(columns).cells({ ...masterPool, metadata: { ...(masterPool.metadata as JsonObject), creationTimestamp: '2026-08-20T10:00:00Z' } } as KubeObject, new Date('2026-08-20T12:00:00Z'));
    assert.deepEqual(cells, ['rendered-master-abcd', 'False', 'True', 'False', 3, 1, 1, 0, '120m']);
  });

  it("admits OpenShift's master pool and its status unchanged", () => {
    const { stored, pruned, errors } = admit(pools, masterPool);
    assert.deepEqual([pruned, errors], [[], []]);
    assert.deepEqual(stored, masterPool);
  });

  it('accepts maxUnavailable as a count or a percentage', () => {
    for (const maxUnavailable of [2, '20%']) assert.deepEqual(admit(pools, { ...masterPool, spec: { maxUnavailable } }).errors, []);
  });

  it("defaults machine-fleet's additions: canary, maintenance windows and the OS update strategy", () => {
    const { stored, errors } = admit(pools, {
      apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfigPool', metadata: { name: 'worker' },
      spec: { canary: {}, maintenanceWindows: [{ days: ['Sat', 'Sun'], start: '02:00', durationMinutes: 240 }], osUpdate: {} },
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(stored.spec, {
      canary: { nodes: 1, soakSeconds: 300 },
      maintenanceWindows: [{ days: ['Sat', 'Sun'], start: '02:00', durationMinutes: 240, timeZone: 'UTC' }],
      osUpdate: { strategy: 'InPlace', nodeReadyTimeoutSeconds: 600 },
    });
  });

  it('rejects malformed additions with the field at fault', () => {
    const { errors } = admit(pools, {
      apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfigPool', metadata: { name: 'worker' },
      spec: {
        canary: { nodes: 0 },
        maintenanceWindows: [{ days: ['Funday'], start: '25:00', durationMinutes: 0, timeZone: 'Europe/Paris' }],
        osUpdate: { strategy: 'Surge' },
      },
    });
    assert.deepEqual(errors.sort(), [
      'spec.canary.nodes: FieldValueInvalid',
      'spec.maintenanceWindows[0].days[0]: FieldValueNotSupported',
      'spec.maintenanceWindows[0].durationMinutes: FieldValueInvalid',
      'spec.maintenanceWindows[0].start: FieldValueInvalid',
      'spec.maintenanceWindows[0].timeZone: FieldValueNotSupported',
      'spec.osUpdate.strategy: FieldValueNotSupported',
    ]);
  });

  it('keeps an Ignition config as written in a MachineConfig', () => {
    const mc: JsonObject = {
      apiVersion: 'machineconfiguration.openshift.io/v1', kind: 'MachineConfig',
      metadata: { name: '99-worker-ssh', labels: { 'machineconfiguration.openshift.io/role': 'worker' } },
      spec: {
        config: { ignition: { version: '3.2.0' }, passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA'] }] } },
        osImageURL: 'quay.io/x@sha256:' + 'a'.repeat(64), kernelArguments: ['nosmt'], extensions: ['usbguard'], fips: false, kernelType: 'default',
      },
    };
    const { stored, pruned, errors } = admit(configs, mc);
    assert.deepEqual([pruned, errors, stored], [[], [], mc]);
  });
});
