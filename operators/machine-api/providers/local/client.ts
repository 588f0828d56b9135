// HTTP client of the local cloud (devcluster/local-cloud/README.md is the contract). The wire types are
// declared here, not imported from the dev cluster: the operator talks to the cloud over the network only,
// as it would to a real cloud's SDK.

export type LocalInstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated';

export interface LocalInstanceSpec {
  readonly instanceType: string;
  readonly region: string;
  readonly zone: string;
  /** A catalogue image of the local cloud (providerSpec `image`). */
  readonly image?: string;
  readonly osImage?: string;
  readonly bootDelaySeconds?: number;
  readonly neverReady?: boolean;
  readonly notReadyAfterSeconds?: number;
  readonly failToJoin?: boolean;
}

export interface LocalInstance {
  readonly id: string;
  readonly clientToken: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly state: LocalInstanceState;
  readonly providerID: string;
  readonly privateIp: string;
  readonly hostname: string;
  readonly launchTime: string;
  readonly spec: LocalInstanceSpec;
}

export interface CreateInstanceInput {
  readonly clientToken: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly spec: LocalInstanceSpec;
}

/** Describe filter: instance IDs, or the values one tag may have. */
export type DescribeFilter = { readonly ids: readonly string[] } | { readonly tag: string; readonly values: readonly string[] };

/** A non-2xx answer of the cloud: its HTTP status and error body. */
export class LocalCloudApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly operation: string;
  constructor(operation: string, status: number, body: { code?: string; message?: string; field?: string } | undefined) {
    super(body?.message ?? `HTTP ${status}`);
    this.name = 'LocalCloudApiError';
    this.operation = operation;
    this.status = status;
    this.code = body?.code ?? 'Unknown';
    this.field = body?.field;
  }
}

/** The request could not be sent or no answer came (connection refused, reset, DNS). */
export class LocalCloudNetworkError extends Error {
  readonly operation: string;
  constructor(operation: string, endpoint: string, cause: unknown) {
    super(`cannot reach the local cloud at ${endpoint} (${operation}): ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'LocalCloudNetworkError';
    this.operation = operation;
  }
}

export interface LocalCloudClientOptions {
  /** E.g. "http://127.0.0.1:41234". */
  readonly endpoint: string;
  /** Injectable for tests; the global fetch by default. */
  readonly fetch?: typeof fetch;
}

export class LocalCloudClient {
  readonly endpoint: string;
  readonly #fetch: typeof fetch;

  constructor(options: LocalCloudClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? fetch;
  }

  /** Idempotent on clientToken: a retry returns the instance the first call created. */
  createInstance(input: CreateInstanceInput, signal: AbortSignal): Promise<LocalInstance> {
    return this.#call('CreateInstance', 'POST', '/v1/instances', signal, input);
  }

  async describeInstances(filter: DescribeFilter, signal: AbortSignal): Promise<LocalInstance[]> {
    const query = 'ids' in filter ? `ids=${filter.ids.map(encodeURIComponent).join(',')}` : `tag:${encodeURIComponent(filter.tag)}=${filter.values.map(encodeURIComponent).join(',')}`;
    const answer = await this.#call<{ instances: LocalInstance[] }>('DescribeInstances', 'GET', `/v1/instances?${query}`, signal);
    return answer.instances;
  }

  /** Starts termination; the instance is answered shutting-down (or already terminated). */
  terminateInstance(id: string, signal: AbortSignal): Promise<LocalInstance> {
    return this.#call('TerminateInstance', 'DELETE', `/v1/instances/${encodeURIComponent(id)}`, signal);
  }

  async #call<T>(operation: string, method: string, path: string, signal: AbortSignal, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.#fetch(this.endpoint + path, {
        method,
        signal,
        headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new LocalCloudNetworkError(operation, this.endpoint, err);
    }
    // The status decides; a body that is not the cloud's JSON (a proxy's page, a cut connection) must not hide it.
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch (err) {
      if (response.ok) throw new LocalCloudNetworkError(operation, this.endpoint, err);
    }
    if (!response.ok) throw new LocalCloudApiError(operation, response.status, (parsed as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error);
    return parsed as T;
  }
}
