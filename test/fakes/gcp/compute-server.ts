// A wire fake of the Compute Engine REST API v1, the subset @google-cloud/compute's REST transport uses for
// Machines (there is no GCE emulator; shared/reference/ts-ecosystem.md §3 records the real client's traffic):
//
//   POST   /compute/v1/projects/{p}/zones/{z}/instances?requestId=…          insert → Operation
//   GET    /compute/v1/projects/{p}/zones/{z}/instances?filter=…&maxResults=…&pageToken=…
//   GET    /compute/v1/projects/{p}/zones/{z}/instances/{name}
//   DELETE /compute/v1/projects/{p}/zones/{z}/instances/{name}?requestId=…   delete → Operation
//   GET    /compute/v1/projects/{p}/zones/{z}/operations/{op}
//   POST   /compute/v1/projects/{p}/zones/{z}/operations/{op}/wait           long-poll: DONE, or the cap
//   GET    /compute/v1/projects/{p}/zones/{z}/machineTypes/{type}
//   POST   /token                                                            OAuth 2.0 JWT-bearer grant
//
// It behaves as the Compute docs describe: Operations (kind compute#operation, PENDING → RUNNING → DONE, failures
// as DONE + error.errors[] + httpErrorStatusCode, never as an HTTP error), requestId idempotency (a repeated
// requestId answers the first Operation), instances going PROVISIONING → STAGING → RUNNING and STOPPING → gone,
// names unique per zone (409 alreadyExists), Google's error JSON, and Bearer tokens that only its token endpoint
// issues, for service account keys it made (serviceAccountKey() points their token_uri at it). Time is read on
// every request, so states follow the configured delays without timers. Faults: HTTP errors per method, failed
// Operations, latency. Calls are counted per method for the calls-per-machine figures. Loopback only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the SDK calls, as `<resource>.<method>`. */
export type ComputeMethod =
  | 'instances.insert' | 'instances.list' | 'instances.get' | 'instances.delete'
  | 'zoneOperations.get' | 'zoneOperations.wait' | 'machineTypes.get';

export interface FakeMachineType {
  readonly guestCpus: number;
  readonly memoryMb: number;
  /** Built-in GPUs (a2/g2 families). */
  readonly accelerators?: readonly { readonly guestAcceleratorType: string; readonly guestAcceleratorCount: number }[];
}

export interface GceFakeOptions {
  readonly projects?: readonly string[];
  readonly zones?: readonly string[];
  readonly machineTypes?: Readonly<Record<string, FakeMachineType>>;
  /** Images that exist, as `projects/<p>/global/images/<name>`. */
  readonly images?: readonly string[];
}

