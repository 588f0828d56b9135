// Checks of the config.openshift.io CRDs in this folder (ClusterVersion, ClusterOperator): kube-apiserver's CRD
// validation, the identity and printer columns `oc get clusterversion` / `oc get clusteroperators` show, and that
// objects as the CVO and operators write them are neither pruned nor rejected.
// Expected values come from openshift/api config/v1 (types_cluster_version.go, types_cluster_operator.go and
// zz_generated.crd-manifests/0000_00_cluster-version-operator_01_*.crd.yaml).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { JsonObject, KubeObject, PrinterColumn, SchemaNode } from '../devcluster/apiserver/types.ts';
import { applyDefaults, pruneUnknownFields, validateAgainstSchema, validateCustomResourceDefinition } from '../devcluster/apiserver/schema/index.ts';
import { customResourcePrinter } from '../devcluster/apiserver/table/index.ts';
import {
  CAPABILITIES, CAPABILITY_SETS, CLUSTER_OPERATOR_RESOURCE, CLUSTER_VERSION_RESOURCE, clusterOperatorMessage,
  type ClusterOperatorStatus,
} from '../operators/api/config-v1.ts';
import type { ApiResource } from '../operators/api/machine-v1beta1.ts';

interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[] };
    versions: { name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: SchemaNode }; subresources?: JsonObject; additionalPrinterColumns?: PrinterColumn[] }[];
  };
}

const PLURALS = ['clusterversions', 'clusteroperators'] as const;
type Plural = (typeof PLURALS)[number];
const RESOURCES: Record<Plural, ApiResource> = { clusterversions: CLUSTER_VERSION_RESOURCE, clusteroperators: CLUSTER_OPERATOR_RESOURCE };

function loadCrd(plural: Plural): Crd {
  const file = `config.openshift.io_${plural}.yaml`;
  const docs = parseAllDocuments(readFileSync(new URL(file, import.meta.url), 'utf8'));
  assert.equal(docs.length, 1, `${file} holds one document`);
  assert.deepEqual([...docs[0].errors, ...docs[0].warnings], []);
  return docs[0].toJS() as Crd;
}
const crds: Record<Plural, Crd> = { clusterversions: loadCrd('clusterversions'), clusteroperators: loadCrd('clusteroperators') };
const schemaOf = (plural: Plural): SchemaNode => crds[plural].spec.versions[0].schema.openAPIV3Schema;

function at(schema: SchemaNode, ...path: string[]): SchemaNode {
  let node = schema;
  for (const p of path) {
    const next = p === '[]' ? node.items : node.properties?.[p];
    assert.ok(next, `schema has ${path.join('.')}`);
    node = next;
  }
  return node;
}

/** The custom resource pipeline of the API server: prune, default, validate. */
function admit(plural: Plural, obj: JsonObject): { stored: JsonObject; pruned: string[]; errors: string[] } {
  const stored = structuredClone(obj);
  const pruned = pruneUnknownFields(stored as KubeObject, schemaOf(plural));
  applyDefaults(stored, schemaOf(plural));
  return { stored, pruned, errors: validateAgainstSchema(stored as KubeObject, schemaOf(plural)).map((e) => e.field) };
}

const NOW = new Date('2026-08-20T12:00:00Z');

