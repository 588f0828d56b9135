import assert from 'node:assert/strict';
import type { Machine, MachineHealthCheck } from '../../api/machine-v1beta1.ts';
import type { Node } from '../node.ts';
import {
  evaluateHealthCheck,
  INVALID_CONFIGURATION_REMEDIATION_DELAY_MS,
  maxUnhealthyCount,
  needsRemediation,
  SHORT_CIRCUIT_RECHECK_MS,
  type HealthCheckTarget,
  type TargetHealth,
} from './targets.ts';

const now = new Date('2026-11-20T10:00:00Z');
const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function mhc(spec: MachineHealthCheck['spec'] = {}): MachineHealthCheck {
  return {
    metadata: { name: 'workers', namespace: 'ns' },
    spec: { unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: '300s' }, { type: 'Ready', status: 'Unknown', timeout: '300s' }], ...spec },
  };
}

const owner = [{ apiVersion: 'machine.openshift.io/v1beta1', kind: 'MachineSet', name: 'workers', uid: 'u', controller: true }];
function machine(name: string, o: { phase?: 'Failed' | 'Running'; nodeRef?: boolean; lastUpdated?: string; created?: string; owned?: boolean; deleting?: boolean; errorReason?: 'InvalidConfiguration' } = {}): Machine {
  return {
    metadata: {
      name,
      ...(o.created ? { creationTimestamp: o.created } : {}),
      ...(o.owned === false ? {} : { ownerReferences: owner }),
      ...(o.deleting ? { deletionTimestamp: secondsAgo(1) } : {}),
    },
    status: {
      ...(o.phase ? { phase: o.phase } : {}),
      ...(o.nodeRef ? { nodeRef: { kind: 'Node', name: `node-${name}` } } : {}),
      ...(o.lastUpdated ? { lastUpdated: o.lastUpdated } : {}),
      ...(o.errorReason ? { errorReason: o.errorReason } : {}),
    },
  };
}
const node = (ready: string, sinceSeconds: number): Node => ({
  metadata: { uid: 'n' },
  status: { conditions: [{ type: 'Ready', status: ready, lastTransitionTime: secondsAgo(sinceSeconds) }] },
});
const healthy = (name: string): HealthCheckTarget => ({ machine: machine(name, { phase: 'Running', nodeRef: true }), node: node('True', 3600), nodeFound: true });

describe('needsRemediation', () => {
  const table: Array<{ name: string; target: HealthCheckTarget; check?: MachineHealthCheck; expected: TargetHealth }> = [
    {
      name: 'finds a Failed Machine unhealthy at once',
      target: { machine: machine('a', { phase: 'Failed', nodeRef: true }), node: node('True', 10), nodeFound: true },
      expected: { unhealthy: true, reason: 'MachineFailed', message: 'Machine phase is Failed' },
    },
    {
      name: 'finds a Machine without a Node unhealthy once nodeStartupTimeout has passed since lastUpdated',
      target: { machine: machine('a', { lastUpdated: secondsAgo(601) }), nodeFound: false },
      expected: { unhealthy: true, reason: 'NodeStartupTimeout', message: 'Machine has no node after 10m' },
    },
    {
      name: 'rechecks a starting Machine one second after its nodeStartupTimeout',
      target: { machine: machine('a', { lastUpdated: secondsAgo(60) }), nodeFound: false },
      check: mhc({ nodeStartupTimeout: '5m' }),
      expected: { unhealthy: false, recheckAfterMs: 241_000 },
    },
    {
      name: 'falls back to creationTimestamp when lastUpdated is absent',
      target: { machine: machine('a', { created: secondsAgo(900) }), nodeFound: false },
      expected: { unhealthy: true, reason: 'NodeStartupTimeout', message: 'Machine has no node after 10m' },
    },
    {
      name: 'waits a whole timeout when the Machine has no timestamps at all',
      target: { machine: machine('a'), nodeFound: false },
      expected: { unhealthy: false, recheckAfterMs: 600_000 },
    },
    {
      name: 'skips the startup check when nodeStartupTimeout is "0"',
      target: { machine: machine('a', { lastUpdated: secondsAgo(86_400) }), nodeFound: false },
      check: mhc({ nodeStartupTimeout: '0' }),
      expected: { unhealthy: false },
    },
    {
      name: 'finds a Machine whose Node is gone unhealthy',
      target: { machine: machine('a', { nodeRef: true }), nodeFound: false },
      expected: { unhealthy: true, reason: 'NodeNotFound', message: 'Node node-a not found' },
    },
    {
      name: 'finds a Node NotReady for longer than the timeout unhealthy',
      target: { machine: machine('a', { nodeRef: true }), node: node('False', 301), nodeFound: true },
      expected: { unhealthy: true, reason: 'UnhealthyNodeCondition', message: 'Node condition Ready=False for longer than 300s' },
    },
    {
      name: 'rechecks a Node that has been Unknown for less than the timeout',
      target: { machine: machine('a', { nodeRef: true }), node: node('Unknown', 100), nodeFound: true },
      expected: { unhealthy: false, recheckAfterMs: 201_000 },
    },
    {
      name: 'finds a Ready Node healthy with nothing to recheck',
      target: healthy('a'),
      expected: { unhealthy: false },
    },
    {
      name: 'ignores an unhealthy condition whose timeout cannot be parsed',
      target: { machine: machine('a', { nodeRef: true }), node: node('False', 99_999), nodeFound: true },
      check: mhc({ unhealthyConditions: [{ type: 'Ready', status: 'False', timeout: 'soon' }] }),
      expected: { unhealthy: false },
    },
  ];
  for (const { name, target, check, expected } of table) it(name, () => assert.deepEqual(needsRemediation(target, check ?? mhc(), now), expected));
});