/** HTTP faults, each with the status and Google error body Compute answers with. */
export const HTTP_FAULTS = {
  rateLimitExceeded: { status: 429, domain: 'usageLimits', message: 'Rate Limit Exceeded' },
  userRateLimitExceeded: { status: 403, domain: 'usageLimits', message: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'compute.googleapis.com'." },
  backendError: { status: 500, domain: 'global', message: 'Internal error. Please try again or contact Google Support.' },
  unavailable: { status: 503, domain: 'global', message: 'The service is currently unavailable.' },
  forbidden: { status: 403, domain: 'global', message: "Required 'compute.instances.create' permission for 'projects/test-project/zones/us-central1-a/instances/x'" },
} as const;
export type HttpFault = keyof typeof HTTP_FAULTS;

/** Operation failures (Operation.error.errors[].code) with the HTTP status and message GCE reports. */
export const OPERATION_FAULTS = {
  QUOTA_EXCEEDED: { status: 403, httpMessage: 'FORBIDDEN', message: "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1." },
  ZONE_RESOURCE_POOL_EXHAUSTED: { status: 503, httpMessage: 'SERVICE UNAVAILABLE', message: "The zone 'projects/test-project/zones/us-central1-a' does not have enough resources available to fulfill the request.  Try a different zone, or try again later." },
  INVALID_FIELD_VALUE: { status: 400, httpMessage: 'BAD REQUEST', message: "Invalid value for field 'resource.disks[0].initializeParams.diskType': 'zones/us-central1-a/diskTypes/pd-nope'. The referenced diskType resource cannot be found." },
} as const;
export type OperationFault = keyof typeof OPERATION_FAULTS;

/** A stored instance as the API shows it (status at the time of the read). */
export type FakeInstance = Record<string, unknown> & { readonly name: string; readonly status: string; readonly labels?: Record<string, string> };

const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** instances.list pages: GCE's default and maximum maxResults. */
const MAX_RESULTS = 500;
const NAME_PATTERN = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const DEFAULT_MACHINE_TYPES: Readonly<Record<string, FakeMachineType>> = {
  'n1-standard-4': { guestCpus: 4, memoryMb: 15360 },
  'n2-standard-4': { guestCpus: 4, memoryMb: 16384 },
  'n2-standard-8': { guestCpus: 8, memoryMb: 32768 },
  'e2-standard-4': { guestCpus: 4, memoryMb: 16384 },
  'a2-highgpu-1g': { guestCpus: 12, memoryMb: 87040, accelerators: [{ guestAcceleratorType: 'nvidia-tesla-a100', guestAcceleratorCount: 1 }] },
};

interface Phase {
  readonly at: number;
  readonly status: string;
}

interface StoredInstance {
  readonly project: string;
  readonly zone: string;
  readonly resource: Record<string, unknown>;
  readonly phases: Phase[];
  /** When a delete (or a failed insert) removes it. */
  goneAt?: number;
}

interface StoredOperation {
  readonly project: string;
  readonly zone: string;
  readonly body: Record<string, unknown>;
  readonly startAt: number;
  readonly doneAt: number;
  readonly fault?: OperationFault;
}

interface PlannedFault<F> {
  readonly method: string;
  readonly fault: F;
  remaining: number;
}

class HttpError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly domain: string;
  constructor(status: number, reason: string, message: string, domain = 'global') {
    super(message);
    this.status = status;
    this.reason = reason;
    this.domain = domain;
  }
}

export class GceFake {
  readonly endpoint: string;
  /** How long insert and delete Operations run, in ms. */
  operationMs = 30;
  /** How long an inserted instance stays STAGING once its Operation is DONE, in ms. */
  stagingMs = 30;
  /** The longest a zoneOperations.wait holds the request, in ms (GCE: about 2 minutes). */
  waitTimeoutMs = 2_000;
  /** Added before every answer, in ms. */
  latencyMs = 0;
  /** Access token lifetime, in s. */
  tokenLifetimeSeconds = 3600;
  /** Token grants answered (not Compute calls). */
  tokenRequests = 0;
  readonly #server: Server;
  readonly #projects: Set<string>;
  readonly #zones: Set<string>;
  readonly #machineTypes: Readonly<Record<string, FakeMachineType>>;
  readonly #images: Set<string>;
  readonly #keys = new Map<string, KeyObject>();
  readonly #tokens = new Map<string, number>();
  readonly #instances = new Map<string, StoredInstance>();
  readonly #operations = new Map<string, StoredOperation>();
  readonly #requestIds = new Map<string, StoredOperation>();
  readonly #calls = new Map<string, number>();
  readonly #sentRequestIds: { readonly method: string; readonly requestId: string | null }[] = [];
  #faults: PlannedFault<HttpFault>[] = [];
  #operationFaults: PlannedFault<OperationFault>[] = [];
  #nextAddress = 2;
  readonly #listeners = new Set<(times: readonly number[]) => void>();

  private constructor(server: Server, endpoint: string, options: GceFakeOptions) {
    this.#server = server;
    this.endpoint = endpoint;
    this.#projects = new Set(options.projects ?? ['test-project']);
    this.#zones = new Set(options.zones ?? ['us-central1-a', 'us-central1-b', 'us-central1-c']);
    this.#machineTypes = options.machineTypes ?? DEFAULT_MACHINE_TYPES;
    this.#images = new Set(options.images ?? ['projects/rhcos-cloud/global/images/rhcos-9']);
  }

