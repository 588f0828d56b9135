// The ARM SDK clients (@azure/arm-compute 25, @azure/arm-network 39: the modular SDKs) and where their credentials
// come from (shared/reference/machine-api.md §2.3 "Credentials"; ts-ecosystem.md §4). Credentials come only from
// the Secret the providerSpec names: a service principal (azure_client_id, azure_client_secret, azure_tenant_id)
// and its subscription (azure_subscription_id), with azure_resourcegroup and azure_region as defaults for the
// spec. They are never logged or put in an error message.
//
// Endpoints: ARM is `options.endpoint`, else $AZURE_RESOURCE_MANAGER_ENDPOINT, else the public cloud. The token
// authority is `options.authorityHost`, else $AZURE_AUTHORITY_HOST (which @azure/identity reads itself), else
// login.microsoftonline.com; with an overridden authority, instance discovery (a call to the public cloud's
// discovery endpoint) is turned off, as sovereign clouds, Azure Stack Hub and test fakes need. A private CA is
// trusted through `caCertificates` (core-rest-pipeline tlsOptions, given to the credential and both clients), or
// process-wide with NODE_EXTRA_CA_CERTS.
import { createHash } from 'node:crypto';
import { ComputeManagementClient } from '@azure/arm-compute';
import { NetworkManagementClient } from '@azure/arm-network';
import { ClientSecretCredential, type AccessToken, type GetTokenOptions, type TokenCredential } from '@azure/identity';

/** ARM's endpoint, e.g. https://management.usgovcloudapi.net or an Azure Stack Hub's. */
export const ARM_ENDPOINT_ENV = 'AZURE_RESOURCE_MANAGER_ENDPOINT';
/** Entra ID's authority host; @azure/identity's own variable. */
export const AUTHORITY_HOST_ENV = 'AZURE_AUTHORITY_HOST';

export interface AzureCredentials {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly subscriptionId: string;
  /** Defaults for providerSpecs that leave resourceGroup or location out. */
  readonly resourceGroup?: string;
  readonly region?: string;
}

export interface ArmConnectionOptions {
  readonly credentials: AzureCredentials;
  readonly endpoint?: string;
  readonly authorityHost?: string;
  /** PEM CA certificates trusted for ARM and the authority, besides the system's. */
  readonly caCertificates?: string;
}

export interface ArmClients {
  readonly subscriptionId: string;
  readonly compute: ComputeManagementClient;
  readonly network: NetworkManagementClient;
}

/**
 * The SDK clients of one connection. SDK retries are off: the controller's per-key backoff is the one retry loop,
 * and retries under it would multiply throttled calls across every Machine (§7, ARM throttling is per
 * subscription and principal).
 */
export function newArmClients(options: ArmConnectionOptions): ArmClients {
  const { credentials: c } = options;
  const endpoint = options.endpoint ?? nonEmpty(process.env[ARM_ENDPOINT_ENV]);
  const authorityHost = options.authorityHost ?? nonEmpty(process.env[AUTHORITY_HOST_ENV]);
  const tlsOptions = options.caCertificates ? { tlsOptions: { ca: options.caCertificates } } : {};
  const credential = sharedToken(new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, {
    ...(authorityHost ? { authorityHost, disableInstanceDiscovery: true } : {}),
    ...tlsOptions,
  }));
  const clientOptions = { ...(endpoint ? { endpoint } : {}), retryOptions: { maxRetries: 0 }, ...tlsOptions };
  return {
    subscriptionId: c.subscriptionId,
    compute: new ComputeManagementClient(credential, c.subscriptionId, clientOptions),
    network: new NetworkManagementClient(credential, c.subscriptionId, clientOptions),
  };
}

/** How long before its expiry a token is renewed, in ms (the bearer policies' own margin is 2 minutes). */
const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * One token for both clients of a connection. Each client's bearer policy asks the credential on its own, and
 * MSAL caches only finished requests, so the first concurrent listings (VMs and NICs) would each fetch a token.
 */
export function sharedToken(inner: TokenCredential): TokenCredential {
  const tokens = new Map<string, Promise<AccessToken | null>>();
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const key = [scopes].flat().join(' ');
      const cached = tokens.get(key);
      if (cached) {
        const token = await cached.catch(() => null);
        if (token && token.expiresOnTimestamp - Date.now() > TOKEN_REFRESH_MARGIN_MS) return token;
        if (tokens.get(key) !== cached) return tokens.get(key)!;
      }
      const fresh = inner.getToken(scopes, options);
      tokens.set(key, fresh);
      fresh.catch(() => {
        if (tokens.get(key) === fresh) tokens.delete(key);
      });
      return fresh;
    },
  };
}

/** A stable key for a connection's identity that does not keep the secret itself in a Map key. */
export function connectionKey(options: ArmConnectionOptions): string {
  const c = options.credentials;
  const hash = createHash('sha256');
  hash.update([c.tenantId, c.clientId, c.clientSecret, c.subscriptionId, options.endpoint ?? '', options.authorityHost ?? '', options.caCertificates ?? ''].join('\0'));
  return hash.digest('hex');
}

/** Why a credentials Secret could not be used; the message names the Secret and keys, never their values. */
export class CredentialsSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialsSecretError';
  }
}

const REQUIRED_KEYS = ['azure_client_id', 'azure_client_secret', 'azure_tenant_id', 'azure_subscription_id'] as const;

/** The service principal in a Secret's data (the Cloud Credential Operator's azure-cloud-credentials layout). */
export function credentialsFromSecret(data: Readonly<Record<string, Buffer>>, secret: string): AzureCredentials {
  const read = (key: string) => nonEmpty(data[key]?.toString('utf8').trim());
  const missing = REQUIRED_KEYS.filter((k) => read(k) === undefined);
  if (missing.length > 0) {
    // Workload identity (azure_federated_token_file) is MAO's other option; not supported here.
    const federated = read('azure_federated_token_file') ? ' (workload identity with azure_federated_token_file is not supported; give a client secret)' : '';
    throw new CredentialsSecretError(`Secret ${secret} lacks key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${federated}`);
  }
  const resourceGroup = read('azure_resourcegroup');
  const region = read('azure_region');
  return {
    tenantId: read('azure_tenant_id')!,
    clientId: read('azure_client_id')!,
    clientSecret: read('azure_client_secret')!,
    subscriptionId: read('azure_subscription_id')!,
    ...(resourceGroup ? { resourceGroup } : {}),
    ...(region ? { region } : {}),
  };
}

/** Every item of an SDK listing, across pages (nextLink). */
export async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
