// A wire fake of the Azure Resource Manager subset the Azure provider uses, driven by the REAL @azure/arm-compute,
// @azure/arm-network and @azure/identity clients (no Azure emulator exists; shared/reference/ts-ecosystem.md §4
// records the traffic this reproduces). It serves:
//   - Entra ID for ClientSecretCredential: GET /{tenant}/v2.0/.well-known/openid-configuration and
//     POST /{tenant}/oauth2/v2.0/token (client_credentials), checking client id and secret;
//   - ARM resources, each PUT/GET/DELETE at /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}
//     with Bearer checking and `api-version` required, plus list per resource group, the subscription-wide VM list
//     (`statusOnly=true` gives instance views) and Microsoft.Compute/skus;
//   - ARM asynchronous operations: PUT answers 201 and DELETE 202, with `Azure-AsyncOperation` (status URL
//     answering {status: InProgress|Succeeded|Failed, error?: {code, message}}), `Location` (202 until done, then
//     200/204) and `Retry-After: 0`; properties.provisioningState moves Creating/Updating/Deleting → Succeeded (or
//     Failed). ARM's own rules that matter to callers: PUT is create-or-update by name, DELETE of a missing
//     resource answers 204, a NIC attached to a VM cannot be deleted (NicInUse), a NIC must name an existing
//     subnet (InvalidResourceReference), and deleting a VM also deletes the NIC and disks it marks
//     deleteOption=Delete.
//
// HTTPS only: MSAL refuses an `http:` authority and core-rest-pipeline's bearer policy refuses to send a token
// over `http:`. The server certificate comes from a throwaway CA made per fake (devcluster's certificate code);
// clients trust it through core-rest-pipeline's `tlsOptions: { ca }` (ClientSecretCredential and both ARM
// clients accept it), so no process-wide NODE_EXTRA_CA_CERTS is needed.
//
// Faults: `failNext` answers the next matching calls with an ARM error (429 with Retry-After, 500, quota,
// capacity, or any code), `failNextOperation` ends the next matching asynchronous operation Failed, `hold` keeps
// operations InProgress until `release`, `latencyMs` delays every answer. `counts()` gives calls per operation.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureServingCertificates } from '../../../devcluster/apiserver/tls/certificates.ts';

/** An ARM error answer: HTTP status, the body's error code and message, and headers (Retry-After). */
export interface ArmFault {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/** ARM errors as the service sends them (codes from the ARM and Compute troubleshooting pages). */
export const ARM_FAULTS = {
  TooManyRequests: { status: 429, code: 'TooManyRequests', message: 'The request is being throttled as the limit has been reached for operation type - Write_30Min.', retryAfterSeconds: 17 },
  InternalServerError: { status: 500, code: 'InternalServerError', message: 'An unexpected error occured while processing the request.' },
  QuotaExceeded: { status: 409, code: 'OperationNotAllowed', message: 'Operation could not be completed as it results in exceeding approved standardDSv3Family Cores quota. Current Limit: 10, Current Usage: 8, Additional Required: 4.' },
  AllocationFailed: { status: 409, code: 'AllocationFailed', message: 'Allocation failed. We do not have sufficient capacity for the requested VM size in this region.' },
  SkuNotAvailable: { status: 409, code: 'SkuNotAvailable', message: "The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: Standard_D4s_v3' is currently not available in location 'eastus'." },
  InvalidVmSize: { status: 400, code: 'InvalidParameter', message: "The value Standard_Nope of parameter 'vmSize' is not allowed." },
} as const satisfies Record<string, ArmFault>;

/** Which calls a fault or a call count is about. `type` is the ARM resource type, e.g. "virtualMachines". */
export interface CallMatch {
  readonly method?: string;
  readonly type?: string;
}

interface StoredResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  tags?: Record<string, string>;
  zones?: string[];
  identity?: unknown;
  plan?: unknown;
  properties: Record<string, unknown>;
}

