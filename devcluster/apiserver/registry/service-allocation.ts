// Service defaults and the cluster-wide allocations of kube-apiserver's Service REST storage: cluster IPs from the
// default service CIDR 10.96.0.0/12 (single-stack IPv4) and node ports from 30000-32767
// (pkg/apis/core/v1/defaults.go SetDefaults_Service; pkg/registry/core/service/storage/alloc.go, ipallocator,
// portallocator; pkg/apis/core/validation ValidateServiceUpdate).
//
// There is no allocator state: the in-use sets are derived from the stored Services on every write, so an IP or
// port is free again as soon as its Service is gone, and a restarted server knows every allocation it had.
// Handlers run one at a time and store the object without awaiting in between, so two creates cannot race.
import { fieldErrors, invalid, type FieldError } from '../status-errors.ts';
import type { KubeObject } from '../types.ts';

type Obj = Record<string, unknown>;
const asObj = (value: unknown): Obj => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : {});
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

export const SERVICE_CIDR = '10.96.0.0/12';
const CIDR_BASE = ipv4ToNumber('10.96.0.0') ?? 0;
/** Usable addresses: the network and broadcast addresses are excluded (bitmap allocator NewAllocatorCIDRRange). */
const IP_COUNT = 2 ** (32 - 12) - 2;
/**
 * Dynamic allocation prefers addresses past this many, leaving the start of the range for static requests
 * (KEP-3070 calculateRangeOffset: min(max(16, size/16), 256)).
 */
const IP_STATIC_BAND = 256;

export const NODE_PORT_RANGE = { base: 30000, size: 2768 } as const;
/** The same static band for node ports (KEP-3668: min(max(16, size/32), 128)). */
const PORT_STATIC_BAND = 86;
const NODE_PORT_RANGE_TEXT = `${NODE_PORT_RANGE.base}-${NODE_PORT_RANGE.base + NODE_PORT_RANGE.size - 1}`;

/** The cluster IPs and node ports that other Services hold. */
export interface InUse {
  ips: Set<string>;
  nodePorts: Set<number>;
}

/** The cluster IPs and node ports held by the stored Services other than `self`. */
export function inUseBy(stored: readonly Readonly<KubeObject>[], self: KubeObject): InUse {
  const ips = new Set<string>();
  const nodePorts = new Set<number>();
  for (const svc of stored) {
    if (svc.metadata.namespace === self.metadata.namespace && svc.metadata.name === self.metadata.name) continue;
    for (const ip of clusterIPsOf(svc)) ips.add(ip);
    for (const port of nodePortsOf(svc)) nodePorts.add(port);
  }
  return { ips, nodePorts };
}

/** SetDefaults_Service and SetDefaults_ServicePort: the fields a stored Service always has. */
export function defaultService(obj: KubeObject): void {
  const spec = asObj(obj.spec);
  if (!spec.type) spec.type = 'ClusterIP';
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports.map(asObj)) {
      port.protocol ??= 'TCP';
      if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '') port.targetPort = port.port;
    }
  }
  obj.spec = spec;
}

/** Create: allocate what the request leaves unset, reserve what it names (422 when taken or out of range). */
export function allocateOnCreate(obj: KubeObject, inUse: InUse, random: () => number = Math.random): void {
  const spec = asObj(obj.spec);
  const errors: FieldError[] = [];
  if (needsClusterIP(spec)) {
    // An old client sets only the singular field (normalizeClusterIPs).
    const clusterIP = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
    if (clusterIP !== '' && strings(spec.clusterIPs).length === 0) spec.clusterIPs = [clusterIP];
    errors.push(...allocateClusterIPs(spec, inUse, random));
    initIPFamilyFields(spec);
  }
  errors.push(...allocateNodePorts(spec, inUse, random));
  if (errors.length > 0) throw invalid('', 'Service', obj.metadata.name ?? '', errors);
}

/**
 * Update: keep the allocated values the request left out (patchAllocatedValues), refuse a changed cluster IP,
 * allocate for a Service that starts needing an IP or node ports, and drop what a type change makes pointless.
 */
export function allocateOnUpdate(obj: KubeObject, old: KubeObject, inUse: InUse, random: () => number = Math.random): void {
  const spec = asObj(obj.spec);
  const oldSpec = asObj(old.spec);
  const errors: FieldError[] = [];
  keepAllocatedValues(spec, oldSpec);
  dropTypeDependentFields(spec, oldSpec);
  if (needsClusterIP(spec)) {
    if (!needsClusterIP(oldSpec)) errors.push(...allocateClusterIPs(spec, inUse, random));
    else errors.push(...clusterIPChangeErrors(spec, oldSpec));
    initIPFamilyFields(spec);
  }
  errors.push(...allocateNodePorts(spec, inUse, random));
  if (errors.length > 0) throw invalid('', 'Service', obj.metadata.name ?? '', errors);
}

