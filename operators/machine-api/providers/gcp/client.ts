// The Compute Engine clients of one connection (service account + endpoint) and where their credentials come from
// (shared/reference/machine-api.md §2.2 "Credentials"; ts-ecosystem.md §3). Credentials come only from the Secret
// the providerSpec names, key service_account.json, a service account key file. They are never logged or put in
// an error message: messages name the Secret, its key and the account's email, nothing else.
//
// @google-cloud/compute's REST transport is used (`fallback: true`): Compute has no gRPC surface, and it needs no
// native code. Its auth is a google-auth-library OAuth2Client fed by ServiceAccountTokenSource, which performs the
// service-account JWT-bearer grant (RFC 7523) against the key's own `token_uri`, as golang.org/x/oauth2/google
// (MAO's google.CredentialsFromJSON) does. google-auth-library's JWT client always posts to
// oauth2.googleapis.com, so it could neither honour a key's token_uri nor be pointed at the test fake.
//
// Endpoint: the `endpoint` option, else the GCP_COMPUTE_ENDPOINT environment variable (an http(s) URL such as
// http://127.0.0.1:8085, for fakes and private endpoints), else compute.googleapis.com.
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { InstancesClient, MachineTypesClient, ZoneOperationsClient, type protos } from '@google-cloud/compute';
import { OAuth2Client } from 'google-auth-library';
import { isNotFound } from './errors.ts';

export type Instance = protos.google.cloud.compute.v1.IInstance;
export type Operation = protos.google.cloud.compute.v1.IOperation;

/** The environment variable naming a Compute endpoint to use instead of compute.googleapis.com. */
export const COMPUTE_ENDPOINT_ENV = 'GCP_COMPUTE_ENDPOINT';
/** The credentials Secret key holding the service account key file (MAO's). */
export const SERVICE_ACCOUNT_SECRET_KEY = 'service_account.json';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** A call (other than zoneOperations.wait) that takes longer than this is abandoned, in ms. */
export const CALL_TIMEOUT_MS = 30_000;
/** How long before its expiry an access token is replaced, in ms (google-auth-library's default). */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** Assertion lifetime: Google accepts at most one hour. */
const ASSERTION_LIFETIME_S = 3600;
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** instances.list page size (GCE's maximum). */
const LIST_PAGE_SIZE = 500;

/** The parts of a service account key file this provider uses. */
export interface ServiceAccountKey {
  readonly clientEmail: string;
  readonly privateKey: KeyObject;
  readonly privateKeyId?: string;
  readonly tokenUri: string;
  /** The key's project_id: the default project of Machines whose providerSpec has no projectID. */
  readonly projectId?: string;
  /** A digest of the key file, naming the connection without keeping the key in a Map key. */
  readonly fingerprint: string;
}

/** Why a credentials Secret could not be used; the message names the Secret and key, never their values. */
export class CredentialsSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsSecretError';
  }
}

/** The service account key in a credentials Secret's data (key service_account.json). */
export function serviceAccountFromSecret(data: Readonly<Record<string, Buffer>>, secret: string): ServiceAccountKey {
  const raw = data[SERVICE_ACCOUNT_SECRET_KEY];
  if (!raw) throw new CredentialsSecretError(`Secret ${secret} has no key "${SERVICE_ACCOUNT_SECRET_KEY}"`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CredentialsSecretError(`Secret ${secret} key "${SERVICE_ACCOUNT_SECRET_KEY}" is not JSON`);
  }
  if (json.type !== 'service_account') {
    throw new CredentialsSecretError(`Secret ${secret} key "${SERVICE_ACCOUNT_SECRET_KEY}": type ${JSON.stringify(json.type ?? null)} is not supported; give a service account key ("type": "service_account")`);
  }
  const missing = ['client_email', 'private_key', 'token_uri'].filter((k) => typeof json[k] !== 'string' || json[k] === '');
  if (missing.length > 0) throw new CredentialsSecretError(`Secret ${secret} key "${SERVICE_ACCOUNT_SECRET_KEY}" lacks ${missing.join(', ')}`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(json.private_key as string);
  } catch {
    throw new CredentialsSecretError(`Secret ${secret} key "${SERVICE_ACCOUNT_SECRET_KEY}": private_key is not a PEM private key`);
  }
  const tokenUri = json.token_uri as string;
  if (!/^https?:\/\//.test(tokenUri)) throw new CredentialsSecretError(`Secret ${secret} key "${SERVICE_ACCOUNT_SECRET_KEY}": token_uri is not an http(s) URL`);
  return {
    clientEmail: json.client_email as string,
    privateKey,
    tokenUri,
    ...(typeof json.private_key_id === 'string' ? { privateKeyId: json.private_key_id } : {}),
    ...(typeof json.project_id === 'string' && json.project_id !== '' ? { projectId: json.project_id } : {}),
    fingerprint: createHash('sha256').update(raw).digest('hex'),
  };
}

interface AccessToken {
  readonly access_token: string;
  readonly expiry_date: number;
}

/**
 * Access tokens for a service account: a signed assertion exchanged at the key's token_uri. Concurrent callers
 * share one exchange, so a burst of reconciles after expiry costs one token request.
 */
export class ServiceAccountTokenSource {
  readonly #key: ServiceAccountKey;
  #pending: Promise<AccessToken> | undefined;

  constructor(key: ServiceAccountKey) {
    this.#key = key;
  }

  token(): Promise<AccessToken> {
    this.#pending ??= this.#exchange().finally(() => (this.#pending = undefined));
    return this.#pending;
  }

  async #exchange(): Promise<AccessToken> {
    const key = this.#key;
    const now = Math.floor(Date.now() / 1000);
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', ...(key.privateKeyId ? { kid: key.privateKeyId } : {}) })}.${encode({
      iss: key.clientEmail, scope: CLOUD_PLATFORM_SCOPE, aud: key.tokenUri, iat: now, exp: now + ASSERTION_LIFETIME_S,
    })}`;
    const assertion = `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key.privateKey).toString('base64url')}`;
    let response: Response;
    try {
      response = await fetch(key.tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }),
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (err) {
      throw new Error(`Getting an access token for ${key.clientEmail} from ${key.tokenUri} failed: ${(err as Error).message}`, { cause: err });
    }
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok || typeof body.access_token !== 'string') {
      const why = typeof body.error === 'string' ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}` : `HTTP ${response.status}`;
      throw new Error(`The token endpoint ${key.tokenUri} refused service account ${key.clientEmail} (${why}); check the credentials Secret`);
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : ASSERTION_LIFETIME_S;
    return { access_token: body.access_token, expiry_date: Date.now() + expiresIn * 1000 };
  }
}

