import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import type { Json, KubeObject } from '../../types.ts';
import { defaultPrinter } from '../table.ts';
import { builtinPrinterFor, builtinPrinters } from './index.ts';

const now = new Date('2025-01-01T01:00:00Z');
const CREATED = '2025-01-01T00:00:00Z';
const ago = (minutes: number): string => new Date(now.getTime() - minutes * 60_000).toISOString();

const meta = (name: string, extra: Record<string, unknown> = {}): KubeObject['metadata'] => ({ name, creationTimestamp: CREATED, ...extra });

function cells(key: string, obj: KubeObject): Json[] {
  return builtinPrinters[key].cells(obj, now);
}

/** Column names and priorities as in pkg/printers/internalversion/printers.go (after Name). */
const expectedColumns: Record<string, Array<[string, number]>> = {
  '/Namespace': [['Status', 0], ['Age', 0]],
  '/Node': [['Status', 0], ['Roles', 0], ['Age', 0], ['Version', 0], ['Internal-IP', 1], ['External-IP', 1], ['OS-Image', 1], ['Kernel-Version', 1], ['Container-Runtime', 1]],
  '/Pod': [['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1]],
  '/ConfigMap': [['Data', 0], ['Age', 0]],
  '/Secret': [['Type', 0], ['Data', 0], ['Age', 0]],
  '/ServiceAccount': [['Secrets', 0], ['Age', 0]],
  '/Service': [['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1]],
  '/Event': [['Last Seen', 0], ['Type', 0], ['Reason', 0], ['Object', 0], ['Subobject', 1], ['Source', 1], ['Message', 0], ['First Seen', 1], ['Count', 1], ['Name', 1]],
  'coordination.k8s.io/Lease': [['Holder', 0], ['Age', 0]],
  'apps/Deployment': [['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1]],
  'policy/PodDisruptionBudget': [['Min Available', 0], ['Max Unavailable', 0], ['Allowed Disruptions', 0], ['Age', 0]],
  'rbac.authorization.k8s.io/RoleBinding': [['Role', 0], ['Age', 0], ['Users', 1], ['Groups', 1], ['ServiceAccounts', 1]],
  'rbac.authorization.k8s.io/ClusterRoleBinding': [['Role', 0], ['Age', 0], ['Users', 1], ['Groups', 1], ['ServiceAccounts', 1]],
  'rbac.authorization.k8s.io/Role': [['Created At', 0]],
  'rbac.authorization.k8s.io/ClusterRole': [['Created At', 0]],
  'apiextensions.k8s.io/CustomResourceDefinition': [['Created At', 0]],
};

describe('builtinPrinters', () => {
  for (const [key, columns] of Object.entries(expectedColumns)) {
    it(`lists the upstream columns for ${key} and one cell per column`, () => {
      const printer = builtinPrinters[key];
      assert.deepEqual(printer.columns.map((c) => [c.name, c.priority]), columns);
      assert.equal(printer.cells({ metadata: meta('x') }, now).length, columns.length);
    });
  }

  it('falls back to the "Created At" printer for kinds without one', () => {
    assert.equal(builtinPrinterFor('apps', 'StatefulSet'), defaultPrinter);
    assert.equal(builtinPrinterFor('', 'Pod'), builtinPrinters['/Pod']);
  });
});

describe('Node printer', () => {
  const node = (extra: Partial<KubeObject>, labels?: Record<string, string>): KubeObject => ({ metadata: meta('ip-10-0-1-2', { labels }), ...extra });
  const ready = (status: string): Record<string, unknown> => ({ conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status }] });

  const statuses: Array<[string, Partial<KubeObject>, string]> = [
    ['Ready', { status: ready('True') }, 'Ready'],
    ['cordoned and Ready', { spec: { unschedulable: true }, status: ready('True') }, 'Ready,SchedulingDisabled'],
    ['not Ready', { status: ready('False') }, 'NotReady'],
    ['Ready Unknown', { status: ready('Unknown') }, 'NotReady'],
    ['without conditions', {}, 'Unknown'],
    ['cordoned without conditions', { spec: { unschedulable: true } }, 'Unknown,SchedulingDisabled'],
  ];
  for (const [what, extra, expected] of statuses) {
    it(`prints ${expected} for a node ${what}`, () => {
      assert.equal(cells('/Node', node(extra))[0], expected);
    });
  }

  it('derives roles from node-role labels and kubernetes.io/role, sorted and deduplicated', () => {
    const roles = (labels: Record<string, string>): Json => cells('/Node', node({}, labels))[1];
    assert.equal(roles({ 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/master': 'x', 'kubernetes.io/role': 'infra' }), 'infra,master,worker');
    assert.equal(roles({ 'node-role.kubernetes.io/': '', 'kubernetes.io/role': '' }), '<none>');
    assert.equal(roles({}), '<none>');
  });

  it('renders the sample node of apiserver.md §10 with its wide columns', () => {
    const sample: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: meta('ip-10-0-1-2', { labels: { 'kubernetes.io/hostname': 'ip-10-0-1-2', 'node-role.kubernetes.io/worker': '' } }),
      spec: { providerID: 'aws:///us-east-1a/i-0123', unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        addresses: [{ type: 'InternalIP', address: '10.0.1.2' }, { type: 'Hostname', address: 'ip-10-0-1-2' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Red Hat Enterprise Linux CoreOS', containerRuntimeVersion: 'cri-o://1.32.0' },
      },
    };
    assert.deepEqual(cells('/Node', sample), ['Ready,SchedulingDisabled', 'worker', '60m', 'v1.32.0', '10.0.1.2', '<none>', 'Red Hat Enterprise Linux CoreOS', '<unknown>', 'cri-o://1.32.0']);
  });
});

describe('Pod printer', () => {
  const pod = (spec: Record<string, unknown>, status: Record<string, unknown>, metaExtra: Record<string, unknown> = {}): KubeObject =>
    ({ metadata: meta('web-1', metaExtra), spec: { containers: [{ name: 'c' }], ...spec }, status });
  const running = { state: { running: {} }, ready: true, restartCount: 0, name: 'c' };

  // pkg/printers/internalversion/printers_test.go TestPrintPod and friends.
  const cases: Array<[string, KubeObject, [string, string, string]]> = [
    ['a running ready container', pod({}, { phase: 'Running', containerStatuses: [running] }), ['1/1', 'Running', '0']],
    ['a container being created', pod({}, { phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, state: { waiting: { reason: 'ContainerCreating' } } }] }), ['0/1', 'ContainerCreating', '0']],
    ['a completed container', pod({}, { phase: 'Succeeded', containerStatuses: [{ name: 'c', state: { terminated: { reason: 'Completed', exitCode: 0 } } }] }), ['0/1', 'Completed', '0']],
    ['a killed container', pod({}, { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { signal: 9, exitCode: 137 } } }] }), ['0/1', 'Signal:9', '0']],
    ['a failed container without reason', pod({}, { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 2 } } }] }), ['0/1', 'ExitCode:2', '0']],
    ['a pod being deleted', pod({}, { phase: 'Running', containerStatuses: [running] }, { deletionTimestamp: ago(1) }), ['1/1', 'Terminating', '0']],
    ['a deleted pod that already succeeded', pod({}, { phase: 'Succeeded', containerStatuses: [{ name: 'c', state: { terminated: { reason: 'Completed' } } }] }, { deletionTimestamp: ago(1) }), ['0/1', 'Completed', '0']],
    ['a deleted pod on a lost node', pod({}, { phase: 'Running', reason: 'NodeLost', containerStatuses: [running] }, { deletionTimestamp: ago(1) }), ['1/1', 'Unknown', '0']],
    ['a pod with the status reason Evicted', pod({}, { phase: 'Failed', reason: 'Evicted' }), ['0/1', 'Evicted', '0']],
    ['a scheduling-gated pod', pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), ['0/1', 'SchedulingGated', '0']],
    ['restarts with a last termination time', pod({}, { phase: 'Running', containerStatuses: [{ ...running, restartCount: 3, lastState: { terminated: { finishedAt: ago(10) } } }] }), ['1/1', 'Running', '3 (10m ago)']],
    ['restarts without a termination time', pod({}, { phase: 'Running', containerStatuses: [{ ...running, restartCount: 2 }] }), ['1/1', 'Running', '2']],
    [
      'one completed and one running container',
      pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'a', state: { terminated: { reason: 'Completed' } } }, { ...running, name: 'b' }] }),
      ['1/2', 'NotReady', '0'],
    ],
    [
      'one completed and one running container with the Ready condition',
      pod({ containers: [{ name: 'a' }, { name: 'b' }] }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'a', state: { terminated: { reason: 'Completed' } } }, { ...running, name: 'b' }] }),
      ['1/2', 'Running', '0'],
    ],
    ['an init container still waiting', pod({ initContainers: [{ name: 'init' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { waiting: { reason: 'PodInitializing' } } }] }), ['0/1', 'Init:0/1', '0']],
    ['a crash-looping init container', pod({ initContainers: [{ name: 'init' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'init', restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }), ['0/1', 'Init:CrashLoopBackOff', '4']],
    ['a failed init container', pod({ initContainers: [{ name: 'init' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'init', state: { terminated: { exitCode: 1 } } }] }), ['0/1', 'Init:ExitCode:1', '0']],
    [
      'a running sidecar and a running container',
      pod({ initContainers: [{ name: 'side', restartPolicy: 'Always' }] }, {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 'side', started: true, ready: true, restartCount: 1, state: { running: {} } }],
        containerStatuses: [running],
      }),
      ['2/2', 'Running', '1'],
    ],
  ];
  for (const [what, obj, expected] of cases) {
    it(`prints ${JSON.stringify(expected)} for ${what}`, () => {
      assert.deepEqual(cells('/Pod', obj).slice(0, 3), expected);
    });
  }

  it('fills the wide columns from podIPs (or podIP), nodeName, nominatedNodeName and readiness gates', () => {
    const scheduled = pod(
      { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/a' }, { conditionType: 'example.com/b' }] },
      { phase: 'Running', podIPs: [{ ip: '10.1.0.5' }], podIP: '10.1.0.5', nominatedNodeName: 'node-2', conditions: [{ type: 'example.com/a', status: 'True' }, { type: 'example.com/b', status: 'False' }], containerStatuses: [running] },
    );
    assert.deepEqual(cells('/Pod', scheduled).slice(3), ['60m', '10.1.0.5', 'node-1', 'node-2', '1/2']);
    assert.deepEqual(cells('/Pod', pod({}, { podIP: '10.1.0.6' })).slice(4), ['10.1.0.6', '<none>', '<none>', '<none>']);
  });
});