  static async start(options: GceFakeOptions = {}): Promise<GceFake> {
    let fake: GceFake | undefined;
    const server = createServer((req, res) => void fake!.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('fake has no address');
    fake = new GceFake(server, `http://127.0.0.1:${address.port}`, options);
    return fake;
  }

  /**
   * A service account key file (the JSON a credentials Secret holds under service_account.json) whose token_uri is
   * this fake; its private key is new, and only this fake accepts assertions signed with it.
   */
  serviceAccountKey(project = [...this.#projects][0], email = `machine-api@${project}.iam.gserviceaccount.com`): string {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.#keys.set(email, publicKey);
    return JSON.stringify({
      type: 'service_account',
      project_id: project,
      private_key_id: randomBytes(20).toString('hex'),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: email,
      client_id: String(randomBytes(8).readBigUInt64BE()),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: `${this.endpoint}/token`,
    });
  }

  /** Calls per Compute method since the last resetCounts (faults included: GCE counts them too). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#calls);
  }

  count(method: ComputeMethod): number {
    return this.#calls.get(method) ?? 0;
  }

  total(): number {
    return [...this.#calls.values()].reduce((a, b) => a + b, 0);
  }

  resetCounts(): void {
    this.#calls.clear();
    this.#sentRequestIds.length = 0;
    this.tokenRequests = 0;
  }

  /** The requestId of each call of `method` since the last resetCounts, in order (null: none sent). */
  requestIds(method: 'instances.insert' | 'instances.delete'): (string | null)[] {
    return this.#sentRequestIds.filter((r) => r.method === method).map((r) => r.requestId);
  }

  /** The next `times` calls of `method` ('*' for any) answer `fault` instead. */
  failNext(method: ComputeMethod | '*', fault: HttpFault, times = 1): void {
    this.#faults.push({ method, fault, remaining: times });
  }

  /** The next `times` Operations `method` starts end DONE with `fault`, and change nothing. */
  failNextOperation(method: 'instances.insert' | 'instances.delete', fault: OperationFault, times = 1): void {
    this.#operationFaults.push({ method, fault, remaining: times });
  }

  /** The instances of `project` (in `zone`) as a read now shows them. */
  instances(project: string, zone?: string): FakeInstance[] {
    const now = Date.now();
    return [...this.#instances.values()].filter((i) => i.project === project && (!zone || i.zone === zone) && visible(i, now)).map((i) => view(i, now));
  }

  /**
   * `listener(times)` hears every insert, delete and reset: what instances() shows changes now and again at each of
   * `times` (epoch ms), as the instance's phases go by (no timers here: a watcher sets its own). The dev cluster's
   * hollow nodes follow instances this way. Returns the unsubscribe function.
   */
  subscribe(listener: (times: readonly number[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** GCE keeps requestIds for a limited time; this forgets them all, so a repeated request acts again. */
  forgetRequestIds(): void {
    this.#requestIds.clear();
  }

  /** Every token issued so far stops working (a rotated or revoked key). */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  /** Forgets instances, Operations, faults and counts, and restores the default timings. */
  reset(): void {
    this.#instances.clear();
    this.#operations.clear();
    this.#requestIds.clear();
    this.#faults = [];
    this.#operationFaults = [];
    this.operationMs = 30;
    this.stagingMs = 30;
    this.waitTimeoutMs = 2_000;
    this.latencyMs = 0;
    this.resetCounts();
    this.#changed([]);
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', this.endpoint);
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      if (url.pathname === '/token' && req.method === 'POST') {
        this.tokenRequests++;
        return this.#token(body, res);
      }
      const route = routeOf(req.method ?? 'GET', url.pathname);
      if (!route) throw new HttpError(404, 'notFound', `The requested URL ${url.pathname} was not found on this server.`);
      this.#calls.set(route.method, (this.#calls.get(route.method) ?? 0) + 1);
      if (route.method === 'instances.insert' || route.method === 'instances.delete') this.#sentRequestIds.push({ method: route.method, requestId: url.searchParams.get('requestId') });
      this.#authenticate(req);
      const fault = this.#faults.find((f) => f.remaining > 0 && (f.method === '*' || f.method === route.method));
      if (fault) {
        fault.remaining--;
        const f = HTTP_FAULTS[fault.fault];
        throw new HttpError(f.status, fault.fault, f.message, f.domain);
      }
      if (!this.#projects.has(route.project)) throw new HttpError(404, 'notFound', `The resource 'projects/${route.project}' was not found`);
      if (!this.#zones.has(route.zone)) throw new HttpError(404, 'notFound', `The resource 'projects/${route.project}/zones/${route.zone}' was not found`);
      const answer = await this.#dispatch(route, url.searchParams, body);
      send(res, 200, answer);
    } catch (err) {
      if (err instanceof HttpError) {
        send(res, err.status, { error: { code: err.status, message: err.message, errors: [{ message: err.message, domain: err.domain, reason: err.reason }] } });
      } else {
        send(res, 500, { error: { code: 500, message: `fake error: ${(err as Error).message}`, errors: [] } });
      }
    }
  }

  #dispatch(route: Route, query: URLSearchParams, body: string): Promise<unknown> | unknown {
    const { project, zone } = route;
    switch (route.method) {
      case 'instances.insert':
        return this.#insert(project, zone, parseJson(body), query.get('requestId'));
      case 'instances.list':
        return this.#list(project, zone, query);
      case 'instances.get':
        return view(this.#existing(project, zone, route.name!), Date.now());
      case 'instances.delete':
        return this.#delete(project, zone, route.name!, query.get('requestId'));
      case 'zoneOperations.get':
        return this.#operationView(this.#operation(project, zone, route.name!), Date.now());
      case 'zoneOperations.wait':
        return this.#wait(this.#operation(project, zone, route.name!));
      case 'machineTypes.get':
        return this.#machineType(project, zone, route.name!);
    }
  }

  #insert(project: string, zone: string, resource: Record<string, unknown>, requestId: string | null): unknown {
    const replay = this.#replay(project, requestId);
    if (replay) return replay;
    const name = resource.name;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw new HttpError(400, 'invalid', `Invalid value for field 'resource.name': '${String(name ?? '')}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
    }
    const machineType = lastSegment(resource.machineType);
    if (!this.#machineTypes[machineType]) {
      throw new HttpError(400, 'invalid', `Invalid value for field 'resource.machineType': '${String(resource.machineType ?? '')}'. Machine type with name '${machineType}' does not exist in zone '${zone}'.`);
    }
    for (const [i, disk] of asArray(resource.disks).entries()) {
      const image = (disk.initializeParams as Record<string, unknown> | undefined)?.sourceImage;
      if (typeof image === 'string' && !this.#images.has(relative(image))) {
        throw new HttpError(404, 'notFound', `The resource '${relative(image)}' was not found`);
      }
      if (disk.boot && !image) throw new HttpError(400, 'invalid', `Invalid value for field 'resource.disks[${i}]': ''. Boot disk must be specified.`);
    }
    if (asArray(resource.guestAccelerators).length > 0 && (resource.scheduling as Record<string, unknown> | undefined)?.onHostMaintenance !== 'TERMINATE') {
      throw new HttpError(400, 'badRequest', 'Instances with guest accelerators do not support live migration.');
    }
    const now = Date.now();
    const existing = this.#instances.get(key(project, zone, name));
    if (existing && visible(existing, now)) throw new HttpError(409, 'alreadyExists', `The resource 'projects/${project}/zones/${zone}/instances/${name}' already exists`);

    const fault = this.#takeOperationFault('instances.insert');
    const op = this.#startOperation(project, zone, 'insert', name, requestId, fault);
    const stored: StoredInstance = {
      project, zone,
      resource: this.#normalise(project, zone, resource, now),
      phases: [{ at: now, status: 'PROVISIONING' }, { at: op.doneAt, status: 'STAGING' }, { at: op.doneAt + this.stagingMs, status: 'RUNNING' }],
      ...(fault ? { goneAt: op.doneAt } : {}),
    };
    this.#instances.set(key(project, zone, name), stored);
    this.#changed(stored.phases.map((p) => p.at));
    return this.#operationView(op, now);
  }

  #delete(project: string, zone: string, name: string, requestId: string | null): unknown {
    const replay = this.#replay(project, requestId);
    if (replay) return replay;
    const instance = this.#existing(project, zone, name);
    const now = Date.now();
    if (instance.resource.deletionProtection === true) {
      throw new HttpError(400, 'resourceInUseByAnotherResource', `Invalid resource usage: 'Resource cannot be deleted if it's protected against deletion.'.`);
    }
    const fault = this.#takeOperationFault('instances.delete');
    const op = this.#startOperation(project, zone, 'delete', name, requestId, fault);
    if (!fault) {
      instance.phases.push({ at: now, status: 'STOPPING' });
      instance.goneAt = op.doneAt;
      this.#changed([op.doneAt]);
    }
    return this.#operationView(op, now);
  }

  #list(project: string, zone: string, query: URLSearchParams): unknown {
    const matches = parseFilter(query.get('filter') ?? '');
    const maxResults = Math.min(Number(query.get('maxResults') ?? MAX_RESULTS) || MAX_RESULTS, MAX_RESULTS);
    const offset = query.get('pageToken') ? Number(Buffer.from(query.get('pageToken')!, 'base64url').toString('utf8')) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new HttpError(400, 'invalid', 'Invalid value for field \'pageToken\'');
    const now = Date.now();
    // GCE lists in name order.
    const all = [...this.#instances.values()]
      .filter((i) => i.project === project && i.zone === zone && visible(i, now))
      .map((i) => view(i, now))
      .filter(matches)
      .sort((a, b) => a.name.localeCompare(b.name));
    const page = all.slice(offset, offset + maxResults);
    const next = offset + maxResults < all.length ? Buffer.from(String(offset + maxResults)).toString('base64url') : undefined;
    return {
      kind: 'compute#instanceList',
      id: `projects/${project}/zones/${zone}/instances`,
      selfLink: `${COMPUTE_BASE}/projects/${project}/zones/${zone}/instances`,
      // GCE leaves `items` out of an empty page.
      ...(page.length > 0 ? { items: page } : {}),
      ...(next ? { nextPageToken: next } : {}),
    };
  }

  async #wait(op: StoredOperation): Promise<unknown> {
    const until = Math.min(op.doneAt, Date.now() + this.waitTimeoutMs);
    // Timers may fire a millisecond early; an answer before `until` would show the Operation still running.
    while (Date.now() < until) await sleep(until - Date.now());
    return this.#operationView(op, Date.now());
  }

  #machineType(project: string, zone: string, name: string): unknown {
    const type = this.#machineTypes[name];
    if (!type) throw new HttpError(404, 'notFound', `The resource 'projects/${project}/zones/${zone}/machineTypes/${name}' was not found`);
    return {
      kind: 'compute#machineType',
      id: String(Object.keys(this.#machineTypes).indexOf(name) + 1000),
      name,
      description: `${type.guestCpus} vCPUs, ${type.memoryMb / 1024} GB RAM`,
      guestCpus: type.guestCpus,
      memoryMb: type.memoryMb,
      zone,
      isSharedCpu: false,
      ...(type.accelerators ? { accelerators: type.accelerators } : {}),
      selfLink: `${COMPUTE_BASE}/projects/${project}/zones/${zone}/machineTypes/${name}`,
    };
  }

  // GCE keeps a requestId's Operation and answers it again for a repeated request, whatever its state.
  #replay(project: string, requestId: string | null): unknown {
    if (requestId === null) return undefined;
    if (!UUID_PATTERN.test(requestId) || /^[0-]+$/.test(requestId)) {
      throw new HttpError(400, 'invalid', `Invalid value for field 'requestId': '${requestId}'. The request ID must be a valid UUID with the exception that zero UUID is not supported (00000000-0000-0000-0000-000000000000).`);
    }
    const op = this.#requestIds.get(`${project}/${requestId.toLowerCase()}`);
    return op ? this.#operationView(op, Date.now()) : undefined;
  }

  #startOperation(project: string, zone: string, type: 'insert' | 'delete', name: string, requestId: string | null, fault: OperationFault | undefined): StoredOperation {
    const now = Date.now();
    const id = String(randomBytes(8).readBigUInt64BE());
    const opName = `operation-${now}-${randomBytes(6).toString('hex')}-${randomBytes(4).toString('hex')}`;
    const zoneLink = `${COMPUTE_BASE}/projects/${project}/zones/${zone}`;
    const op: StoredOperation = {
      project, zone,
      body: {
        kind: 'compute#operation',
        id,
        name: opName,
        zone: zoneLink,
        operationType: type,
        targetLink: `${zoneLink}/instances/${name}`,
        targetId: String(randomBytes(8).readBigUInt64BE()),
        user: 'machine-api@test-project.iam.gserviceaccount.com',
        insertTime: new Date(now).toISOString(),
        selfLink: `${zoneLink}/operations/${opName}`,
      },
      startAt: now,
      doneAt: now + this.operationMs,
      ...(fault ? { fault } : {}),
    };
    this.#operations.set(key(project, zone, opName), op);
    if (requestId !== null) this.#requestIds.set(`${project}/${requestId.toLowerCase()}`, op);
    return op;
  }

  #operationView(op: StoredOperation, now: number): unknown {
    const done = now >= op.doneAt;
    const fault = done && op.fault ? OPERATION_FAULTS[op.fault] : undefined;
    return {
      ...op.body,
      status: done ? 'DONE' : now > op.startAt ? 'RUNNING' : 'PENDING',
      progress: done ? 100 : 0,
      startTime: new Date(op.startAt).toISOString(),
      ...(done ? { endTime: new Date(op.doneAt).toISOString() } : {}),
      ...(fault ? { error: { errors: [{ code: op.fault, message: fault.message }] }, httpErrorStatusCode: fault.status, httpErrorMessage: fault.httpMessage } : {}),
    };
  }

  #operation(project: string, zone: string, name: string): StoredOperation {
    const op = this.#operations.get(key(project, zone, name));
    if (!op) throw new HttpError(404, 'notFound', `The resource 'projects/${project}/zones/${zone}/operations/${name}' was not found`);
    return op;
  }

  #existing(project: string, zone: string, name: string): StoredInstance {
    const instance = this.#instances.get(key(project, zone, name));
    if (!instance || !visible(instance, Date.now())) throw new HttpError(404, 'notFound', `The resource 'projects/${project}/zones/${zone}/instances/${name}' was not found`);
    return instance;
  }

  #changed(times: readonly number[]): void {
    for (const listener of [...this.#listeners]) listener(times);
  }

  #takeOperationFault(method: string): OperationFault | undefined {
    const planned = this.#operationFaults.find((f) => f.remaining > 0 && f.method === method);
    if (!planned) return undefined;
    planned.remaining--;
    return planned.fault;
  }

  // What GCE stores of an inserted instance: relative references made absolute, defaults and addresses filled in.
  #normalise(project: string, zone: string, r: Record<string, unknown>, now: number): Record<string, unknown> {
    const zoneLink = `${COMPUTE_BASE}/projects/${project}/zones/${zone}`;
    const scheduling = (r.scheduling ?? {}) as Record<string, unknown>;
    return {
      ...r,
      kind: 'compute#instance',
      id: String(randomBytes(8).readBigUInt64BE()),
      creationTimestamp: new Date(now).toISOString(),
      zone: zoneLink,
      selfLink: `${zoneLink}/instances/${String(r.name)}`,
      machineType: absolute(String(r.machineType), project),
      cpuPlatform: 'Intel Cascade Lake',
      labelFingerprint: randomBytes(8).toString('base64'),
      fingerprint: randomBytes(8).toString('base64'),
      scheduling: {
        onHostMaintenance: 'MIGRATE', automaticRestart: true, preemptible: false, provisioningModel: 'STANDARD', ...scheduling,
      },
      disks: asArray(r.disks).map((d, index) => ({
        kind: 'compute#attachedDisk', type: 'PERSISTENT', mode: 'READ_WRITE', interface: 'SCSI', index,
        deviceName: `persistent-disk-${index}`,
        source: `${zoneLink}/disks/${String(r.name)}${index === 0 ? '' : `-${index}`}`,
        boot: d.boot === true, autoDelete: d.autoDelete === true,
        diskSizeGb: String((d.initializeParams as Record<string, unknown> | undefined)?.diskSizeGb ?? '10'),
        ...(d.diskEncryptionKey ? { diskEncryptionKey: d.diskEncryptionKey } : {}),
      })),
      networkInterfaces: asArray(r.networkInterfaces).map((nic, index) => {
        const n = this.#nextAddress++;
        return {
          kind: 'compute#networkInterface', name: `nic${index}`, stackType: 'IPV4_ONLY',
          network: absolute(String(nic.network ?? 'global/networks/default'), project),
          ...(nic.subnetwork ? { subnetwork: absolute(String(nic.subnetwork), project) } : {}),
          networkIP: `10.0.${Math.floor(n / 256)}.${n % 256}`,
          accessConfigs: asArray(nic.accessConfigs).map((ac) => ({ kind: 'compute#accessConfig', type: 'ONE_TO_ONE_NAT', name: 'External NAT', networkTier: 'PREMIUM', ...ac, natIP: `34.1.${Math.floor(n / 256)}.${n % 256}` })),
        };
      }),
      ...(r.metadata ? { metadata: { kind: 'compute#metadata', fingerprint: randomBytes(8).toString('base64'), ...(r.metadata as object) } } : {}),
      ...(r.tags ? { tags: { fingerprint: randomBytes(8).toString('base64'), ...(r.tags as object) } } : {}),
    };
  }