function needsClusterIP(spec: Obj): boolean {
  return spec.type !== 'ExternalName';
}

function needsNodePorts(spec: Obj): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer';
}

/** Whether unset node ports are allocated (LoadBalancer may opt out with allocateLoadBalancerNodePorts: false). */
function allocatesNodePorts(spec: Obj): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

function clusterIPsOf(svc: Readonly<KubeObject>): string[] {
  const spec = asObj(svc.spec);
  const ips = strings(spec.clusterIPs);
  const all = ips.length > 0 ? ips : [typeof spec.clusterIP === 'string' ? spec.clusterIP : ''];
  return all.filter((ip) => ip !== '' && ip !== 'None');
}

function nodePortsOf(svc: Readonly<KubeObject>): number[] {
  const spec = asObj(svc.spec);
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).map((p) => asObj(p).nodePort);
  return [...ports, spec.healthCheckNodePort].filter((p): p is number => typeof p === 'number' && p !== 0);
}

/** allocClusterIPs: the requested IP when in range and free, else the next free one. Headless needs none. */
function allocateClusterIPs(spec: Obj, inUse: InUse, random: () => number): FieldError[] {
  const requested = strings(spec.clusterIPs);
  const ip = requested[0] ?? '';
  if (ip === 'None') {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
    return [];
  }
  if (ip === '') {
    const next = nextFree(CIDR_BASE + 1, IP_COUNT, IP_STATIC_BAND, (n) => inUse.ips.has(numberToIpv4(n)), random);
    // The range is 2^20 addresses: running out is not something a development cluster can do.
    if (next === undefined) throw new Error(`service CIDR ${SERVICE_CIDR} is full`);
    spec.clusterIP = numberToIpv4(next);
    spec.clusterIPs = [spec.clusterIP];
    return [];
  }
  const parsed = ipv4ToNumber(ip);
  if (parsed === undefined) {
    return [fieldErrors.invalid('spec.clusterIPs[0]', ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
  }
  const failure = (reason: string): FieldError => ({
    field: 'spec.clusterIPs', reason: 'FieldValueInvalid', detail: `Invalid value: ${goStringSlice(requested)}: failed to allocate IP ${ip}: ${reason}`,
  });
  if (parsed <= CIDR_BASE || parsed > CIDR_BASE + IP_COUNT) {
    return [failure(`the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`)];
  }
  if (inUse.ips.has(ip)) return [failure('provided IP is already allocated')];
  spec.clusterIP = ip;
  return [];
}

/** A single-stack IPv4 cluster: every IP-carrying Service is IPv4; headless ones without selector RequireDualStack. */
function initIPFamilyFields(spec: Obj): void {
  if (strings(spec.ipFamilies).length === 0) spec.ipFamilies = ['IPv4'];
  const selectorless = Object.keys(asObj(spec.selector)).length === 0;
  spec.ipFamilyPolicy ??= spec.clusterIP === 'None' && selectorless ? 'RequireDualStack' : 'SingleStack';
}

/** patchAllocatedValues and the update half of normalizeClusterIPs (service/storage/storage.go). */
function keepAllocatedValues(spec: Obj, oldSpec: Obj): void {
  if (needsClusterIP(spec) && needsClusterIP(oldSpec)) {
    if (!spec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (strings(spec.clusterIPs).length === 0 && strings(oldSpec.clusterIPs).length > 0) spec.clusterIPs = oldSpec.clusterIPs;
    if (strings(spec.ipFamilies).length === 0 && strings(oldSpec.ipFamilies).length > 0) spec.ipFamilies = oldSpec.ipFamilies;
    spec.ipFamilyPolicy ??= oldSpec.ipFamilyPolicy;
    // A client that changed only the singular field means the plural one too.
    if (spec.clusterIP !== oldSpec.clusterIP && JSON.stringify(spec.clusterIPs) === JSON.stringify(oldSpec.clusterIPs)) {
      spec.clusterIPs = spec.clusterIP ? [spec.clusterIP] : [];
    }
  }
  if (needsNodePorts(spec) && needsNodePorts(oldSpec)) {
    const byName = new Map((Array.isArray(oldSpec.ports) ? oldSpec.ports : []).map(asObj).map((p) => [p.name ?? '', p.nodePort]));
    const newPorts = (Array.isArray(spec.ports) ? spec.ports : []).map(asObj);
    const used = new Set(newPorts.map((p) => p.nodePort).filter((p) => typeof p === 'number' && p !== 0));
    for (const port of newPorts) {
      const kept = byName.get(port.name ?? '');
      if (!port.nodePort && typeof kept === 'number' && !used.has(kept)) port.nodePort = kept;
    }
  }
}

/** dropTypeDependentFields: values the old type needed are cleared when the new type does not and they were not changed. */
function dropTypeDependentFields(spec: Obj, oldSpec: Obj): void {
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (spec.clusterIP === oldSpec.clusterIP) delete spec.clusterIP;
    if (JSON.stringify(spec.clusterIPs) === JSON.stringify(oldSpec.clusterIPs)) delete spec.clusterIPs;
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(oldSpec) && !needsNodePorts(spec)) {
    const oldPorts = (Array.isArray(oldSpec.ports) ? oldSpec.ports : []).map((p) => asObj(p).nodePort);
    for (const port of (Array.isArray(spec.ports) ? spec.ports : []).map(asObj)) {
      if (oldPorts.includes(port.nodePort)) delete port.nodePort;
    }
  }
}

/** validateUpgradeDowngradeClusterIPs for a single-stack cluster: the assigned IP may not change. */
function clusterIPChangeErrors(spec: Obj, oldSpec: Obj): FieldError[] {
  const now = strings(spec.clusterIPs);
  const before = strings(oldSpec.clusterIPs);
  if (now[0] === 'None' && before[0] === 'None') return [];
  return before.flatMap((ip, i) => (now[i] === ip ? [] : [{
    field: `spec.clusterIPs[${i}]`, reason: 'FieldValueInvalid', detail: `Invalid value: ${goStringSlice(now)}: may not change once set`,
  }]));
}

/**
 * initNodePorts / updateNodePorts: a port keeps or reserves the node port it names (422 when another Service
 * holds it or it is outside 30000-32767) and gets the next free one otherwise; ports with the same port number
 * share one. `inUse` leaves out the Service written, so an update keeps the node ports it held.
 */
function allocateNodePorts(spec: Obj, inUse: InUse, random: () => number): FieldError[] {
  const ports = (Array.isArray(spec.ports) ? spec.ports : []).map(asObj);
  if (!needsNodePorts(spec)) {
    return ports.flatMap((p, i) => (p.nodePort ? [fieldErrors.forbidden(`spec.ports[${i}].nodePort`, `may not be used when \`type\` is '${String(spec.type)}'`)] : []));
  }
  const taken = inUse.nodePorts;
  const reserved = new Set<number>();
  const byServicePort = new Map<unknown, number>();
  const errors: FieldError[] = [];
  ports.forEach((port, i) => {
    const requested = typeof port.nodePort === 'number' ? port.nodePort : 0;
    if (requested === 0 && !allocatesNodePorts(spec)) return;
    const shared = byServicePort.get(port.port);
    if (requested === 0 && shared !== undefined) {
      port.nodePort = shared;
      return;
    }
    if (requested !== 0) {
      if (reserved.has(requested) && shared === requested) return;
      const error = reserve(requested, taken, reserved);
      if (error) {
        errors.push(fieldErrors.invalid(`spec.ports[${i}].nodePort`, requested, error));
        return;
      }
      byServicePort.set(port.port, requested);
      return;
    }
    const next = nextFree(NODE_PORT_RANGE.base, NODE_PORT_RANGE.size, PORT_STATIC_BAND, (p) => taken.has(p) || reserved.has(p), random);
    if (next === undefined) throw new Error(`failed to allocate a nodePort: range ${NODE_PORT_RANGE_TEXT} is full`);
    reserved.add(next);
    port.nodePort = next;
    byServicePort.set(port.port, next);
  });
  return errors;
}

/** portallocator.Allocate: the error text for a requested node port, or undefined once it is reserved. */
function reserve(port: number, taken: Set<number>, reserved: Set<number>): string | undefined {
  if (port < NODE_PORT_RANGE.base || port >= NODE_PORT_RANGE.base + NODE_PORT_RANGE.size) {
    return `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE_TEXT}`;
  }
  if (reserved.has(port) || taken.has(port)) return 'provided port is already allocated';
  reserved.add(port);
  return undefined;
}

/**
 * The bitmap allocators' randomScanStrategyWithOffset: a random start in the dynamic band (past `staticBand`),
 * scanning on from there and wrapping within it, then the static band from its start.
 */
function nextFree(base: number, size: number, staticBand: number, isTaken: (n: number) => boolean, random: () => number): number | undefined {
  const dynamic = size - staticBand;
  const start = Math.floor(random() * dynamic);
  for (let i = 0; i < dynamic; i++) {
    const candidate = base + staticBand + ((start + i) % dynamic);
    if (!isTaken(candidate)) return candidate;
  }
  for (let i = 0; i < staticBand; i++) if (!isTaken(base + i)) return base + i;
  return undefined;
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** Go's %#v of a []string, as field.Invalid prints a slice value: []string{"a", "b"}. */
function goStringSlice(values: string[]): string {
  return `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
}
