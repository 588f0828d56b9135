import assert from 'node:assert/strict';
import type { Instance } from '../local-cloud/types.ts';
import { hollowInstanceOf } from './instance-source.ts';
import { computeConditions, computeNodeStatus, CONTAINER_RUNTIME_VERSION, KUBELET_VERSION, microTime, readinessAt, type HollowInstance } from './node-object.ts';

const instance: HollowInstance = {
  id: 'li-1', nodeName: 'n', providerID: 'local:///n', internalIP: '10.0.0.2', instanceType: 'local.small', region: 'local', zone: 'local-a',
  cpu: 2, memoryMiB: 8192, osImage: 'OS', runningSince: 1_000_000, neverReady: false, failToJoin: false,
};

describe('node readiness and conditions', () => {
  it('derives readiness from the instance failure modes and the time', () => {
    const cases: Array<[Partial<HollowInstance>, number, string]> = [
      [{}, 10_000_000, 'Ready'],
      [{ neverReady: true }, 1_000_000, 'NotReady'],
      [{ notReadyAfterSeconds: 5 }, 1_004_999, 'Ready'],
      [{ notReadyAfterSeconds: 5 }, 1_005_000, 'Unknown'],
    ];
    for (const [overrides, now, readiness] of cases) assert.equal(readinessAt({ ...instance, ...overrides }, now), readiness, JSON.stringify(overrides));
  });

  it('keeps lastTransitionTime while a status holds and moves the heartbeat', () => {
    const first = computeConditions('Ready', 't1', []);
    const second = computeConditions('Ready', 't2', first);
    assert.deepEqual(second.map((c) => [c.type, c.lastHeartbeatTime, c.lastTransitionTime]), [
      ['MemoryPressure', 't2', 't1'], ['DiskPressure', 't2', 't1'], ['PIDPressure', 't2', 't1'], ['Ready', 't2', 't1'],
    ]);
  });

  it('turns every condition Unknown with the last heartbeat kept, as the node lifecycle controller does', () => {
    const unknown = computeConditions('Unknown', 't3', computeConditions('Ready', 't1', []));
    assert.deepEqual(unknown.map((c) => [c.type, c.status, c.reason, c.lastHeartbeatTime, c.lastTransitionTime]), [
      ['MemoryPressure', 'Unknown', 'NodeStatusUnknown', 't1', 't3'],
      ['DiskPressure', 'Unknown', 'NodeStatusUnknown', 't1', 't3'],
      ['PIDPressure', 'Unknown', 'NodeStatusUnknown', 't1', 't3'],
      ['Ready', 'Unknown', 'NodeStatusUnknown', 't1', 't3'],
    ]);
  });

  it('writes MicroTime with six fractional digits', () => {
    assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
  });
});

describe('node info', () => {
  it('reports the OS, kubelet and runtime of the image the instance booted, the defaults without one, and the OS agent\'s after a switch', () => {
    const cloudInstance: Instance = {
      id: 'li-1', clientToken: 't', name: 'n', tags: {}, state: 'running', providerID: 'local:///n', privateIp: '10.0.0.2', hostname: 'n',
      launchTime: '2026-08-01T00:00:00.000Z', spec: { instanceType: 'local.small', region: 'local', zone: 'local-a', image: 'rhcos-4.2.0' },
      bootImage: { osImage: 'RHCOS 4.2.0', kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'cri-o://1.33.0' },
    };
    const nodeInfo = (i: HollowInstance, software?: { osImage: string; kubeletVersion: string; containerRuntimeVersion: string }) => {
      const { osImage, kubeletVersion, containerRuntimeVersion } = (computeNodeStatus(i, [], { count: 0, software }) as { nodeInfo: Record<string, string> }).nodeInfo;
      return [osImage, kubeletVersion, containerRuntimeVersion];
    };
    assert.deepEqual(nodeInfo(hollowInstanceOf(cloudInstance)), ['RHCOS 4.2.0', 'v1.33.0', 'cri-o://1.33.0']);
    assert.deepEqual(nodeInfo(hollowInstanceOf({ ...cloudInstance, spec: { ...cloudInstance.spec, osImage: 'Override' } }))[0], 'Override', 'spec.osImage still overrides');
    assert.deepEqual(nodeInfo(instance), ['OS', KUBELET_VERSION, CONTAINER_RUNTIME_VERSION]);
    assert.deepEqual(nodeInfo(hollowInstanceOf(cloudInstance), { osImage: 'RHCOS 4.3.0', kubeletVersion: 'v1.34.0', containerRuntimeVersion: 'cri-o://1.34.0' }), ['RHCOS 4.3.0', 'v1.34.0', 'cri-o://1.34.0']);
  });
});
