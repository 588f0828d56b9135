// Checks of the Machine API CRDs in this folder: the structural rules and CRD validation kube-apiserver applies on
// create, the contract OpenShift users and tools rely on (names, printer columns, scale subresource, defaults), and
// that objects written for OpenShift go through prune → default → validate unchanged.
// Expected values come from openshift/api machine/v1beta1 (types_*.go and zz_generated.crd-manifests/*-Default).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Json, JsonObject, KubeObject, PrinterColumn, SchemaNode } from '../devcluster/apiserver/types.ts';
import {
  applyDefaults, hasCelRules, pruneUnknownFields, validateAgainstSchema, validateCustomResourceDefinition,
} from '../devcluster/apiserver/schema/index.ts';
import {
  DEFAULT_MACHINE_SET_REPLICAS, DEFAULT_MAX_UNHEALTHY, DEFAULT_NODE_STARTUP_TIMEOUT, DELETE_POLICIES,
  MACHINE_API_GROUP, MACHINE_HEALTH_CHECK_RESOURCE, MACHINE_RESOURCE, MACHINE_SET_RESOURCE, type ApiResource,
} from '../operators/api/machine-v1beta1.ts';

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema: { openAPIV3Schema: SchemaNode };
  subresources?: { status?: JsonObject; scale?: JsonObject };
  additionalPrinterColumns?: PrinterColumn[];
}

interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; listKind: string; plural: string; singular: string; shortNames?: string[]; categories?: string[] };
    versions: CrdVersion[];
  };
}

const FILES = ['machines', 'machinesets', 'machinehealthchecks'] as const;
type Plural = (typeof FILES)[number];

function fileName(plural: Plural): string {
  return `${MACHINE_API_GROUP}_${plural}.yaml`;
}

function loadCrd(plural: Plural): Crd {
  const docs = parseAllDocuments(readFileSync(new URL(fileName(plural), import.meta.url), 'utf8'));
  assert.equal(docs.length, 1, `${fileName(plural)} holds exactly one document`);
  const doc = docs[0];
  assert.deepEqual([...doc.errors, ...doc.warnings], [], `${fileName(plural)} parses cleanly`);
  return doc.toJS() as Crd;
}

const crds: Record<Plural, Crd> = {
  machines: loadCrd('machines'),
  machinesets: loadCrd('machinesets'),
  machinehealthchecks: loadCrd('machinehealthchecks'),
};

function schemaOf(plural: Plural): SchemaNode {
  return crds[plural].spec.versions[0].schema.openAPIV3Schema;
}

function at(schema: SchemaNode, ...path: string[]): SchemaNode {
  let node = schema;
  for (const p of path) {
    const next = node.properties?.[p];
    assert.ok(next, `schema has ${path.join('.')}`);
    node = next;
  }
  return node;
}

/**
 * Paths of schema nodes without a type. Structural schemas need one everywhere except on
 * x-kubernetes-int-or-string nodes (typed by their anyOf) and x-kubernetes-preserve-unknown-fields nodes.
 */
function untypedNodes(node: SchemaNode, path: string): string[] {
  if (node['x-kubernetes-int-or-string'] === true) return [];
  const own = node.type === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true ? [path] : [];
  const children: Array<[string, SchemaNode]> = [
    ...Object.entries(node.properties ?? {}).map(([k, v]): [string, SchemaNode] => [`${path}.${k}`, v]),
    ...(node.items ? [[`${path}[]`, node.items] as [string, SchemaNode]] : []),
    ...(typeof node.additionalProperties === 'object' ? [[`${path}{}`, node.additionalProperties] as [string, SchemaNode]] : []),
  ];
  return [...own, ...children.flatMap(([p, child]) => untypedNodes(child, p))];
}

/** The schema with every description removed, to compare structure only. */
function withoutDescriptions(node: SchemaNode): SchemaNode {
  return JSON.parse(JSON.stringify(node, (k: string, v: unknown) => (k === 'description' ? undefined : v))) as SchemaNode;
}

const RESOURCES: Record<Plural, ApiResource> = {
  machines: MACHINE_RESOURCE,
  machinesets: MACHINE_SET_RESOURCE,
  machinehealthchecks: MACHINE_HEALTH_CHECK_RESOURCE,
};