/** The google-gax CallOptions this provider sets (google-gax itself is the SDK's dependency, not ours). */
export interface CallOptions {
  readonly retry: { readonly retryCodes: number[] };
  readonly timeout: number;
  readonly signal: AbortSignal;
}

/** Where the REST transport sends requests. */
export interface ComputeEndpoint {
  readonly apiEndpoint: string;
  readonly port: number;
  readonly protocol: 'http' | 'https';
}

/** `endpoint` (an http(s) URL), else $GCP_COMPUTE_ENDPOINT, else undefined (compute.googleapis.com). */
export function resolveEndpoint(endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): ComputeEndpoint | undefined {
  const value = endpoint ?? env[COMPUTE_ENDPOINT_ENV];
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Compute endpoint ${JSON.stringify(value)} (option endpoint or $${COMPUTE_ENDPOINT_ENV}) is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`Compute endpoint ${JSON.stringify(value)} must be an http or https URL`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { apiEndpoint: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}

export interface ComputeClients {
  readonly instances: InstancesClient;
  readonly zoneOperations: ZoneOperationsClient;
  readonly machineTypes: MachineTypesClient;
  /** Forgets the access token, so the next call gets a new one (after a 401: a rotated or revoked key). */
  dropToken(): void;
  close(): Promise<void>;
}

export function newComputeClients(key: ServiceAccountKey, endpoint: ComputeEndpoint | undefined): ComputeClients {
  const tokens = new ServiceAccountTokenSource(key);
  const authClient = new OAuth2Client({ eagerRefreshThresholdMillis: TOKEN_REFRESH_MARGIN_MS });
  authClient.refreshHandler = () => tokens.token();
  const options = { fallback: true, authClient, ...(endpoint ?? {}) };
  // Each client parses Compute's protobuf descriptors when made (100-300 ms), so they are made on first use.
  let instances: InstancesClient | undefined;
  let zoneOperations: ZoneOperationsClient | undefined;
  let machineTypes: MachineTypesClient | undefined;
  return {
    get instances() {
      return (instances ??= new InstancesClient(options));
    },
    get zoneOperations() {
      return (zoneOperations ??= new ZoneOperationsClient(options));
    },
    get machineTypes() {
      return (machineTypes ??= new MachineTypesClient(options));
    },
    dropToken: () => authClient.setCredentials({}),
    close: async () => void (await Promise.all([instances, zoneOperations, machineTypes].map((c) => c?.close()))),
  };
}

/** A stable name for a connection. */
export function connectionKey(key: ServiceAccountKey, endpoint: ComputeEndpoint | undefined): string {
  return `${key.fingerprint}@${endpoint ? `${endpoint.protocol}://${endpoint.apiEndpoint}:${endpoint.port}` : 'default'}`;
}

/**
 * Options for one call: one attempt (the controller's per-key backoff is the one retry loop; SDK retries under it
 * would multiply throttled calls across every Machine, shared/reference/machine-api.md §6 item 13), the caller's
 * signal, and a deadline.
 */
export function callOptions(signal: AbortSignal, timeoutMs: number = CALL_TIMEOUT_MS): CallOptions {
  return { retry: { retryCodes: [] }, timeout: timeoutMs, signal };
}

/** Every instance of `project`/`zone` that matches `filter`, across pages of `pageSize`. */
export async function listInstances(client: InstancesClient, project: string, zone: string, filter: string, signal: AbortSignal, pageSize = LIST_PAGE_SIZE): Promise<Instance[]> {
  const out: Instance[] = [];
  let pageToken: string | undefined;
  do {
    const [items, next] = await client.list(
      { project, zone, filter, maxResults: pageSize, ...(pageToken ? { pageToken } : {}) },
      { ...callOptions(signal), autoPaginate: false },
    );
    out.push(...items);
    pageToken = next?.pageToken ?? undefined;
  } while (pageToken);
  return out;
}

/** The named instance, or undefined when GCE answers 404. */
export async function getInstance(client: InstancesClient, project: string, zone: string, name: string, signal: AbortSignal): Promise<Instance | undefined> {
  try {
    return (await client.get({ project, zone, instance: name }, callOptions(signal)))[0];
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