  // JWT-bearer grant (RFC 7523) as Google's token endpoint answers it: a signed assertion from a known key.
  #token(body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    const reject = (description: string) => send(res, 400, { error: 'invalid_grant', error_description: description });
    if (form.get('grant_type') !== JWT_BEARER_GRANT) return send(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
    const parts = (form.get('assertion') ?? '').split('.');
    if (parts.length !== 3) return reject('Invalid JWT: Token must be a short-lived token and in a reasonable timeframe');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return reject('Invalid JWT: malformed');
    }
    const key = this.#keys.get(String(claims.iss));
    if (header.alg !== 'RS256' || !key) return reject('Invalid grant: account not found');
    if (!verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'))) return reject('Invalid JWT Signature.');
    const now = Math.floor(Date.now() / 1000);
    if (claims.aud !== `${this.endpoint}/token`) return reject('Invalid JWT: audience');
    if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number' || claims.exp <= now || claims.exp - claims.iat > 3600) {
      return reject('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.');
    }
    if (!String(claims.scope ?? '').split(' ').includes(CLOUD_PLATFORM_SCOPE)) return send(res, 400, { error: 'invalid_scope', error_description: 'Invalid OAuth scope or ID token audience provided.' });
    const token = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    this.#tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1000);
    send(res, 200, { access_token: token, expires_in: this.tokenLifetimeSeconds, token_type: 'Bearer' });
  }

  #authenticate(req: IncomingMessage): void {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiry = token ? this.#tokens.get(token) : undefined;
    if (expiry === undefined || expiry <= Date.now()) {
      throw new HttpError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
    }
  }
}