// As the CVO writes it mid-update: 4.16.1 completed, 4.16.2 in progress.
const clusterVersion: JsonObject = {
  apiVersion: 'config.openshift.io/v1',
  kind: 'ClusterVersion',
  metadata: { name: 'version' },
  spec: {
    clusterID: '9b6a2c36-3c1a-4d5c-9f55-3f3c4a3a0f11', channel: 'stable-4.16',
    upstream: 'https://api.openshift.com/api/upgrades_info/v1/graph',
    desiredUpdate: { version: '4.16.2', image: 'quay.io/openshift-release-dev/ocp-release@sha256:' + 'a'.repeat(64), force: false },
    capabilities: { baselineCapabilitySet: 'v4.16', additionalEnabledCapabilities: ['MachineAPI'] },
    overrides: [{ kind: 'Deployment', group: 'apps', namespace: 'openshift-monitoring', name: 'cluster-monitoring-operator', unmanaged: true }],
  },
  status: {
    desired: { version: '4.16.2', image: 'quay.io/openshift-release-dev/ocp-release@sha256:' + 'a'.repeat(64), url: 'https://access.redhat.com/errata/RHSA-2026:1', channels: ['stable-4.16', 'fast-4.16'] },
    history: [
      { state: 'Partial', startedTime: '2026-08-20T11:55:00Z', completionTime: null, version: '4.16.2', image: 'quay.io/x@sha256:' + 'a'.repeat(64), verified: false, acceptedRisks: 'The update cannot be verified: unable to verify sha256:aaa against keyrings: verifier-public-key-redhat' },
      { state: 'Completed', startedTime: '2026-08-01T10:00:00Z', completionTime: '2026-08-01T11:00:00Z', version: '4.16.1', image: 'quay.io/x@sha256:' + 'b'.repeat(64), verified: true },
    ],
    observedGeneration: 3,
    versionHash: 'Xz9_2gC3yQ0=',
    capabilities: { enabledCapabilities: ['MachineAPI', 'Console'], knownCapabilities: [...CAPABILITIES] },
    conditions: [
      { type: 'Available', status: 'True', lastTransitionTime: '2026-08-01T11:00:00Z', message: 'Done applying 4.16.1' },
      { type: 'Failing', status: 'False', lastTransitionTime: '2026-08-20T11:55:00Z' },
      { type: 'Progressing', status: 'True', lastTransitionTime: '2026-08-20T11:55:00Z', message: 'Working towards 4.16.2: 106 of 863 done (12% complete)' },
      { type: 'ReleaseAccepted', status: 'True', lastTransitionTime: '2026-08-20T11:55:00Z', reason: 'PayloadLoaded', message: 'Payload loaded version="4.16.2"' },
      { type: 'RetrievedUpdates', status: 'True', lastTransitionTime: '2026-08-01T09:00:00Z' },
    ],
    availableUpdates: null,
    conditionalUpdates: [{
      release: { version: '4.16.3', image: 'quay.io/x@sha256:' + 'c'.repeat(64) },
      risks: [{ name: 'AROBrokenDNSMasq', message: 'Clusters on ARO may lose DNS.', url: 'https://issues.example/OCPBUGS-1', matchingRules: [{ type: 'PromQL', promql: { promql: 'group(cluster_operator_up{name="aro"})' } }] }],
      conditions: [{ type: 'Recommended', status: 'False', reason: 'AROBrokenDNSMasq', message: 'Clusters on ARO may lose DNS.', lastTransitionTime: '2026-08-01T09:00:00Z' }],
    }],
  },
};

// As the machine-config operator writes it while it rolls out.
const clusterOperator: JsonObject = {
  apiVersion: 'config.openshift.io/v1',
  kind: 'ClusterOperator',
  metadata: { name: 'machine-config' },
  spec: {},
  status: {
    conditions: [
      { type: 'Available', status: 'True', lastTransitionTime: '2026-08-20T10:00:00Z', message: 'Cluster has deployed [{operator 4.16.1}]' },
      { type: 'Progressing', status: 'True', lastTransitionTime: '2026-08-20T11:56:00Z', message: 'Working towards 4.16.2' },
      { type: 'Degraded', status: 'False', lastTransitionTime: '2026-08-20T10:00:00Z' },
      { type: 'Upgradeable', status: 'True', lastTransitionTime: '2026-08-20T10:00:00Z', reason: 'AsExpected' },
    ],
    versions: [{ name: 'operator', version: '4.16.1' }, { name: 'operator-image', version: 'quay.io/x@sha256:' + 'd'.repeat(64) }],
    relatedObjects: [{ group: '', resource: 'namespaces', name: 'openshift-machine-config-operator' }, { group: 'machineconfiguration.openshift.io', resource: 'machineconfigpools', name: '' }],
    extension: { master: 'pool is updating', worker: 'all 3 nodes are at latest configuration' },
  },
};