interface Operation {
  readonly id: string;
  readonly resourceId: string;
  readonly kind: 'put' | 'delete';
  status: 'InProgress' | 'Succeeded' | 'Failed';
  error?: { code: string; message: string };
  polls: number;
  /** How the operation ends unless a fault says otherwise. */
  readonly outcome?: { code: string; message: string };
}

/** A SKU the fake's Microsoft.Compute/skus answers with. */
export interface FakeSku {
  readonly name: string;
  readonly vCPUs: number;
  readonly memoryGB: number;
  readonly gpus?: number;
  readonly acceleratedNetworking?: boolean;
}

export const DEFAULT_SKUS: readonly FakeSku[] = [
  { name: 'Standard_D4s_v3', vCPUs: 4, memoryGB: 16, acceleratedNetworking: true },
  { name: 'Standard_D8s_v3', vCPUs: 8, memoryGB: 32, acceleratedNetworking: true },
  { name: 'Standard_NC6s_v3', vCPUs: 6, memoryGB: 112, gpus: 1, acceleratedNetworking: true },
  { name: 'Standard_B2s', vCPUs: 2, memoryGB: 4, acceleratedNetworking: false },
];

/** The service principal the token endpoint accepts. */
export interface FakePrincipal {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

const TOKEN_LIFETIME_S = 3599;
const COMPUTE = 'microsoft.compute';
const NETWORK = 'microsoft.network';

export class AzureArmFake {
  /** Base URL of ARM and of the authority (both served here). */
  readonly endpoint: string;
  /** The throwaway CA that signed the server certificate: give it to clients as `tlsOptions.ca`. */
  readonly caPem: string;
  readonly principal: FakePrincipal;
  /** Added before every answer, in ms. */
  latencyMs = 0;
  /** InProgress answers an operation-status URL gives before the operation ends. */
  inProgressPolls = 1;
  /** Page size of list answers (ARM pages with nextLink). */
  pageSize = 1000;
  skus: readonly FakeSku[] = DEFAULT_SKUS;
  readonly #server: Server;
  readonly #certDir: string;
  readonly #resources = new Map<string, StoredResource>();
  readonly #operations = new Map<string, Operation>();
  readonly #calls = new Map<string, number>();
  #log: string[] = [];
  readonly #tokens = new Set<string>();
  #faults: Array<{ match: CallMatch; fault: ArmFault; remaining: number }> = [];
  #operationFaults: Array<{ match: CallMatch; error: { code: string; message: string } }> = [];
  #held: CallMatch | undefined;
  #nextIp = 4;
  readonly #listeners = new Set<() => void>();

  private constructor(server: Server, endpoint: string, caPem: string, certDir: string, principal: FakePrincipal) {
    this.#server = server;
    this.endpoint = endpoint;
    this.caPem = caPem;
    this.#certDir = certDir;
    this.principal = principal;
  }

  /** A fake on a free loopback port with a fresh CA. */
  static async start(principal: FakePrincipal = { tenantId: 'tenant-0001', clientId: 'client-0001', clientSecret: randomUUID() }): Promise<AzureArmFake> {
    const certDir = mkdtempSync(join(tmpdir(), 'azure-arm-fake-'));
    const certs = await ensureServingCertificates(certDir);
    let fake: AzureArmFake | undefined;
    const server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => void fake!.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (typeof address !== 'object' || !address) throw new Error('fake has no address');
    fake = new AzureArmFake(server, `https://127.0.0.1:${address.port}`, certs.caPem, certDir, principal);
    return fake;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.#certDir, { recursive: true, force: true });
  }

  // ---- test controls -----------------------------------------------------------------------------------------