describe('Machine API CRDs (crds/)', () => {
  for (const plural of FILES) {
    describe(fileName(plural), () => {
      const crd = crds[plural];

      it('is a v1 CRD named plural.group, matching its file name and the TypeScript resource constant', () => {
        const r = RESOURCES[plural];
        assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
        assert.equal(crd.kind, 'CustomResourceDefinition');
        assert.equal(crd.metadata.name, `${crd.spec.names.plural}.${crd.spec.group}`);
        assert.equal(crd.spec.names.plural, plural);
        assert.equal(crd.spec.group, r.group);
        assert.equal(crd.spec.scope, 'Namespaced');
        assert.deepEqual(
          { kind: crd.spec.names.kind, listKind: crd.spec.names.listKind, plural: crd.spec.names.plural, singular: crd.spec.names.singular },
          { kind: r.kind, listKind: r.listKind, plural: r.plural, singular: r.singular },
        );
        assert.deepEqual(crd.spec.versions.map((v) => v.name), [r.version]);
      });

      it('has exactly one storage version, and every version is served', () => {
        assert.equal(crd.spec.versions.filter((v) => v.storage).length, 1);
        assert.ok(crd.spec.versions.every((v) => v.served));
      });

      it('gives every schema node a type, except int-or-string and preserve-unknown-fields nodes', () => {
        assert.deepEqual(untypedNodes(schemaOf(plural), 'openAPIV3Schema'), []);
      });

      it('enables the status subresource', () => {
        assert.deepEqual(crd.spec.versions[0].subresources?.status, {});
      });

      it('is accepted by the CRD validation the embedded API server runs on create', () => {
        assert.deepEqual(validateCustomResourceDefinition(crd as unknown as KubeObject), []);
      });

      it('has no CEL rules (OpenShift only has them on MachineAPIMigration-gated fields)', () => {
        assert.equal(hasCelRules(schemaOf(plural)), false);
      });

      it('is in the machine-api category', () => {
        assert.deepEqual(crd.spec.names.categories, ['machine-api']);
      });
    });
  }

  it('finds an untyped node, so the structural check above can fail', () => {
    const schema: SchemaNode = {
      type: 'object',
      properties: {
        kept: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        list: { type: 'array', items: { properties: { x: { type: 'string' } } } },
      },
    };
    assert.deepEqual(untypedNodes(schema, 'root'), ['root.list[]']);
  });

  it('declares short names only where OpenShift does: mhc and mhcs for MachineHealthCheck', () => {
    assert.deepEqual(
      FILES.map((p) => [p, crds[p].spec.names.shortNames ?? []]),
      [['machines', []], ['machinesets', []], ['machinehealthchecks', ['mhc', 'mhcs']]],
    );
  });

  describe('printer columns are exactly OpenShift’s', () => {
    const expected: Record<Plural, Array<[name: string, type: string, jsonPath: string, priority?: number]>> = {
      machines: [
        ['Phase', 'string', '.status.phase'],
        ['Type', 'string', ".metadata.labels['machine\\.openshift\\.io/instance-type']"],
        ['Region', 'string', ".metadata.labels['machine\\.openshift\\.io/region']"],
        ['Zone', 'string', ".metadata.labels['machine\\.openshift\\.io/zone']"],
        ['Age', 'date', '.metadata.creationTimestamp'],
        ['Node', 'string', '.status.nodeRef.name', 1],
        ['ProviderID', 'string', '.spec.providerID', 1],
        ['State', 'string', ".metadata.annotations['machine\\.openshift\\.io/instance-state']", 1],
      ],
      machinesets: [
        ['Desired', 'integer', '.spec.replicas'],
        ['Current', 'integer', '.status.replicas'],
        ['Ready', 'integer', '.status.readyReplicas'],
        ['Available', 'string', '.status.availableReplicas'], // a string column upstream, kept
        ['Age', 'date', '.metadata.creationTimestamp'],
      ],
      machinehealthchecks: [
        ['MaxUnhealthy', 'string', '.spec.maxUnhealthy'],
        ['ExpectedMachines', 'integer', '.status.expectedMachines'],
        ['CurrentHealthy', 'integer', '.status.currentHealthy'],
      ],
    };
    for (const plural of FILES) {
      it(`for ${plural}`, () => {
        const columns = crds[plural].spec.versions[0].additionalPrinterColumns ?? [];
        assert.deepEqual(
          columns.map((c) => (c.priority === undefined ? [c.name, c.type, c.jsonPath] : [c.name, c.type, c.jsonPath, c.priority])),
          expected[plural],
        );
        assert.ok(columns.every((c) => typeof c.description === 'string' && c.description !== ''), 'every column is described');
      });
    }
  });

  it('gives MachineSet the scale subresource the cluster-autoscaler uses', () => {
    assert.deepEqual(crds.machinesets.spec.versions[0].subresources?.scale, {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.labelSelector',
    });
    assert.deepEqual(at(schemaOf('machinesets'), 'status', 'labelSelector'), {
      description: at(schemaOf('machinesets'), 'status', 'labelSelector').description,
      type: 'string', minLength: 1, maxLength: 4096,
    });
  });

  it('uses the Machine spec schema, verbatim, as MachineSet spec.template.spec', () => {
    const machineSpec = at(schemaOf('machines'), 'spec');
    const templateSpec = at(schemaOf('machinesets'), 'spec', 'template', 'spec');
    assert.deepEqual(templateSpec.properties, machineSpec.properties);
  });

  it('gives MachineSet spec.template.metadata the fields of Machine spec.metadata', () => {
    assert.deepEqual(
      withoutDescriptions(at(schemaOf('machinesets'), 'spec', 'template', 'metadata')),
      withoutDescriptions(at(schemaOf('machines'), 'spec', 'metadata')),
    );
  });

  it('agrees with the TypeScript constants on defaults and the delete policies', () => {
    assert.equal(at(schemaOf('machinesets'), 'spec', 'replicas').default, DEFAULT_MACHINE_SET_REPLICAS);
    assert.deepEqual(at(schemaOf('machinesets'), 'spec', 'deletePolicy').enum, [...DELETE_POLICIES]);
    assert.equal(at(schemaOf('machinehealthchecks'), 'spec', 'maxUnhealthy').default, DEFAULT_MAX_UNHEALTHY);
    assert.equal(at(schemaOf('machinehealthchecks'), 'spec', 'nodeStartupTimeout').default, DEFAULT_NODE_STARTUP_TIMEOUT);
  });

  describe('objects written for OpenShift', () => {
    /** The custom resource pipeline of the API server: prune, default, validate. Returns the stored object. */
    function admit(plural: Plural, obj: JsonObject): { stored: JsonObject; pruned: string[]; errors: string[] } {
      const stored = structuredClone(obj);
      const schema = schemaOf(plural);
      const pruned = pruneUnknownFields(stored as KubeObject, schema);
      applyDefaults(stored, schema);
      const errors = validateAgainstSchema(stored as KubeObject, schema).map((e) => e.field);
      return { stored, pruned, errors };
    }

    // As openshift-install writes a worker MachineSet on AWS (trimmed to one of each list).
    const awsMachineSet: JsonObject = {
      apiVersion: 'machine.openshift.io/v1beta1',
      kind: 'MachineSet',
      metadata: {
        name: 'ci-ln-abc12-worker-us-east-1a', namespace: 'openshift-machine-api',
        labels: { 'machine.openshift.io/cluster-api-cluster': 'ci-ln-abc12' },
        annotations: {
          'machine.openshift.io/memoryMb': '16384', 'machine.openshift.io/vCPU': '4', 'machine.openshift.io/GPU': '0',
          'capacity.cluster-autoscaler.kubernetes.io/labels': 'kubernetes.io/arch=amd64',
        },
      },
      spec: {
        selector: { matchLabels: {
          'machine.openshift.io/cluster-api-cluster': 'ci-ln-abc12',
          'machine.openshift.io/cluster-api-machineset': 'ci-ln-abc12-worker-us-east-1a',
        } },
        template: {
          metadata: { labels: {
            'machine.openshift.io/cluster-api-cluster': 'ci-ln-abc12',
            'machine.openshift.io/cluster-api-machine-role': 'worker',
            'machine.openshift.io/cluster-api-machine-type': 'worker',
            'machine.openshift.io/cluster-api-machineset': 'ci-ln-abc12-worker-us-east-1a',
          } },
          spec: {
            lifecycleHooks: {},
            metadata: { labels: { 'node-role.kubernetes.io/infra': '' } },
            taints: [{ key: 'node-role.kubernetes.io/infra', effect: 'NoSchedule' }],
            providerSpec: { value: {
              apiVersion: 'machine.openshift.io/v1beta1', kind: 'AWSMachineProviderConfig',
              ami: { id: 'ami-0abcdef1234567890' }, instanceType: 'm6i.xlarge',
              blockDevices: [{ ebs: { encrypted: true, iops: 0, kmsKey: { arn: '' }, volumeSize: 120, volumeType: 'gp3' } }],
              credentialsSecret: { name: 'aws-cloud-credentials' }, deviceIndex: 0,
              iamInstanceProfile: { id: 'ci-ln-abc12-worker-profile' },
              metadata: { creationTimestamp: null }, metadataServiceOptions: {},
              placement: { availabilityZone: 'us-east-1a', region: 'us-east-1' },
              securityGroups: [{ filters: [{ name: 'tag:Name', values: ['ci-ln-abc12-node'] }] }],
              subnet: { filters: [{ name: 'tag:Name', values: ['ci-ln-abc12-subnet-private-us-east-1a'] }] },
              tags: [{ name: 'kubernetes.io/cluster/ci-ln-abc12', value: 'owned' }],
              userDataSecret: { name: 'worker-user-data' },
            } },
          },
        },
      },
    };

    // A Machine with the status MAO's controllers write.
    const runningMachine: JsonObject = {
      apiVersion: 'machine.openshift.io/v1beta1',
      kind: 'Machine',
      metadata: {
        name: 'ci-ln-abc12-worker-us-east-1a-x7k2p', namespace: 'openshift-machine-api',
        finalizers: ['machine.machine.openshift.io'],
        labels: { 'machine.openshift.io/instance-type': 'm6i.xlarge', 'machine.openshift.io/region': 'us-east-1', 'machine.openshift.io/zone': 'us-east-1a' },
        annotations: { 'machine.openshift.io/instance-state': 'running' },
      },
      spec: {
        lifecycleHooks: { preDrain: [{ name: 'EtcdQuorumOperator', owner: 'clusteroperator/etcd' }] },
        metadata: {},
        providerID: 'aws:///us-east-1a/i-0123456789abcdef0',
        providerSpec: { value: { kind: 'AWSMachineProviderConfig', instanceType: 'm6i.xlarge' } },
      },
      status: {
        addresses: [{ type: 'InternalIP', address: '10.0.1.23' }, { type: 'InternalDNS', address: 'ip-10-0-1-23.ec2.internal' }],
        conditions: [
          { type: 'Drainable', status: 'False', severity: 'Warning', reason: 'HookPresent', message: 'Drain operation currently blocked by: [{Name:EtcdQuorumOperator Owner:clusteroperator/etcd}]', lastTransitionTime: '2026-08-01T10:00:00Z' },
          { type: 'InstanceExists', status: 'True', lastTransitionTime: '2026-08-01T10:02:00Z' },
        ],
        lastUpdated: '2026-08-01T10:05:00Z',
        nodeRef: { kind: 'Node', name: 'ip-10-0-1-23.ec2.internal', uid: '5b9c1c8e-6d2f-4c1a-9a4e-2f3b1d0c9e8a' },
        phase: 'Running',
        providerStatus: { apiVersion: 'machine.openshift.io/v1beta1', kind: 'AWSMachineProviderStatus', instanceId: 'i-0123456789abcdef0', instanceState: 'running', conditions: [{ type: 'MachineCreation', status: 'True' }] },
      },
    };

    // MAO's install/0000_30_machine-api-operator_13_machinehealthcheck.yaml.
    const terminationHandlerMhc: JsonObject = {
      apiVersion: 'machine.openshift.io/v1beta1',
      kind: 'MachineHealthCheck',
      metadata: { name: 'machine-api-termination-handler', namespace: 'openshift-machine-api' },
      spec: {
        selector: { matchLabels: { 'machine.openshift.io/interruptible-instance': '' } },
        maxUnhealthy: '100%',
        nodeStartupTimeout: '0',
        unhealthyConditions: [{ type: 'Terminating', status: 'True', timeout: '0s' }],
      },
    };

    const cases: Array<[title: string, plural: Plural, obj: JsonObject]> = [
      ['an installer-style AWS MachineSet', 'machinesets', awsMachineSet],
      ['a Running Machine with the status MAO writes', 'machines', runningMachine],
      ['the termination-handler MachineHealthCheck', 'machinehealthchecks', terminationHandlerMhc],
    ];
    for (const [title, plural, obj] of cases) {
      it(`keeps ${title} as written: nothing pruned, nothing invalid`, () => {
        const { stored, pruned, errors } = admit(plural, obj);
        assert.deepEqual(pruned, []);
        assert.deepEqual(errors, []);
        // Only defaults may be added, and here every defaulted field was already set or is MachineSet replicas.
        const { spec, ...rest } = stored;
        const { spec: wantSpec, ...wantRest } = obj;
        assert.deepEqual(rest, wantRest);
        assert.deepEqual(spec, plural === 'machinesets' ? { ...(wantSpec as JsonObject), replicas: 1 } : wantSpec);
      });
    }

    it('defaults MachineSet replicas to 1 but keeps an explicit 0', () => {
      const zero = structuredClone(awsMachineSet);
      (zero.spec as JsonObject).replicas = 0;
      assert.equal((admit('machinesets', zero).stored.spec as JsonObject).replicas, 0);
      assert.equal((admit('machinesets', awsMachineSet).stored.spec as JsonObject).replicas, 1);
    });

    it('defaults MachineHealthCheck maxUnhealthy to 100% and nodeStartupTimeout to 10m', () => {
      const mhc: JsonObject = { ...terminationHandlerMhc, spec: { selector: {}, unhealthyConditions: [{ type: 'Ready', status: 'Unknown', timeout: '300s' }] } };
      const { stored, errors } = admit('machinehealthchecks', mhc);
      assert.deepEqual(errors, []);
      assert.deepEqual(stored.spec, { ...(mhc.spec as JsonObject), maxUnhealthy: '100%', nodeStartupTimeout: '10m' });
    });

    it('accepts an integer maxUnhealthy and an unhealthy condition without timeout, as OpenShift does', () => {
      const mhc: JsonObject = { ...terminationHandlerMhc, spec: { maxUnhealthy: 2, unhealthyConditions: [{ type: 'Ready', status: 'False' }] } };
      assert.deepEqual(admit('machinehealthchecks', mhc).errors, []);
    });

    // What OpenShift's schema rejects; the field paths show which rule of the CRD fired.
    const rejected: Array<[title: string, plural: Plural, patch: (o: JsonObject) => void, fields: string[]]> = [
      ['an unknown deletePolicy', 'machinesets', (o) => { (o.spec as JsonObject).deletePolicy = 'Largest'; }, ['spec.deletePolicy']],
      ['a lifecycle hook name shorter than 3 characters', 'machines', (o) => { hooks(o).preDrain = [{ name: 'ab', owner: 'someone' }]; }, ['spec.lifecycleHooks.preDrain[0].name']],
      ['a lifecycle hook name with a space', 'machines', (o) => { hooks(o).preTerminate = [{ name: 'Not Valid', owner: 'someone' }]; }, ['spec.lifecycleHooks.preTerminate[0].name']],
      ['a lifecycle hook without owner', 'machines', (o) => { hooks(o).preDrain = [{ name: 'NoOwner' }]; }, ['spec.lifecycleHooks.preDrain[0].owner']],
      ['two preDrain hooks with the same name', 'machines', (o) => { hooks(o).preDrain = [{ name: 'Same', owner: 'a-owner' }, { name: 'Same', owner: 'b-owner' }]; }, ['spec.lifecycleHooks.preDrain[1]']],
      ['a taint without effect', 'machines', (o) => { (o.spec as JsonObject).taints = [{ key: 'k' }]; }, ['spec.taints[0].effect']],
      ['a maxUnhealthy above 100%', 'machinehealthchecks', (o) => { (o.spec as JsonObject).maxUnhealthy = '150%'; }, ['spec.maxUnhealthy']],
      ['an empty unhealthyConditions list', 'machinehealthchecks', (o) => { (o.spec as JsonObject).unhealthyConditions = []; }, ['spec.unhealthyConditions']],
      ['an unhealthy condition timeout that is not a duration', 'machinehealthchecks', (o) => { conditionsOf(o)[0] = { type: 'Ready', status: 'False', timeout: '5 minutes' }; }, ['spec.unhealthyConditions[0].timeout']],
      ['a negative remediationsAllowed', 'machinehealthchecks', (o) => { o.status = { remediationsAllowed: -1 }; }, ['status.remediationsAllowed']],
    ];
    function hooks(o: JsonObject): JsonObject {
      const spec = o.spec as JsonObject;
      spec.lifecycleHooks ??= {};
      return spec.lifecycleHooks as JsonObject;
    }
    function conditionsOf(o: JsonObject): Json[] {
      return (o.spec as JsonObject).unhealthyConditions as Json[];
    }
    const base: Record<Plural, JsonObject> = { machines: runningMachine, machinesets: awsMachineSet, machinehealthchecks: terminationHandlerMhc };
    for (const [title, plural, patch, fields] of rejected) {
      it(`rejects ${title}`, () => {
        const obj = structuredClone(base[plural]);
        patch(obj);
        assert.deepEqual(admit(plural, obj).errors, fields);
      });
    }
  });
});