describe('config.openshift.io CRDs (crds/)', () => {
  for (const plural of PLURALS) {
    describe(`config.openshift.io_${plural}.yaml`, () => {
      const crd = crds[plural];
      it('is a cluster-scoped v1 CRD matching the TypeScript resource constant', () => {
        const r = RESOURCES[plural];
        assert.equal(crd.metadata.name, `${r.plural}.${r.group}`);
        assert.equal(crd.spec.scope, 'Cluster');
        assert.deepEqual(
          { group: crd.spec.group, kind: crd.spec.names.kind, listKind: crd.spec.names.listKind, plural: crd.spec.names.plural, singular: crd.spec.names.singular, versions: crd.spec.versions.map((v) => v.name) },
          { group: r.group, kind: r.kind, listKind: r.listKind, plural: r.plural, singular: r.singular, versions: [r.version] },
        );
        assert.ok(crd.spec.versions[0].served && crd.spec.versions[0].storage);
      });

      it('enables the status subresource', () => assert.deepEqual(crd.spec.versions[0].subresources, { status: {} }));

      it('is accepted by the CRD validation the embedded API server runs on create (structural schema included)', () => {
        assert.deepEqual(validateCustomResourceDefinition(crd as unknown as KubeObject), []);
      });
    });
  }

  it('gives ClusterOperator the short name co, and ClusterVersion none', () => {
    assert.deepEqual([crds.clusteroperators.spec.names.shortNames, crds.clusterversions.spec.names.shortNames], [['co'], undefined]);
  });

  it('agrees with the TypeScript capability constants', () => {
    assert.deepEqual(at(schemaOf('clusterversions'), 'spec', 'capabilities', 'baselineCapabilitySet').enum, [...CAPABILITY_SETS]);
    for (const path of [['spec', 'capabilities', 'additionalEnabledCapabilities'], ['status', 'capabilities', 'enabledCapabilities'], ['status', 'capabilities', 'knownCapabilities']]) {
      assert.deepEqual(at(schemaOf('clusterversions'), ...path, '[]').enum, [...CAPABILITIES], path.join('.'));
    }
  });

  describe('printer columns', () => {
    const cells = (plural: Plural, obj: JsonObject) => customResourcePrinter(crds[plural].spec.versions[0].additionalPrinterColumns).cells(obj as KubeObject, NOW);
    const names = (plural: Plural) => crds[plural].spec.versions[0].additionalPrinterColumns?.map((c) => [c.name, c.type, c.jsonPath]);

    it('are those of oc get clusterversion: VERSION AVAILABLE PROGRESSING SINCE STATUS', () => {
      assert.deepEqual(names('clusterversions'), [
        ['Version', 'string', '.status.history[?(@.state=="Completed")].version'],
        ['Available', 'string', '.status.conditions[?(@.type=="Available")].status'],
        ['Progressing', 'string', '.status.conditions[?(@.type=="Progressing")].status'],
        ['Since', 'date', '.status.conditions[?(@.type=="Progressing")].lastTransitionTime'],
        ['Status', 'string', '.status.conditions[?(@.type=="Progressing")].message'],
      ]);
    });

    it('show the last completed version while an update is in progress', () => {
      assert.deepEqual(cells('clusterversions', clusterVersion), ['4.16.1', 'True', 'True', '5m', 'Working towards 4.16.2: 106 of 863 done (12% complete)']);
    });

    it('are those of oc get clusteroperators: VERSION AVAILABLE PROGRESSING DEGRADED SINCE', () => {
      assert.deepEqual(names('clusteroperators'), [
        ['Version', 'string', '.status.versions[?(@.name=="operator")].version'],
        ['Available', 'string', '.status.conditions[?(@.type=="Available")].status'],
        ['Progressing', 'string', '.status.conditions[?(@.type=="Progressing")].status'],
        ['Degraded', 'string', '.status.conditions[?(@.type=="Degraded")].status'],
        ['Since', 'date', '.status.conditions[?(@.type=="Available")].lastTransitionTime'],
      ]);
      assert.deepEqual(cells('clusteroperators', clusterOperator), ['4.16.1', 'True', 'True', 'False', '120m']);
    });
  });

  describe('clusterOperatorMessage (the MESSAGE column OpenShift adds in code)', () => {
    const condition = (type: string, status: string, message = '', reason = '') => ({ type, status, message, reason, lastTransitionTime: '2026-08-20T10:00:00Z' });
    const cases: Array<[title: string, conditions: ReturnType<typeof condition>[], expected: string | undefined]> = [
      ['is empty for a healthy operator', [condition('Available', 'True', 'All is well'), condition('Degraded', 'False', 'fine'), condition('Progressing', 'False', 'done')], undefined],
      ['shows the Progressing message while it rolls out', [condition('Available', 'True', 'ok'), condition('Progressing', 'True', 'Working towards 4.16.2')], 'Working towards 4.16.2'],
      ['prefers Degraded over Progressing', [condition('Progressing', 'True', 'p'), condition('Degraded', 'True', 'd')], 'd'],
      ['prefers Available=False over everything', [condition('Degraded', 'True', 'd'), condition('Available', 'False', 'a'), condition('Progressing', 'True', 'p')], 'a'],
      ['falls back to the reason when the message is empty', [condition('Degraded', 'True', '', 'RequiredPoolsFailed')], 'RequiredPoolsFailed'],
    ];
    for (const [title, conditions, expected] of cases) {
      it(title, () => assert.equal(clusterOperatorMessage({ conditions } as ClusterOperatorStatus), expected));
    }
  });

  describe('objects as OpenShift writes them', () => {
    for (const [plural, obj] of [['clusterversions', clusterVersion], ['clusteroperators', clusterOperator]] as const) {
      it(`keeps a ${obj.kind} as written: nothing pruned, nothing invalid`, () => {
        const { stored, pruned, errors } = admit(plural, obj);
        assert.deepEqual([pruned, errors], [[], []]);
        if (plural === 'clusterversions') assert.deepEqual(stored, obj);
      });
    }

    it('defaults relatedObjects namespace to "" as OpenShift does', () => {
      const related = ((admit('clusteroperators', clusterOperator).stored.status as JsonObject).relatedObjects as JsonObject[]);
      assert.deepEqual(related.map((r) => r.namespace), ['', '']);
    });

    it('prunes fields OpenShift does not serve (Default feature set: no signatureStores)', () => {
      const obj = structuredClone(clusterVersion);
      (obj.spec as JsonObject).signatureStores = [{ url: 'https://mirror.example' }];
      assert.deepEqual(admit('clusterversions', obj).pruned, ['spec.signatureStores']);
    });

    const rejected: Array<[title: string, plural: Plural, patch: (o: JsonObject) => void, fields: string[]]> = [
      ['a ClusterVersion without clusterID', 'clusterversions', (o) => { delete (o.spec as JsonObject).clusterID; }, ['spec.clusterID']],
      ['an unknown baseline capability set', 'clusterversions', (o) => { ((o.spec as JsonObject).capabilities as JsonObject).baselineCapabilitySet = 'v9.99'; }, ['spec.capabilities.baselineCapabilitySet']],
      ['an architecture other than Multi', 'clusterversions', (o) => { ((o.spec as JsonObject).desiredUpdate as JsonObject).architecture = 'arm64'; }, ['spec.desiredUpdate.architecture']],
      ['a history entry without verified', 'clusterversions', (o) => { delete (((o.status as JsonObject).history as JsonObject[])[1]).verified; }, ['status.history[1].verified']],
      ['a status without versionHash', 'clusterversions', (o) => { delete (o.status as JsonObject).versionHash; }, ['status.versionHash']],
      ['a ClusterOperator without spec', 'clusteroperators', (o) => { delete o.spec; }, ['spec']],
      ['an operand version without version', 'clusteroperators', (o) => { ((o.status as JsonObject).versions as JsonObject[])[0] = { name: 'operator' }; }, ['status.versions[0].version']],
      ['two conditions of the same type', 'clusteroperators', (o) => { ((o.status as JsonObject).conditions as JsonObject[]).push({ type: 'Available', status: 'False', lastTransitionTime: '2026-08-20T10:00:00Z' }); }, ['status.conditions[4]']],
    ];
    const base: Record<Plural, JsonObject> = { clusterversions: clusterVersion, clusteroperators: clusterOperator };
    for (const [title, plural, patch, fields] of rejected) {
      it(`rejects ${title}`, () => {
        const obj = structuredClone(base[plural]);
        patch(obj);
        assert.deepEqual(admit(plural, obj).errors, fields);
      });
    }
  });
});