describe('maxUnhealthyCount', () => {
  const table: Array<{ value: number | string | undefined; expected: number | undefined }> = [
    { value: undefined, expected: 7 },
    { value: 2, expected: 2 },
    { value: '40%', expected: 2 },
    { value: '100%', expected: 7 },
    { value: '3', expected: 3 },
    { value: 'lots', expected: undefined },
  ];
  for (const { value, expected } of table) {
    it(`reads ${JSON.stringify(value)} of 7 Machines as ${expected ?? 'invalid'}`, () => assert.equal(maxUnhealthyCount(value, 7), expected));
  }
});

describe('evaluateHealthCheck', () => {
  const notReady = (name: string, o: Parameters<typeof machine>[1] = {}): HealthCheckTarget => ({
    machine: machine(name, { nodeRef: true, ...o }),
    node: node('False', 600),
    nodeFound: true,
  });

  it('remediates unhealthy Machines within maxUnhealthy and counts the rest healthy', () => {
    const targets = [healthy('a'), healthy('b'), notReady('c')];
    const result = evaluateHealthCheck(mhc({ maxUnhealthy: 1 }), targets, now);
    assert.equal(result.expectedMachines, 3);
    assert.equal(result.currentHealthy, 2);
    assert.equal(result.remediationsAllowed, 0);
    assert.equal(result.shortCircuited, false);
    assert.deepEqual(result.toRemediate.map((m) => m.metadata.name), ['c']);
    assert.deepEqual(result.conditions, [{ type: 'RemediationAllowed', status: 'True', lastTransitionTime: '2026-11-20T10:00:00Z' }]);
    assert.equal(result.recheckAfterMs, undefined);
  });

  it('short-circuits above maxUnhealthy, remediates nothing and rechecks after the floor, not in a loop', () => {
    const targets = [healthy('a'), notReady('b'), notReady('c'), { machine: machine('d', { lastUpdated: secondsAgo(10) }), nodeFound: false }];
    const result = evaluateHealthCheck(mhc({ maxUnhealthy: '40%' }), targets, now);
    assert.equal(result.shortCircuited, true);
    assert.equal(result.remediationsAllowed, 0);
    assert.deepEqual(result.toRemediate, []);
    assert.deepEqual(result.unhealthy.map((u) => u.machine.metadata.name), ['b', 'c']);
    assert.equal(result.recheckAfterMs, SHORT_CIRCUIT_RECHECK_MS);
    assert.deepEqual(result.conditions, [
      {
        type: 'RemediationAllowed',
        status: 'False',
        reason: 'TooManyUnhealthy',
        severity: 'Warning',
        message: 'Remediation is not allowed, the number of not started or unhealthy machines exceeds maxUnhealthy (total: 4, unhealthy: 3, maxUnhealthy: 40%)',
        lastTransitionTime: '2026-11-20T10:00:00Z',
      },
    ]);
  });

  it('counts starting, deleting and externally remediated Machines as not healthy', () => {
    const targets: HealthCheckTarget[] = [
      healthy('a'),
      { machine: machine('starting', { lastUpdated: secondsAgo(10) }), nodeFound: false },
      { ...healthy('deleting'), machine: machine('deleting', { nodeRef: true, deleting: true }) },
      { ...healthy('external'), machine: { ...machine('external', { nodeRef: true }), metadata: { name: 'external', annotations: { 'host.metal3.io/external-remediation': '' } } } },
    ];
    const result = evaluateHealthCheck(mhc(), targets, now);
    assert.equal(result.currentHealthy, 1);
    assert.equal(result.remediationsAllowed, 1);
    assert.equal(result.recheckAfterMs, 591_000);
  });

  it('skips Machines without a MachineSet controller and Machines already being deleted', () => {
    const targets = [notReady('orphan', { owned: false }), notReady('going', { deleting: true })];
    const result = evaluateHealthCheck(mhc(), targets, now);
    assert.deepEqual(result.toRemediate, []);
    assert.deepEqual(result.skipped.map((s) => [s.machine.metadata.name, s.reason]), [['orphan', 'SkippedNoController']]);
  });

  it('holds back a Machine that just failed with InvalidConfiguration and rechecks when the delay ends', () => {
    const failedSecondsAgo = 60;
    const target: HealthCheckTarget = { machine: machine('bad', { phase: 'Failed', errorReason: 'InvalidConfiguration', lastUpdated: secondsAgo(failedSecondsAgo) }), nodeFound: false };
    const result = evaluateHealthCheck(mhc(), [target], now);
    assert.deepEqual(result.toRemediate, []);
    assert.deepEqual(result.skipped.map((s) => s.reason), ['InvalidConfiguration']);
    assert.equal(result.recheckAfterMs, INVALID_CONFIGURATION_REMEDIATION_DELAY_MS - failedSecondsAgo * 1000 + 1000);
  });

  it('remediates a Machine Failed with InvalidConfiguration once the delay has passed', () => {
    const target: HealthCheckTarget = {
      machine: machine('bad', { phase: 'Failed', errorReason: 'InvalidConfiguration', lastUpdated: secondsAgo(INVALID_CONFIGURATION_REMEDIATION_DELAY_MS / 1000 + 1) }),
      nodeFound: false,
    };
    assert.deepEqual(evaluateHealthCheck(mhc(), [target], now).toRemediate.map((m) => m.metadata.name), ['bad']);
  });

  it('remediates a Machine Failed for another reason at once', () => {
    const target: HealthCheckTarget = { machine: machine('gone', { phase: 'Failed', lastUpdated: secondsAgo(1) }), nodeFound: false };
    assert.deepEqual(evaluateHealthCheck(mhc(), [target], now).toRemediate.map((m) => m.metadata.name), ['gone']);
  });

  it('gives the same conditions when evaluated again on its own output, so the status write settles', () => {
    const check = mhc({ maxUnhealthy: 0 });
    const targets = [healthy('a'), notReady('b')];
    const first = evaluateHealthCheck(check, targets, now);
    const again = evaluateHealthCheck({ ...check, status: { conditions: first.conditions } }, targets, new Date(now.getTime() + 60_000));
    assert.deepEqual(again.conditions, first.conditions);
  });

  it('short-circuits with a clear message when maxUnhealthy cannot be read', () => {
    const result = evaluateHealthCheck(mhc({ maxUnhealthy: 'many' }), [healthy('a')], now);
    assert.equal(result.shortCircuited, true);
    assert.match(result.conditions[0].message ?? '', /maxUnhealthy "many" is not a count or a percentage/);
  });
});