describe('Event printer', () => {
  it('prints a core Event with its wide columns and the name last', () => {
    const event: KubeObject = {
      metadata: meta('web-1.17a'),
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{c}' },
      type: 'Warning',
      reason: 'BackOff',
      message: ' Back-off restarting failed container \n',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(10),
      lastTimestamp: ago(5),
      count: 3,
    };
    assert.deepEqual(cells('/Event', event), ['5m', 'Warning', 'BackOff', 'pod/web-1', 'spec.containers{c}', 'kubelet, node-1', 'Back-off restarting failed container', '10m', 3, 'web-1.17a']);
  });

  it('prints an events.k8s.io Event from eventTime, series and reportingController', () => {
    const event: KubeObject = {
      metadata: meta('n1.abc'),
      eventTime: '2025-01-01T00:50:00.000000Z',
      regarding: { kind: 'Node', name: 'n1' },
      note: 'Node n1 status is now: NodeReady',
      reason: 'NodeReady',
      type: 'Normal',
      reportingController: 'machine-api-controllers',
      series: { count: 4, lastObservedTime: '2025-01-01T00:58:00.000000Z' },
    };
    assert.deepEqual(cells('events.k8s.io/Event', event), ['2m', 'Normal', 'NodeReady', 'node/n1', '', 'machine-api-controllers', 'Node n1 status is now: NodeReady', '10m', 4, 'n1.abc']);
  });

  it('counts a singleton event once and reuses the first time as the last one', () => {
    const event: KubeObject = { metadata: meta('e'), involvedObject: { kind: 'Machine' }, firstTimestamp: ago(3) };
    const row = cells('/Event', event);
    assert.equal(row[0], '3m');
    assert.equal(row[3], 'machine');
    assert.equal(row[8], 1);
  });
});