  /** Creates a resource as if it had always been there (vnets, subnets, load balancers), by its ARM ID. */
  seed(id: string, body: { location?: string; properties?: Record<string, unknown> } = {}): void {
    const parsed = parseResourceId(id);
    if (!parsed) throw new Error(`not a resource ID: ${id}`);
    this.#resources.set(id.toLowerCase(), {
      id, name: parsed.name, type: `${parsed.namespace}/${parsed.types.join('/')}`, location: body.location,
      properties: { provisioningState: 'Succeeded', ...body.properties },
    });
  }

  /** The stored resource (wire JSON), or undefined. */
  get(id: string): Record<string, unknown> | undefined {
    const r = this.#resources.get(id.toLowerCase());
    return r && structuredClone(r) as unknown as Record<string, unknown>;
  }

  /** IDs of stored resources of `type` (e.g. "virtualMachines") in resource group `rg`. */
  list(type: string, rg?: string): string[] {
    return [...this.#resources.values()]
      .filter((r) => lastType(r.type) === type.toLowerCase() && (rg === undefined || parseResourceId(r.id)?.resourceGroup.toLowerCase() === rg.toLowerCase()))
      .map((r) => r.id);
  }

  /** Sets properties.provisioningState or the power state of a stored VM (what Azure does on its own). */
  setVmState(id: string, state: { provisioningState?: string; powerState?: string }): void {
    const r = this.#resources.get(id.toLowerCase());
    if (!r) throw new Error(`no resource ${id}`);
    if (state.provisioningState) r.properties.provisioningState = state.provisioningState;
    if (state.powerState) r.properties.__powerState = state.powerState;
    this.#changed();
  }

  /**
   * `listener()` hears every change of a stored resource (a PUT, a DELETE, an operation ending, setVmState), from
   * inside the call that made it. ARM's state only moves inside requests, so this is every change; the dev
   * cluster's hollow nodes follow VMs this way. Returns the unsubscribe function.
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The next `times` calls matching `match` get `fault` instead of an answer. */
  failNext(match: CallMatch, fault: ArmFault, times = 1): void {
    this.#faults.push({ match, fault, remaining: times });
  }

  /** The next asynchronous operation matching `match` ends Failed with `error` (the resource too). */
  failNextOperation(match: CallMatch, error: { code: string; message: string }): void {
    this.#operationFaults.push({ match, error });
  }

  /** Operations on matching resources stay InProgress (resources stay Creating/Deleting) until release(). */
  hold(match: CallMatch = {}): void {
    this.#held = match;
  }

  release(): void {
    this.#held = undefined;
  }

  /** Calls per operation ("PUT virtualMachines", "LIST networkInterfaces", "GET operations", "POST token", …). */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.#calls].sort(([a], [b]) => a.localeCompare(b)));
  }

  count(key: string): number {
    return this.#calls.get(key) ?? 0;
  }

  /** counts() without the Entra ID calls (token, discovery): what ARM itself served. */
  armCounts(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.counts()).filter(([k]) => !k.endsWith(' token') && !k.endsWith(' openid-configuration')));
  }

  armCalls(): number {
    return Object.values(this.armCounts()).reduce((sum, n) => sum + n, 0);
  }

  /** The calls since resetCounts, in order, as counts() names them. */
  calls(): string[] {
    return [...this.#log];
  }

  resetCounts(): void {
    this.#calls.clear();
    this.#log = [];
  }

  /** Forgets faults, holds, latency and counts; resources stay. */
  reset(): void {
    this.#faults = [];
    this.#operationFaults = [];
    this.#held = undefined;
    this.latencyMs = 0;
    this.inProgressPolls = 1;
    this.pageSize = 1000;
    this.skus = DEFAULT_SKUS;
    this.resetCounts();
  }

  // ---- HTTP --------------------------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', this.endpoint);
      if (this.latencyMs > 0) await sleep(this.latencyMs);
      const answer = this.#route(req.method ?? 'GET', url, req.headers.authorization, body);
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'x-ms-request-id': randomUUID(), ...answer.headers });
      res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    } catch (err) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'FakeError', message: (err as Error).stack } }));
    }
  }

  #count(key: string): void {
    this.#calls.set(key, (this.#calls.get(key) ?? 0) + 1);
    this.#log.push(key);
  }

  #route(method: string, url: URL, authorization: string | undefined, body: string): Answer {
    const path = url.pathname;
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (discovery && method === 'GET') {
      this.#count('GET openid-configuration');
      return ok(this.#openIdConfiguration(discovery[1]));
    }
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (token && method === 'POST') {
      this.#count('POST token');
      return this.#token(token[1], new URLSearchParams(body));
    }
    if (!path.toLowerCase().startsWith('/subscriptions/')) return armError(404, 'NotFound', `No route for ${method} ${path}`);

    // ARM: a missing or unknown token is 401 InvalidAuthenticationToken with a Bearer challenge.
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!bearer || !this.#tokens.has(bearer)) {
      return { ...armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.'), headers: { 'www-authenticate': `Bearer authorization_uri="${this.endpoint}/${this.principal.tenantId}", error="invalid_token"` } };
    }
    if (!url.searchParams.get('api-version')) return armError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");

    const op = /^\/subscriptions\/([^/]+)\/providers\/([^/]+)\/locations\/([^/]+)\/(operations|operationResults)\/([^/]+)$/i.exec(path);
    if (op && method === 'GET') {
      this.#count('GET operations');
      return this.#operationStatus(op[5], op[4].toLowerCase() === 'operationresults');
    }
    const skus = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Compute\/skus$/i.exec(path);
    if (skus && method === 'GET') {
      this.#count('LIST skus');
      return this.#fault({ method: 'LIST', type: 'skus' }) ?? ok({ value: this.#skus(url.searchParams.get('$filter')) });
    }
    const listAll = /^\/subscriptions\/([^/]+)\/providers\/([^/]+)\/([^/]+)$/i.exec(path);
    if (listAll && method === 'GET') {
      const type = listAll[3];
      this.#count(`LISTALL ${type}`);
      return this.#fault({ method: 'LISTALL', type }) ?? this.#list(url, (r) => lastType(r.type) === type.toLowerCase() && r.id.toLowerCase().startsWith(`/subscriptions/${listAll[1].toLowerCase()}/`), url.searchParams.get('statusOnly') === 'true');
    }
    const list = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)$/i.exec(path);
    if (list && method === 'GET') {
      const type = list[4];
      this.#count(`LIST ${type}`);
      const prefix = `/subscriptions/${list[1]}/resourcegroups/${list[2]}/providers/${list[3]}/${type}/`.toLowerCase();
      return this.#fault({ method: 'LIST', type }) ?? this.#list(url, (r) => r.id.toLowerCase().startsWith(prefix) && !r.id.slice(prefix.length).includes('/'), false);
    }
    const parsed = parseResourceId(path);
    if (!parsed) return armError(404, 'NotFound', `No route for ${method} ${path}`);
    const type = parsed.types[parsed.types.length - 1];
    this.#count(`${method} ${type}`);
    const fault = this.#fault({ method, type });
    if (fault) return fault;
    const id = canonicalId(parsed);
    switch (method) {
      case 'GET': return this.#get(id);
      case 'PUT': return this.#put(id, parsed, body);
      case 'DELETE': return this.#delete(id, parsed);
      default: return armError(405, 'MethodNotAllowed', `${method} is not supported`);
    }
  }

  #fault(call: CallMatch): Answer | undefined {
    const planned = this.#faults.find((f) => f.remaining > 0 && matches(f.match, call));
    if (!planned) return undefined;
    planned.remaining--;
    const { status, code, message, retryAfterSeconds } = planned.fault;
    const answer = armError(status, code, message);
    return retryAfterSeconds === undefined ? answer : { ...answer, headers: { 'retry-after': String(retryAfterSeconds) } };
  }

  #openIdConfiguration(tenant: string): Record<string, unknown> {
    const base = `${this.endpoint}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      tenant_region_scope: 'NA',
    };
  }

  // Entra ID's client-credentials grant: AADSTS7000215 for a wrong secret, AADSTS700016 for an unknown client.
  #token(tenant: string, form: URLSearchParams): Answer {
    const p = this.principal;
    if (tenant !== p.tenantId) return { status: 400, body: { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${tenant}' not found.`, error_codes: [90002] } };
    if (form.get('grant_type') !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'AADSTS70003: unsupported grant type' } };
    if (form.get('client_id') !== p.clientId) return { status: 400, body: { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.`, error_codes: [700016] } };
    if (form.get('client_secret') !== p.clientSecret) return { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] } };
    const accessToken = `fake-arm-token-${randomUUID()}`;
    this.#tokens.add(accessToken);
    return ok({ token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S, ext_expires_in: TOKEN_LIFETIME_S, access_token: accessToken });
  }

  // ---- resources ---------------------------------------------------------------------------------------------

  #get(id: string): Answer {
    const r = this.#resources.get(id.toLowerCase());
    if (!r) return notFound(id);
    this.#observe(r.id);
    const after = this.#resources.get(id.toLowerCase());
    return after ? ok(wire(after, false)) : notFound(id);
  }

  #list(url: URL, filter: (r: StoredResource) => boolean, statusOnly: boolean): Answer {
    const all = [...this.#resources.values()].filter(filter);
    for (const r of all) this.#observe(r.id);
    const items = [...this.#resources.values()].filter(filter).sort((a, b) => a.id.localeCompare(b.id));
    const skip = Number(url.searchParams.get('$skiptoken') ?? '0');
    const page = items.slice(skip, skip + this.pageSize);
    const next = skip + this.pageSize < items.length ? new URL(url) : undefined;
    next?.searchParams.set('$skiptoken', String(skip + this.pageSize));
    return ok({ value: page.map((r) => wire(r, statusOnly)), ...(next ? { nextLink: next.toString() } : {}) });
  }

  #put(id: string, parsed: ParsedId, text: string): Answer {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return armError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
    }
    const existing = this.#resources.get(id.toLowerCase());
    if (existing && (existing.properties.provisioningState === 'Deleting')) {
      return armError(409, 'Conflict', `Resource ${parsed.name} is being deleted.`);
    }
    const type = parsed.types[parsed.types.length - 1].toLowerCase();
    const properties = { ...(input.properties as Record<string, unknown> | undefined) };
    const invalid = this.#validate(parsed, type, properties);
    if (invalid) return invalid;
    const resource: StoredResource = {
      id, name: parsed.name, type: `${parsed.namespace}/${parsed.types.join('/')}`,
      location: input.location as string | undefined,
      tags: input.tags as Record<string, string> | undefined,
      zones: input.zones as string[] | undefined,
      identity: input.identity,
      plan: input.plan,
      properties: { ...existing?.properties, ...properties },
    };
    this.#complete(resource, type, !existing);
    // Creating a VM also makes its OS disk; existing state (vmId, IPs) survives an update.
    resource.properties.provisioningState = existing ? 'Updating' : 'Creating';
    this.#resources.set(id.toLowerCase(), resource);
    this.#changed();
    const operation = this.#startOperation(id, 'put', parsed);
    return { status: existing ? 200 : 201, body: wire(resource, false), headers: this.#operationHeaders(operation, parsed) };
  }

  #delete(id: string, parsed: ParsedId): Answer {
    const r = this.#resources.get(id.toLowerCase());
    if (!r) return { status: 204 };
    const type = parsed.types[parsed.types.length - 1].toLowerCase();
    if (type === 'networkinterfaces') {
      const vm = [...this.#resources.values()].find((v) => lastType(v.type) === 'virtualmachines' && nicIdsOf(v).includes(id.toLowerCase()));
      if (vm) return armError(400, 'NicInUse', `Network Interface ${id} is used by existing resource ${vm.id}. In order to delete the network interface, it must be dissociated from the resource.`);
    }
    if (r.properties.provisioningState !== 'Deleting') {
      r.properties.provisioningState = 'Deleting';
      this.#changed();
      const operation = this.#startOperation(r.id, 'delete', parsed);
      return { status: 202, headers: this.#operationHeaders(operation, parsed) };
    }
    const running = [...this.#operations.values()].find((o) => o.resourceId === r.id && o.kind === 'delete' && o.status === 'InProgress');
    return { status: 202, ...(running ? { headers: this.#operationHeaders(running, parsed) } : {}) };
  }

  // What ARM checks synchronously on a PUT: references to other resources must exist.
  #validate(parsed: ParsedId, type: string, properties: Record<string, unknown>): Answer | undefined {
    if (type === 'networkinterfaces') {
      for (const config of (properties.ipConfigurations as Array<{ properties?: { subnet?: { id?: string } } }> | undefined) ?? []) {
        const subnet = config.properties?.subnet?.id;
        if (!subnet || !this.#resources.has(subnet.toLowerCase())) {
          return armError(400, 'InvalidResourceReference', `Resource ${subnet} referenced by resource ${canonicalId(parsed)} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
        }
      }
    }
    if (type === 'virtualmachines') {
      const nics = ((properties.networkProfile as { networkInterfaces?: Array<{ id?: string }> } | undefined)?.networkInterfaces ?? []).map((n) => n.id ?? '');
      for (const nic of nics) {
        if (!this.#resources.has(nic.toLowerCase())) return armError(400, 'InvalidResourceReference', `Resource ${nic} referenced by resource ${canonicalId(parsed)} was not found.`);
      }
      const size = (properties.hardwareProfile as { vmSize?: string } | undefined)?.vmSize;
      if (size && !this.skus.some((s) => s.name === size)) return armError(400, 'InvalidParameter', `The value ${size} provided for the VM size is not valid. The valid sizes in the current region are: ${this.skus.map((s) => s.name).join(', ')}.`);
    }
    return undefined;
  }

  /** Fills in what Azure computes: vmId, the OS disk, private IPs, public IP addresses. */
  #complete(resource: StoredResource, type: string, created: boolean): void {
    const p = resource.properties;
    if (type === 'virtualmachines') {
      if (created) p.vmId = randomUUID();
      const storage = p.storageProfile as { osDisk?: { name?: string; managedDisk?: { id?: string }; diskSizeGB?: number } } | undefined;
      const osDisk = storage?.osDisk;
      if (osDisk?.name) {
        const diskId = `${resourceGroupPrefix(resource.id)}/providers/Microsoft.Compute/disks/${osDisk.name}`;
        osDisk.managedDisk = { ...osDisk.managedDisk, id: diskId };
        if (!this.#resources.has(diskId.toLowerCase())) {
          this.#resources.set(diskId.toLowerCase(), { id: diskId, name: osDisk.name, type: 'Microsoft.Compute/disks', location: resource.location, properties: { provisioningState: 'Succeeded', diskSizeGB: osDisk.diskSizeGB, diskState: 'Attached' } });
        }
      }
    }
    if (type === 'networkinterfaces') {
      const configs = (p.ipConfigurations as Array<{ name?: string; id?: string; properties?: Record<string, unknown> }> | undefined) ?? [];
      for (const config of configs) {
        config.id = `${resource.id}/ipConfigurations/${config.name}`;
        config.properties ??= {};
        config.properties.privateIPAddress ??= `10.0.1.${this.#nextIp++}`;
        config.properties.provisioningState = 'Succeeded';
      }
    }
    if (type === 'publicipaddresses') p.ipAddress ??= `20.1.2.${this.#nextIp++}`;
  }

  #startOperation(resourceId: string, kind: 'put' | 'delete', parsed: ParsedId): Operation {
    const faultIndex = this.#operationFaults.findIndex((f) => matches(f.match, { method: kind.toUpperCase(), type: parsed.types[parsed.types.length - 1] }));
    const outcome = faultIndex >= 0 ? this.#operationFaults.splice(faultIndex, 1)[0].error : undefined;
    const operation: Operation = { id: randomUUID(), resourceId, kind, status: 'InProgress', polls: 0, ...(outcome ? { outcome } : {}) };
    this.#operations.set(operation.id, operation);
    return operation;
  }

  #operationHeaders(operation: Operation, parsed: ParsedId): Record<string, string> {
    const base = `${this.endpoint}/subscriptions/${parsed.subscription}/providers/${parsed.namespace}/locations/eastus`;
    return {
      'azure-asyncoperation': `${base}/operations/${operation.id}?api-version=2026-04-01`,
      location: `${base}/operationResults/${operation.id}?api-version=2026-04-01`,
      'retry-after': '0',
    };
  }

  #operationStatus(id: string, resultStyle: boolean): Answer {
    const operation = this.#operations.get(id);
    if (!operation) return armError(404, 'NotFound', `Operation ${id} not found`);
    operation.polls++;
    if (operation.status === 'InProgress' && !this.#isHeld(operation) && operation.polls > this.inProgressPolls) this.#finish(operation);
    if (resultStyle) {
      if (operation.status === 'InProgress') return { status: 202, headers: { 'retry-after': '0' } };
      if (operation.status === 'Failed') return armError(400, operation.error!.code, operation.error!.message);
      return operation.kind === 'delete' ? { status: 204 } : ok(wire(this.#resources.get(operation.resourceId.toLowerCase()), false));
    }
    return ok({
      name: operation.id, status: operation.status, startTime: new Date().toISOString(),
      ...(operation.status === 'InProgress' ? {} : { endTime: new Date().toISOString() }),
      ...(operation.error ? { error: operation.error } : {}),
    });
  }

  // A resource read after its operation started sees the operation's end (Azure works on without being polled),
  // unless operations are held.
  #observe(resourceId: string): void {
    for (const operation of this.#operations.values()) {
      if (operation.resourceId === resourceId && operation.status === 'InProgress' && !this.#isHeld(operation)) this.#finish(operation);
    }
  }

  #isHeld(operation: Operation): boolean {
    const type = parseResourceId(operation.resourceId)?.types.at(-1);
    return this.#held !== undefined && matches(this.#held, { method: operation.kind.toUpperCase(), type });
  }

  #finish(operation: Operation): void {
    this.#applyOutcome(operation);
    this.#changed();
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #applyOutcome(operation: Operation): void {
    const key = operation.resourceId.toLowerCase();
    const r = this.#resources.get(key);
    if (operation.outcome) {
      operation.status = 'Failed';
      operation.error = operation.outcome;
      if (r) {
        r.properties.provisioningState = 'Failed';
        r.properties.__failure = operation.outcome;
      }
      return;
    }
    operation.status = 'Succeeded';
    if (!r) return;
    if (operation.kind === 'delete') {
      this.#resources.delete(key);
      if (lastType(r.type) === 'virtualmachines') this.#cascade(r);
      return;
    }
    r.properties.provisioningState = 'Succeeded';
    if (lastType(r.type) === 'virtualmachines') r.properties.__powerState ??= 'running';
  }

  // Deleting a VM deletes what it marks deleteOption=Delete; the rest is detached.
  #cascade(vm: StoredResource): void {
    const p = vm.properties as { networkProfile?: { networkInterfaces?: Array<{ id?: string; properties?: { deleteOption?: string } }> }; storageProfile?: { osDisk?: { deleteOption?: string; managedDisk?: { id?: string } }; dataDisks?: Array<{ deleteOption?: string; managedDisk?: { id?: string } }> } };
    for (const nic of p.networkProfile?.networkInterfaces ?? []) if (nic.properties?.deleteOption === 'Delete' && nic.id) this.#resources.delete(nic.id.toLowerCase());
    const disks = [p.storageProfile?.osDisk, ...(p.storageProfile?.dataDisks ?? [])];
    for (const disk of disks) {
      const diskId = disk?.managedDisk?.id?.toLowerCase();
      if (!diskId) continue;
      if (disk?.deleteOption === 'Delete') this.#resources.delete(diskId);
      else {
        const stored = this.#resources.get(diskId);
        if (stored) stored.properties.diskState = 'Unattached';
      }
    }
  }

  #skus(filter: string | null): Record<string, unknown>[] {
    const location = /location eq '([^']+)'/i.exec(filter ?? '')?.[1] ?? 'eastus';
    return this.skus.map((s) => ({
      resourceType: 'virtualMachines', name: s.name, tier: 'Standard', size: s.name.replace(/^Standard_/, ''), locations: [location],
      locationInfo: [{ location, zones: ['1', '2', '3'] }],
      capabilities: [
        { name: 'vCPUs', value: String(s.vCPUs) },
        { name: 'MemoryGB', value: String(s.memoryGB) },
        ...(s.gpus ? [{ name: 'GPUs', value: String(s.gpus) }] : []),
        { name: 'AcceleratedNetworkingEnabled', value: s.acceleratedNetworking ? 'True' : 'False' },
      ],
      restrictions: [],
    }));
  }
}

interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function armError(status: number, code: string, message: string): Answer {
  return { status, body: { error: { code, message } } };
}

function notFound(id: string): Answer {
  const parsed = parseResourceId(id);
  return armError(404, 'ResourceNotFound', `The Resource '${parsed?.namespace}/${parsed?.types.join('/')}/${parsed?.name}' under resource group '${parsed?.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
}

function matches(match: CallMatch, call: CallMatch): boolean {
  return (match.method === undefined || match.method.toUpperCase() === call.method?.toUpperCase())
    && (match.type === undefined || match.type.toLowerCase() === call.type?.toLowerCase());
}

/** The wire JSON of a resource; `statusOnly` is ARM's run-time view (instanceView only). */
function wire(r: StoredResource | undefined, statusOnly: boolean): Record<string, unknown> | undefined {
  if (!r) return undefined;
  const { __powerState, __failure, ...properties } = r.properties as Record<string, unknown> & { __powerState?: string; __failure?: { code: string; message: string } };
  const statuses = [
    { code: `ProvisioningState/${String(properties.provisioningState).toLowerCase()}${__failure ? `/${__failure.code}` : ''}`, level: __failure ? 'Error' : 'Info', displayStatus: `Provisioning ${String(properties.provisioningState).toLowerCase()}`, ...(__failure ? { message: __failure.message } : {}) },
    ...(__powerState ? [{ code: `PowerState/${__powerState}`, level: 'Info', displayStatus: `VM ${__powerState}` }] : []),
  ];
  if (statusOnly) return { id: r.id, name: r.name, type: r.type, location: r.location, properties: { instanceView: { statuses } } };
  return structuredClone({
    id: r.id, name: r.name, type: r.type, location: r.location,
    ...(r.tags ? { tags: r.tags } : {}), ...(r.zones ? { zones: r.zones } : {}), ...(r.identity ? { identity: r.identity } : {}), ...(r.plan ? { plan: r.plan } : {}),
    properties,
  });
}

function nicIdsOf(vm: StoredResource): string[] {
  const profile = vm.properties.networkProfile as { networkInterfaces?: Array<{ id?: string }> } | undefined;
  return (profile?.networkInterfaces ?? []).map((n) => (n.id ?? '').toLowerCase());
}

function lastType(type: string): string {
  return type.slice(type.lastIndexOf('/') + 1).toLowerCase();
}

function resourceGroupPrefix(id: string): string {
  return /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+/i.exec(id)![0];
}

interface ParsedId {
  readonly subscription: string;
  readonly resourceGroup: string;
  readonly namespace: string;
  /** Resource types from the top: ["virtualNetworks", "subnets"]. */
  readonly types: readonly string[];
  /** Names, parallel to types. */
  readonly names: readonly string[];
  readonly name: string;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{type}/{name}]…` */
export function parseResourceId(id: string): ParsedId | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+)$/i.exec(id);
  if (!m) return undefined;
  const rest = m[4].split('/');
  if (rest.length % 2 !== 0 || rest.some((s) => s === '')) return undefined;
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    types.push(rest[i]);
    names.push(decodeURIComponent(rest[i + 1]));
  }
  const namespace = m[3];
  if (![COMPUTE, NETWORK, 'microsoft.managedidentity'].includes(namespace.toLowerCase())) return undefined;
  return { subscription: m[1], resourceGroup: m[2], namespace, types, names, name: names[names.length - 1] };
}

function canonicalId(p: ParsedId): string {
  return `/subscriptions/${p.subscription}/resourceGroups/${p.resourceGroup}/providers/${p.namespace}/${p.types.map((t, i) => `${t}/${p.names[i]}`).join('/')}`;
}
