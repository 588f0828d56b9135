// The local cloud's HTTP API (README.md in this folder), on its own loopback server so that the operator
// reaches the cloud over the network exactly as it would a real one. Fault injection and call counts live
// here, at the wire, where a real cloud's throttling and outages would be seen.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from '../../operators/runtime/listen.ts';
import type { InstanceFilter, LocalCloud } from './cloud.ts';
import { CloudError } from './types.ts';
import { parseCreateInstanceRequest } from './validate.ts';

/** The operations counted in GET /v1/stats. */
export const OPERATIONS = ['CreateInstance', 'DescribeInstances', 'DescribeInstance', 'TerminateInstance'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface Faults {
  /** The next this-many creates fail with `statusCode`, creating nothing. */
  readonly failNextCreates: number;
  /** The status injected create failures answer with. Default 500. */
  readonly statusCode: number;
  /** While true, every instance operation answers 429 RequestLimitExceeded. */
  readonly throttle: boolean;
  /** Added before every instance operation answers, in ms. */
  readonly latencyMs: number;
}

export interface CloudStats {
  readonly calls: Readonly<Record<Operation, number>>;
  readonly total: number;
}

const NO_FAULTS: Faults = { failNextCreates: 0, statusCode: 500, throttle: false, latencyMs: 0 };
const MAX_BODY_BYTES = 1024 * 1024;

export interface LocalCloudServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function serveLocalCloud(cloud: LocalCloud, options: { readonly port?: number; readonly host?: string } = {}): Promise<LocalCloudServer> {
  const api = new LocalCloudApi(cloud);
  const server = createServer((req, res) => {
    api.handle(req, res).catch((err: unknown) => sendError(res, err));
  });
  const host = options.host ?? '127.0.0.1';
  const { port } = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

class LocalCloudApi {
  readonly #cloud: LocalCloud;
  #faults: Faults = NO_FAULTS;
  #calls: Record<Operation, number> = zeroCalls();

  constructor(cloud: LocalCloud) {
    this.#cloud = cloud;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (path === '/healthz') return send(res, 200, { status: 'ok' });
    if (path === '/v1/faults') return this.#handleFaults(method, req, res);
    if (path === '/v1/stats') return this.#handleStats(method, res);
    if (path === '/v1/images' && method === 'GET') return send(res, 200, { images: this.#cloud.images() });
    if (path === '/v1/instances' && method === 'POST') {
      await this.#admit('CreateInstance');
      const request = parseCreateInstanceRequest(await readJson(req));
      const { instance } = this.#cloud.create(request);
      await this.#cloud.persisted();
      return send(res, 200, instance);
    }
    if (path === '/v1/instances' && method === 'GET') {
      await this.#admit('DescribeInstances');
      return send(res, 200, { instances: this.#cloud.describe(parseFilter(url.searchParams)) });
    }
    const match = /^\/v1\/instances\/([^/]+)$/.exec(path);
    if (match && method === 'GET') {
      await this.#admit('DescribeInstance');
      const instance = this.#cloud.get(decodeURIComponent(match[1]));
      if (!instance) throw new CloudError(404, 'InvalidInstanceID.NotFound', `The instance ID '${decodeURIComponent(match[1])}' does not exist`);
      return send(res, 200, instance);
    }
    if (match && method === 'DELETE') {
      await this.#admit('TerminateInstance');
      const instance = this.#cloud.terminate(decodeURIComponent(match[1]));
      await this.#cloud.persisted();
      return send(res, 200, instance);
    }
    throw new CloudError(404, 'NotFound', `No route for ${method} ${path}`);
  }

  // Counted first: a throttled or failed call still cost the caller a request, as on a real cloud.
  async #admit(operation: Operation): Promise<void> {
    this.#calls[operation]++;
    const faults = this.#faults;
    if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    if (faults.throttle) throw new CloudError(429, 'RequestLimitExceeded', 'Request limit exceeded.');
    if (operation === 'CreateInstance' && faults.failNextCreates > 0) {
      this.#faults = { ...faults, failNextCreates: faults.failNextCreates - 1 };
      throw new CloudError(faults.statusCode, 'InjectedFault', `Injected failure (HTTP ${faults.statusCode}); ${faults.failNextCreates - 1} more to come`);
    }
  }

  async #handleFaults(method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (method === 'POST') this.#faults = parseFaults(await readJson(req), this.#faults);
    else if (method === 'DELETE') this.#faults = NO_FAULTS;
    else if (method !== 'GET') throw new CloudError(405, 'MethodNotAllowed', `${method} is not allowed on /v1/faults`);
    send(res, 200, this.#faults);
  }

  #handleStats(method: string, res: ServerResponse): void {
    if (method === 'DELETE') this.#calls = zeroCalls();
    else if (method !== 'GET') throw new CloudError(405, 'MethodNotAllowed', `${method} is not allowed on /v1/stats`);
    const stats: CloudStats = { calls: { ...this.#calls }, total: Object.values(this.#calls).reduce((a, b) => a + b, 0) };
    send(res, 200, stats);
  }
}

function zeroCalls(): Record<Operation, number> {
  return Object.fromEntries(OPERATIONS.map((op) => [op, 0])) as Record<Operation, number>;
}

/** `ids=a,b` and `tag:<key>=v1,v2` query parameters (each may repeat; values are comma-separated). */
function parseFilter(params: URLSearchParams): InstanceFilter {
  const ids: string[] = [];
  const tags: Record<string, string[]> = {};
  for (const [key, value] of params) {
    const values = value.split(',').filter((v) => v !== '');
    if (key === 'ids') ids.push(...values);
    else if (key.startsWith('tag:') && key.length > 4) (tags[key.slice(4)] ??= []).push(...values);
    else throw new CloudError(400, 'InvalidParameterValue', `${key}: Unsupported value: supported filters: "ids", "tag:<key>"`, key);
  }
  return { ids: params.has('ids') ? ids : undefined, tags };
}

function parseFaults(body: unknown, current: Faults): Faults {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CloudError(400, 'InvalidParameterValue', 'body: must be a JSON object');
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(body)) {
    const expected = typeof NO_FAULTS[key as keyof Faults];
    if (!(key in NO_FAULTS)) throw new CloudError(400, 'UnknownParameter', `unknown field "${key}"`, key);
    if (typeof value !== expected || (expected === 'number' && !(Number.isInteger(value) && (value as number) >= 0))) {
      throw new CloudError(400, 'InvalidParameterValue', `${key}: Invalid value: ${JSON.stringify(value)}: must be ${expected === 'number' ? 'a non-negative integer' : 'a boolean'}`, key);
    }
    next[key] = value;
  }
  const faults = next as unknown as Faults;
  if (faults.statusCode < 400 || faults.statusCode > 599) throw new CloudError(400, 'InvalidParameterValue', `statusCode: Invalid value: ${faults.statusCode}: must be an HTTP error status (400-599)`, 'statusCode');
  return faults;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new CloudError(413, 'RequestTooLarge', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new CloudError(400, 'MalformedJSON', 'body: the request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const error = err instanceof CloudError ? err : new CloudError(500, 'InternalError', `Internal error: ${(err as Error)?.message ?? String(err)}`);
  send(res, error.status, { error: error.toBody() });
}