describe('Service printer', () => {
  const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({ metadata: meta('web'), spec, status });
  const cases: Array<[string, KubeObject, Json[]]> = [
    ['a NodePort service', svc({ type: 'NodePort', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }], selector: { tier: 'fe', app: 'web' } }), ['NodePort', '10.0.0.1', '<none>', '80/TCP,443:30443/TCP', '60m', 'app=web,tier=fe']],
    ['a pending load balancer', svc({ type: 'LoadBalancer', clusterIPs: ['10.0.0.2'], ports: [{ port: 53, protocol: 'UDP' }] }), ['LoadBalancer', '10.0.0.2', '<pending>', '53/UDP', '60m', '<none>']],
    ['a provisioned load balancer with external IPs', svc({ type: 'LoadBalancer', clusterIPs: ['10.0.0.2'], externalIPs: ['1.1.1.1'] }, { loadBalancer: { ingress: [{ ip: '3.3.3.3' }, { hostname: 'lb.example.com' }, { ip: '3.3.3.3' }] } }), ['LoadBalancer', '10.0.0.2', '3.3.3.3,lb.example.com,1.1.1.1', '<none>', '60m', '<none>']],
    ['an ExternalName service', svc({ type: 'ExternalName', externalName: 'db.example.com' }), ['ExternalName', '<none>', 'db.example.com', '<none>', '60m', '<none>']],
    ['a headless service', svc({ type: 'ClusterIP', clusterIP: 'None', externalIPs: ['5.5.5.5', '6.6.6.6'] }), ['ClusterIP', 'None', '5.5.5.5,6.6.6.6', '<none>', '60m', '<none>']],
  ];
  for (const [what, obj, expected] of cases) {
    it(`prints ${what}`, () => {
      assert.deepEqual(cells('/Service', obj), expected);
    });
  }
});

