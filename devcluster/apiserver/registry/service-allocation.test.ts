import assert from 'node:assert/strict';
import { StatusError } from '../status-errors.ts';
import type { KubeObject } from '../types.ts';
import { allocateOnCreate, allocateOnUpdate, defaultService, inUseBy, type InUse } from './service-allocation.ts';

const svc = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec });
const none = (): InUse => ({ ips: new Set(), nodePorts: new Set() });
const specOf = (obj: KubeObject): Record<string, unknown> => obj.spec as Record<string, unknown>;

function create(obj: KubeObject, inUse = none(), random = () => 0): KubeObject {
  defaultService(obj);
  allocateOnCreate(obj, inUse, random);
  return obj;
}

function refusal(write: () => void): StatusError {
  try {
    write();
  } catch (err) {
    assert.ok(err instanceof StatusError, String(err));
    assert.equal(err.code, 422);
    return err;
  }
  assert.fail('expected a 422');
}

describe('Service defaults and allocation', () => {
  it('defaults a ClusterIP Service and gives it the first dynamic address, single-stack IPv4', () => {
    const obj = create(svc('web', { ports: [{ port: 80 }], selector: { app: 'web' } }));
    assert.deepEqual(obj.spec, {
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], selector: { app: 'web' },
      type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster',
      clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
    });
  });

  it('scans on from the random start past addresses in use, and wraps to the start of the dynamic band', () => {
    assert.equal(specOf(create(svc('a', {}), { ips: new Set(['10.96.1.1', '10.96.1.2']), nodePorts: new Set() })).clusterIP, '10.96.1.3');
    assert.equal(specOf(create(svc('b', {}), { ips: new Set(['10.111.255.254']), nodePorts: new Set() }, () => 0.9999999999)).clusterIP, '10.96.1.1');
    const random = specOf(create(svc('c', {}), none(), Math.random)).clusterIP as string;
    assert.match(random, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
  });

  it('keeps a free requested IP, also one in the static band, and fills clusterIPs from clusterIP', () => {
    const spec = specOf(create(svc('dns', { clusterIP: '10.96.0.10' })));
    assert.deepEqual([spec.clusterIP, spec.clusterIPs], ['10.96.0.10', ['10.96.0.10']]);
  });

  it('refuses a taken or out-of-range IP with the allocator messages, naming spec.clusterIPs', () => {
    const taken = refusal(() => create(svc('x', { clusterIP: '10.96.0.10' }), { ips: new Set(['10.96.0.10']), nodePorts: new Set() }));
    assert.equal(taken.message, 'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated');
    assert.deepEqual(taken.details?.causes?.map((c) => c.field), ['spec.clusterIPs']);
    for (const ip of ['10.95.255.255', '10.96.0.0', '10.111.255.255', '10.112.0.1']) {
      const outside = refusal(() => create(svc('x', { clusterIP: ip })));
      assert.equal(outside.message, `Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12`);
    }
    assert.equal(refusal(() => create(svc('x', { clusterIP: '10.96.0.300' }))).message,
      'Service "x" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
  });

  it('leaves a headless Service without an IP; without a selector it is RequireDualStack as upstream', () => {
    assert.deepEqual(specOf(create(svc('h', { clusterIP: 'None', selector: { app: 'h' } }))).clusterIPs, ['None']);
    assert.equal(specOf(create(svc('h', { clusterIP: 'None', selector: { app: 'h' } }))).ipFamilyPolicy, 'SingleStack');
    assert.equal(specOf(create(svc('h', { clusterIP: 'None' }))).ipFamilyPolicy, 'RequireDualStack');
    assert.deepEqual(inUseBy([create(svc('h', { clusterIP: 'None' }))], svc('other', {})).ips, new Set());
  });

  it('gives an ExternalName Service neither IP nor defaults that need one', () => {
    assert.deepEqual(create(svc('ext', { type: 'ExternalName', externalName: 'db.example.com' })).spec, { type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
  });

  it('allocates node ports from the dynamic band, sharing one across ports of the same number, and keeps requested ones', () => {
    const spec = specOf(create(svc('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, protocol: 'UDP' }, { name: 'c', port: 443, nodePort: 30000 }] }), { ips: new Set(), nodePorts: new Set([30086]) }));
    assert.deepEqual((spec.ports as Array<{ nodePort: number }>).map((p) => p.nodePort), [30087, 30087, 30000]);
    assert.equal(spec.externalTrafficPolicy, 'Cluster');
  });

  it('refuses a taken or out-of-range node port with the port allocator messages, and a node port on a ClusterIP Service', () => {
    const taken = refusal(() => create(svc('np', { type: 'NodePort', ports: [{ port: 80 }, { port: 81, nodePort: 30080 }] }), { ips: new Set(), nodePorts: new Set([30080]) }));
    assert.equal(taken.message, 'Service "np" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated');
    assert.equal(refusal(() => create(svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 29999 }] }))).message,
      'Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767');
    assert.equal(refusal(() => create(svc('c', { ports: [{ port: 80, nodePort: 30001 }] }))).message,
      "Service \"c\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
  });

  it('a LoadBalancer with allocateLoadBalancerNodePorts: false gets no node ports', () => {
    const spec = specOf(create(svc('lb', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] })));
    assert.deepEqual(spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  });

  describe('on update', () => {
    function update(next: KubeObject, old: KubeObject, inUse = none()): KubeObject {
      defaultService(next);
      allocateOnUpdate(next, old, inUse, () => 0);
      return next;
    }

    it('keeps the allocated IP and node ports that a replacing client leaves out', () => {
      const old = create(svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }] }));
      const spec = specOf(update(svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), old));
      assert.deepEqual([spec.clusterIP, spec.clusterIPs, spec.ipFamilies, (spec.ports as Array<{ nodePort: number }>)[0].nodePort], ['10.96.1.1', ['10.96.1.1'], ['IPv4'], 30086]);
    });

    it('refuses a changed cluster IP with "may not change once set" on spec.clusterIPs[0]', () => {
      const old = create(svc('web', {}));
      const err = refusal(() => update(svc('web', { ...specOf(old), clusterIP: '10.96.0.99' }), old));
      assert.equal(err.message, 'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.99"}: may not change once set');
    });

    it('allocates node ports when the type becomes NodePort, and drops them when it goes back to ClusterIP', () => {
      const old = create(svc('web', { ports: [{ port: 80 }] }));
      const asNodePort = update(svc('web', { ...specOf(old), type: 'NodePort', ports: [{ port: 80 }] }), old, { ips: new Set(), nodePorts: new Set([30086]) });
      assert.equal((specOf(asNodePort).ports as Array<{ nodePort: number }>)[0].nodePort, 30087);
      const back = update(svc('web', { ...specOf(asNodePort), type: 'ClusterIP', ports: specOf(asNodePort).ports }), asNodePort);
      assert.equal((specOf(back).ports as Array<{ nodePort?: number }>)[0].nodePort, undefined);
    });

    it('lets a Service keep its own node port, and allocates an IP when it stops being ExternalName', () => {
      const old = create(svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
      assert.doesNotThrow(() => update(svc('np', { ...specOf(old) }), old, inUseBy([old], old)));
      const ext = create(svc('e', { type: 'ExternalName', externalName: 'x.example.com' }));
      assert.equal(specOf(update(svc('e', { type: 'ClusterIP' }), ext)).clusterIP, '10.96.1.1');
    });
  });
});