interface Route {
  readonly method: ComputeMethod;
  readonly project: string;
  readonly zone: string;
  readonly name?: string;
}

function routeOf(httpMethod: string, path: string): Route | undefined {
  const m = /^\/compute\/v1\/projects\/([^/]+)\/zones\/([^/]+)\/(instances|operations|machineTypes)(?:\/([^/]+))?(\/wait)?$/.exec(path);
  if (!m) return undefined;
  const [, project, zone, collection, rawName, wait] = m;
  const name = rawName === undefined ? undefined : decodeURIComponent(rawName);
  const route = (method: ComputeMethod): Route => ({ method, project: decodeURIComponent(project), zone: decodeURIComponent(zone), ...(name ? { name } : {}) });
  if (collection === 'instances' && !wait) {
    if (!name) return httpMethod === 'POST' ? route('instances.insert') : httpMethod === 'GET' ? route('instances.list') : undefined;
    return httpMethod === 'GET' ? route('instances.get') : httpMethod === 'DELETE' ? route('instances.delete') : undefined;
  }
  if (collection === 'operations' && name) {
    if (wait) return httpMethod === 'POST' ? route('zoneOperations.wait') : undefined;
    return httpMethod === 'GET' ? route('zoneOperations.get') : undefined;
  }
  if (collection === 'machineTypes' && name && !wait && httpMethod === 'GET') return route('machineTypes.get');
  return undefined;
}