describe('field printers', () => {
  const cases: Array<[string, KubeObject, Json[]]> = [
    ['/Namespace', { metadata: meta('default'), status: { phase: 'Active' } }, ['Active', '60m']],
    ['/ConfigMap', { metadata: meta('cm'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, [3, '60m']],
    ['/Secret', { metadata: meta('s'), type: 'Opaque', data: { a: 'MQ==', b: 'Mg==' } }, ['Opaque', 2, '60m']],
    ['/ServiceAccount', { metadata: meta('default'), secrets: [{ name: 'tok' }] }, [1, '60m']],
    ['coordination.k8s.io/Lease', { metadata: meta('machine-api-operator'), spec: { holderIdentity: 'pod-a_1b2c', leaseDurationSeconds: 137 } }, ['pod-a_1b2c', '60m']],
    ['coordination.k8s.io/Lease', { metadata: meta('free'), spec: {} }, ['', '60m']],
    [
      'apps/Deployment',
      {
        metadata: meta('web'),
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'app', image: 'img:1' }, { name: 'proxy', image: 'envoy:2' }] } } },
        status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
      },
      ['2/3', 3, 2, '60m', 'app,proxy', 'img:1,envoy:2', 'app=web'],
    ],
    ['apps/Deployment', { metadata: meta('bad'), spec: { replicas: 0, selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } } }, ['0/0', 0, 0, '60m', '', '', '<invalid>']],
    ['policy/PodDisruptionBudget', { metadata: meta('pdb'), spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } }, ['2', 'N/A', 1, '60m']],
    ['policy/PodDisruptionBudget', { metadata: meta('pdb'), spec: { maxUnavailable: '25%' } }, ['N/A', '25%', 0, '60m']],
    [
      'rbac.authorization.k8s.io/RoleBinding',
      {
        metadata: meta('rb'),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ kind: 'User', name: 'alice' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', namespace: 'ns', name: 'sa' }, { kind: 'ServiceAccount', namespace: 'ns2', name: 'sb' }, { kind: 'User', name: 'bob' }],
      },
      ['ClusterRole/view', '60m', 'alice, bob', 'devs', 'ns/sa, ns2/sb'],
    ],
    ['rbac.authorization.k8s.io/ClusterRoleBinding', { metadata: meta('crb'), roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } }, ['ClusterRole/cluster-admin', '60m', '', '', '']],
    ['rbac.authorization.k8s.io/ClusterRole', { metadata: meta('view') }, [CREATED]],
  ];
  for (const [key, obj, expected] of cases) {
    it(`prints ${key} ${obj.metadata.name} as ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(cells(key, obj), expected);
    });
  }
});
