import assert from 'node:assert/strict';
import type { Machine, MachineApiCondition, MachinePhase } from '../../api/machine-v1beta1.ts';
import { RequeueAfter, TerminalError } from '../../runtime/errors.ts';
import type { InstanceObservation } from '../providers/actuator.ts';
import {
  deletionBlocker,
  instanceCallAfterExists,
  isIgnorableDeleteError,
  isProvisioned,
  nextMachineStep,
  PROVISIONED_REQUEUE_MS,
  type CallResult,
  type InstanceCall,
  type MachinePatch,
} from './phase.ts';

const now = new Date('2026-11-20T10:00:00Z');
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface MachineOpts {
  phase?: MachinePhase;
  providerID?: string;
  addresses?: boolean;
  nodeRef?: boolean;
  conditions?: MachineApiCondition[];
  annotations?: Record<string, string>;
}
function machine(o: MachineOpts = {}): Machine {
  return {
    metadata: { name: 'worker-a', namespace: 'ns', ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { ...(o.providerID ? { providerID: o.providerID } : {}) },
    status: {
      ...(o.phase ? { phase: o.phase } : {}),
      ...(o.addresses ? { addresses: [{ type: 'InternalIP' as const, address: '10.0.0.9' }] } : {}),
      ...(o.nodeRef ? { nodeRef: { kind: 'Node', name: 'node-a' } } : {}),
      ...(o.conditions ? { conditions: o.conditions } : {}),
      lastUpdated: secondsAgo(3600),
    },
  };
}

const observation: InstanceObservation = {
  providerID: 'aws:///us-east-1a/i-0123',
  addresses: [{ type: 'InternalIP', address: '10.0.0.9' }],
  instanceState: 'running',
  providerStatus: { instanceId: 'i-0123', instanceState: 'running' },
  labels: { 'machine.openshift.io/instance-type': 'm5.large' },
};
const ok = <T>(value: T): CallResult<T> => ({ ok: true, value });
const fail = (error: unknown): CallResult<never> => ({ ok: false, error });
const created = (secondsBefore: number): MachineApiCondition => ({ type: 'MachineCreated', status: 'True', reason: 'MachineCreationSucceeded', lastTransitionTime: secondsAgo(secondsBefore) });

describe('nextMachineStep', () => {
  const transient = new Error('connection reset');
  const table: Array<{
    name: string;
    machine: Machine;
    exists: CallResult<boolean>;
    call?: InstanceCall;
    instance?: CallResult<InstanceObservation>;
    phase: MachinePhase | undefined;
    instanceExists?: Pick<MachineApiCondition, 'status' | 'reason'>;
    requeueAfterMs?: number;
    error?: unknown;
    errorReason?: string;
    errorMessage?: string;
    patch?: MachinePatch;
  }> = [
    {
      name: 'creates the instance of a new Machine at once and writes Provisioned with what create observed',
      machine: machine(), exists: ok(false), call: 'create', instance: ok(observation),
      phase: 'Provisioned', instanceExists: { status: 'True', reason: undefined }, requeueAfterMs: PROVISIONED_REQUEUE_MS,
      patch: {
        metadata: { labels: { 'machine.openshift.io/instance-type': 'm5.large' }, annotations: { 'machine.openshift.io/instance-state': 'running' } },
        spec: { providerID: 'aws:///us-east-1a/i-0123' },
      },
    },
    {
      name: 'writes Provisioning after a create that observed neither providerID nor addresses',
      machine: machine(), exists: ok(false), call: 'create', instance: ok({ providerID: '', addresses: [], instanceState: 'pending' }),
      phase: 'Provisioning', instanceExists: { status: 'False', reason: 'InstanceNotCreated' }, requeueAfterMs: PROVISIONED_REQUEUE_MS,
      patch: { metadata: { annotations: { 'machine.openshift.io/instance-state': 'pending' } } },
    },
    {
      name: 'writes Provisioning when the first create fails transiently',
      machine: machine(), exists: ok(false), call: 'create', instance: fail(transient),
      phase: 'Provisioning', instanceExists: { status: 'False', reason: 'InstanceNotCreated' }, error: transient,
    },
    {
      name: 'creates the instance of a Provisioning Machine (a retry) and moves it to Provisioned',
      machine: machine({ phase: 'Provisioning' }), exists: ok(false), call: 'create', instance: ok(observation),
      phase: 'Provisioned', instanceExists: { status: 'True', reason: undefined }, requeueAfterMs: PROVISIONED_REQUEUE_MS,
      patch: {
        metadata: { labels: { 'machine.openshift.io/instance-type': 'm5.large' }, annotations: { 'machine.openshift.io/instance-state': 'running' } },
        spec: { providerID: 'aws:///us-east-1a/i-0123' },
      },
    },
    {
      name: 'fails the Machine when create says the configuration is invalid',
      machine: machine({ phase: 'Provisioning' }), exists: ok(false), call: 'create',
      instance: fail(new TerminalError('InvalidConfiguration', 'spec.providerSpec.value.instanceType: "m9.huge" is not offered in us-east-1a')),
      phase: 'Failed', errorReason: 'InvalidConfiguration', errorMessage: 'spec.providerSpec.value.instanceType: "m9.huge" is not offered in us-east-1a',
      patch: { metadata: { annotations: { 'machine.openshift.io/instance-state': 'Unknown' } } },
    },
    {
      name: 'reports a terminal create error with an unknown reason as CreateError',
      machine: machine({ phase: 'Provisioning' }), exists: ok(false), call: 'create', instance: fail(new TerminalError('QuotaGone', 'no quota')),
      phase: 'Failed', errorReason: 'CreateError', errorMessage: 'no quota',
      patch: { metadata: { annotations: { 'machine.openshift.io/instance-state': 'Unknown' } } },
    },
    {
      name: 'hands a transient create error back to the controller and stays Provisioning',
      machine: machine({ phase: 'Provisioning' }), exists: ok(false), call: 'create', instance: fail(transient),
      phase: 'Provisioning', instanceExists: { status: 'False', reason: 'InstanceNotCreated' }, error: transient,
    },
    {
      name: 'marks InstanceExists Unknown and hands the error back when exists fails',
      machine: machine({ phase: 'Provisioned', providerID: 'p' }), exists: fail(transient),
      phase: 'Provisioned', instanceExists: { status: 'Unknown', reason: 'ErrorCheckingProvider' }, error: transient,
    },
    {
      name: 'keeps the phase and polls while the instance has neither providerID nor addresses',
      machine: machine({ phase: 'Provisioning' }), exists: ok(true), call: 'update', instance: ok({ providerID: '', addresses: [], instanceState: 'pending' }),
      phase: 'Provisioning', instanceExists: { status: 'True' }, requeueAfterMs: PROVISIONED_REQUEUE_MS,
      patch: { metadata: { annotations: { 'machine.openshift.io/instance-state': 'pending' } } },
    },
    {
      name: 'moves a provisioned Machine without a Node to Provisioned and polls',
      machine: machine({ phase: 'Provisioning', providerID: observation.providerID }), exists: ok(true), call: 'update', instance: ok(observation),
      phase: 'Provisioned', instanceExists: { status: 'True' }, requeueAfterMs: PROVISIONED_REQUEUE_MS,
      patch: { metadata: { labels: { 'machine.openshift.io/instance-type': 'm5.large' }, annotations: { 'machine.openshift.io/instance-state': 'running' } } },
    },
    {
      name: 'moves a Machine with a Node to Running and stops polling',
      machine: machine({ phase: 'Provisioned', providerID: observation.providerID, nodeRef: true, annotations: { 'machine.openshift.io/instance-state': 'running' } }),
      exists: ok(true), call: 'update', instance: ok({ ...observation, labels: {} }),
      phase: 'Running', instanceExists: { status: 'True' },
    },
    {
      name: 'keeps the phase and retries in 30 s when update fails',
      machine: machine({ phase: 'Running', providerID: 'p', nodeRef: true }), exists: ok(true), call: 'update', instance: fail(transient),
      phase: 'Running', requeueAfterMs: PROVISIONED_REQUEUE_MS,
    },
    {
      name: 'honours a RequeueAfter from update',
      machine: machine({ phase: 'Running', providerID: 'p', nodeRef: true }), exists: ok(true), call: 'update', instance: fail(new RequeueAfter(20_000, 'instance pending')),
      phase: 'Running', requeueAfterMs: 20_000,
    },
    {
      name: 'fails a Running Machine whose instance vanished',
      machine: machine({ phase: 'Running', providerID: 'p', nodeRef: true }), exists: ok(false),
      phase: 'Failed', instanceExists: { status: 'False', reason: 'InstanceMissing' }, errorMessage: "can't find created instance",
      patch: { metadata: { annotations: { 'machine.openshift.io/instance-state': 'Unknown' } } },
    },
    {
      name: 'waits out the visibility grace for an instance created seconds ago',
      machine: machine({ phase: 'Provisioning', providerID: 'p', conditions: [created(5)] }), exists: ok(false),
      phase: 'Provisioning', requeueAfterMs: 15_000,
    },
    {
      name: 'waits out the visibility grace for a Provisioned Machine that create alone has seen',
      machine: machine({ phase: 'Provisioned', providerID: 'p', conditions: [created(5), { type: 'InstanceExists', status: 'True', lastTransitionTime: secondsAgo(5) }] }), exists: ok(false),
      phase: 'Provisioned', instanceExists: { status: 'True', reason: undefined }, requeueAfterMs: 15_000,
    },
    {
      name: 'fails a Machine whose Node joined and whose instance vanished within the grace',
      machine: machine({ phase: 'Provisioned', providerID: 'p', nodeRef: true, conditions: [created(5)] }), exists: ok(false),
      phase: 'Failed', instanceExists: { status: 'False', reason: 'InstanceMissing' }, errorMessage: "can't find created instance",
      patch: { metadata: { annotations: { 'machine.openshift.io/instance-state': 'Unknown' } } },
    },
    {
      name: 'fails a Machine whose created instance stays invisible past the grace',
      machine: machine({ phase: 'Provisioning', providerID: 'p', conditions: [created(25)] }), exists: ok(false),
      phase: 'Failed', instanceExists: { status: 'False', reason: 'InstanceMissing' }, errorMessage: "can't find created instance",
      patch: { metadata: { annotations: { 'machine.openshift.io/instance-state': 'Unknown' } } },
    },
  ];

  for (const t of table) {
    it(t.name, () => {
      assert.equal(instanceCallAfterExists(t.machine, t.exists, now), t.call);
      const before = structuredClone(t.machine);
      const step = nextMachineStep({ machine: t.machine, exists: t.exists, instance: t.instance, now });
      assert.deepEqual(t.machine, before, 'the input is not modified');
      assert.equal(step.status.phase, t.phase);
      if (t.instanceExists) {
        const c = step.status.conditions?.find((x) => x.type === 'InstanceExists');
        assert.deepEqual({ status: c?.status, reason: c?.reason }, { status: t.instanceExists.status, reason: t.instanceExists.reason });
      }
      assert.equal(step.requeueAfterMs, t.requeueAfterMs);
      assert.equal(step.error, t.error);
      assert.equal(step.status.errorReason, t.errorReason);
      assert.equal(step.status.errorMessage, t.errorMessage);
      assert.deepEqual(step.patch, t.patch);
      assert.equal(step.statusChanged, true);
    });
  }

  it('marks MachineCreated True on a successful create, which starts the visibility grace', () => {
    const step = nextMachineStep({ machine: machine({ phase: 'Provisioning' }), exists: ok(false), instance: ok(observation), now });
    const c = step.status.conditions?.find((x) => x.type === 'MachineCreated');
    assert.deepEqual(c, { type: 'MachineCreated', status: 'True', reason: 'MachineCreationSucceeded', lastTransitionTime: '2026-11-20T10:00:00Z' });
    assert.deepEqual(step.status.addresses, observation.addresses);
    assert.deepEqual(step.status.providerStatus, observation.providerStatus);
  });

  it('leaves a Failed Machine alone', () => {
    const m = machine({ phase: 'Failed', providerID: 'p' });
    const step = nextMachineStep({ machine: m, now });
    assert.deepEqual(step, { status: m.status, statusChanged: false, warnings: [] });
  });

  it('moves a deleting Machine to Deleting and clears its error fields', () => {
    const m: Machine = { ...machine({ phase: 'Failed' }), metadata: { name: 'm', deletionTimestamp: secondsAgo(1) } };
    const step = nextMachineStep({ machine: { ...m, status: { ...m.status, errorReason: 'InvalidConfiguration', errorMessage: 'x' } }, now });
    assert.equal(step.status.phase, 'Deleting');
    assert.equal(step.status.errorReason, undefined);
    assert.equal(step.status.lastUpdated, '2026-11-20T10:00:00Z');
  });

  it('never overwrites a providerID that is already set, and says so', () => {
    const m = machine({ phase: 'Running', providerID: 'aws:///us-east-1a/i-0001', nodeRef: true });
    const step = nextMachineStep({ machine: m, exists: ok(true), instance: ok(observation), now });
    assert.equal(step.patch?.spec, undefined);
    assert.deepEqual(step.warnings, [
      'Provider reported providerID "aws:///us-east-1a/i-0123", keeping "aws:///us-east-1a/i-0001": providerID is never changed once set',
    ]);
  });

  it('does not write status again when a Running Machine is unchanged', () => {
    const first = nextMachineStep({ machine: machine({ phase: 'Running', providerID: observation.providerID, nodeRef: true }), exists: ok(true), instance: ok(observation), now });
    const settled: Machine = { ...machine({ phase: 'Running', providerID: observation.providerID, nodeRef: true }), status: first.status };
    const second = nextMachineStep({ machine: settled, exists: ok(true), instance: ok(observation), now: new Date(now.getTime() + 60_000) });
    assert.equal(second.statusChanged, false);
    assert.equal(second.status.lastUpdated, first.status.lastUpdated);
  });

  it('requires the exists() result for a Machine that is neither deleting nor Failed', () => {
    assert.throws(() => nextMachineStep({ machine: machine(), now }), /exists\(\) result is required/);
  });
});

describe('isProvisioned', () => {
  const table = [
    { name: 'is false without providerID and addresses', m: machine(), expected: false },
    { name: 'is true with a providerID', m: machine({ providerID: 'p' }), expected: true },
    { name: 'is true with addresses', m: machine({ addresses: true }), expected: true },
  ];
  for (const { name, m, expected } of table) it(name, () => assert.equal(isProvisioned(m), expected));
});

describe('deletionBlocker', () => {
  const drained: MachineApiCondition = { type: 'Drained', status: 'True', lastTransitionTime: secondsAgo(1) };
  const withFinalizer = (status: Machine['status'], spec: Machine['spec'] = {}): Machine => ({
    metadata: { name: 'm', deletionTimestamp: secondsAgo(5), finalizers: ['machine.machine.openshift.io'] },
    spec,
    status,
  });
  const table = [
    { name: 'has nothing to do once the finalizer is gone', m: { metadata: { name: 'm', deletionTimestamp: secondsAgo(5) } } as Machine, expected: 'FinalizerRemoved' },
    { name: 'waits for the drain', m: withFinalizer({}), expected: 'NotDrained' },
    { name: 'waits for preTerminate hooks after the drain', m: withFinalizer({ conditions: [drained] }, { lifecycleHooks: { preTerminate: [{ name: 'Hook', owner: 'me' }] } }), expected: 'PreTerminateHookPresent' },
    { name: 'lets a drained Machine without hooks delete its instance', m: withFinalizer({ conditions: [drained] }), expected: undefined },
  ];
  for (const { name, m, expected } of table) it(name, () => assert.equal(deletionBlocker(m), expected));
});

describe('isIgnorableDeleteError', () => {
  const invalid = new TerminalError('InvalidConfiguration', 'bad');
  it('ignores InvalidConfiguration on a Machine that never got addresses', () => assert.equal(isIgnorableDeleteError(machine(), invalid), true));
  it('does not ignore it once the Machine has addresses', () => assert.equal(isIgnorableDeleteError(machine({ addresses: true }), invalid), false));
  it('does not ignore other errors', () => assert.equal(isIgnorableDeleteError(machine(), new Error('throttled')), false));
});