/**
 * The part of GCE's list filter syntax Machines need: comparisons `field = value` / `field != value` on `name`,
 * `status` or `labels.<key>`, values bare or double-quoted, each optionally in parentheses, joined by AND or
 * juxtaposition. Anything else is refused as GCE refuses a malformed filter.
 */
export function parseFilter(filter: string): (instance: FakeInstance) => boolean {
  const text = filter.trim();
  if (text === '') return () => true;
  const term = /^\(?\s*(name|status|labels\.[a-z][a-z0-9_-]{0,62})\s*(=|!=)\s*(?:"([^"]*)"|([^\s()"]+))\s*\)?(?:\s+AND\s+|\s+|$)/;
  const tests: ((i: FakeInstance) => boolean)[] = [];
  let rest = text;
  while (rest.length > 0) {
    const m = term.exec(rest);
    if (!m || m[0].length === 0) throw new HttpError(400, 'invalid', `Invalid list filter expression '${filter}'.`);
    const [, field, op, quoted, bare] = m;
    const value = quoted ?? bare;
    const get = (i: FakeInstance): string | undefined => (field.startsWith('labels.') ? i.labels?.[field.slice('labels.'.length)] : (i[field] as string | undefined));
    tests.push(op === '=' ? (i) => get(i) === value : (i) => get(i) !== value);
    rest = rest.slice(m[0].length);
  }
  return (i) => tests.every((t) => t(i));
}

function visible(instance: StoredInstance, now: number): boolean {
  return instance.goneAt === undefined || now < instance.goneAt;
}

function view(instance: StoredInstance, now: number): FakeInstance {
  let status = instance.phases[0].status;
  for (const phase of instance.phases) if (phase.at <= now) status = phase.status;
  return { ...instance.resource, status } as FakeInstance;
}

function key(project: string, zone: string, name: string): string {
  return `${project}/${zone}/${name}`;
}

function lastSegment(value: unknown): string {
  return typeof value === 'string' ? value.slice(value.lastIndexOf('/') + 1) : '';
}

/** `projects/p/global/images/x` from a full URL or a relative reference. */
function relative(reference: string): string {
  return reference.replace(/^https:\/\/(www|compute)\.googleapis\.com\/compute\/v1\//, '');
}

function absolute(reference: string, project: string): string {
  const rel = relative(reference);
  return `${COMPUTE_BASE}/${rel.startsWith('projects/') ? rel : `projects/${project}/${rel}`}`;
}

function asArray(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function parseJson(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body || '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'parseError', 'Invalid JSON payload received.');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}
