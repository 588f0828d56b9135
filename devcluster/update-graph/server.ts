// The bundled update-graph server: Cincinnati's graph API over HTTP(S), from a directory (graph-data.ts).
// Request and error shapes are the policy engine's (openshift/cincinnati commons/src/errors.rs,
// shared/reference/cluster-version.md §4): GET with `channel` (required) and `arch` (default amd64), other
// parameters (`version`, `id`) accepted and ignored; errors are `{"kind", "value"}` JSON with 400 for bad
// parameters, 406 for an Accept header without JSON, and 500 when the directory cannot be served.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { listen } from '../../operators/runtime/listen.ts';
import { discardLogger, type Logger } from '../../operators/runtime/log.ts';
import { buildGraph } from './graph.ts';
import { ARCH_RE, CHANNEL_NAME_RE, DEFAULT_ARCH, GraphDataError, GraphDataLoader } from './graph-data.ts';

/** The public endpoint's path, which `url` points at; the policy engine's own paths are served too. */
export const GRAPH_PATH = '/api/upgrades_info/v1/graph';
const GRAPH_PATHS: ReadonlySet<string> = new Set([GRAPH_PATH, '/api/upgrades_info/graph', '/v1/graph', '/graph']);

/** Media types a client may ask for (policy engine: `application/json` and the versioned Cincinnati type). */
const ACCEPTABLE_TYPES = ['application/json', 'application/vnd.redhat.cincinnati.v1+json', 'application/*', '*/*'];

export interface UpdateGraphServerOptions {
  /** The directory with releases/, channels/ and optionally blocked-edges/. */
  readonly dir: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** PEM certificate and key: serve HTTPS instead of HTTP. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly log?: Logger;
}

export interface UpdateGraphServer {
  /** The graph endpoint, ready for ClusterVersion spec.upstream, e.g. http://127.0.0.1:41234/api/upgrades_info/v1/graph. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** A Cincinnati error: `kind` and `value` as the policy engine words them. */
interface GraphApiError {
  readonly status: number;
  readonly kind: string;
  readonly value: string;
}

export async function startUpdateGraphServer(options: UpdateGraphServerOptions): Promise<UpdateGraphServer> {
  const loader = new GraphDataLoader(options.dir);
  const log = options.log ?? discardLogger;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, loader, log)
      .then(({ status, body }) => send(req, res, status, body))
      .catch((err: unknown) => {
        log.error('Update graph request failed', { error: err instanceof Error ? err.message : String(err) });
        send(req, res, 500, { kind: 'failed_json_out', value: 'failed to serialize JSON: internal error' });
      });
  };
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);
  const host = options.host ?? '127.0.0.1';
  const { port } = await listen(server, options.port ?? 0, host);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}${GRAPH_PATH}`,
    port,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, loader: GraphDataLoader, log: Logger): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://update-graph.invalid');
  const failure = checkRequest(req, url);
  if (failure) return answerError(failure);
  const channel = url.searchParams.get('channel')!;
  const arch = url.searchParams.get('arch') || DEFAULT_ARCH;
  try {
    const graph = buildGraph(await loader.load(), { channel, arch });
    log.debug('Served update graph', { channel, arch, nodes: graph.nodes.length });
    return { status: 200, body: graph };
  } catch (err) {
    if (!(err instanceof GraphDataError)) throw err;
    log.error('Update graph directory cannot be served', { error: err.message });
    // The policy engine's answer when its graph source fails.
    return answerError({ status: 500, kind: 'failed_upstream_fetch', value: `failed to fetch upstream graph: ${err.message}` });
  }
}

function checkRequest(req: IncomingMessage, url: URL): GraphApiError | undefined {
  if (!GRAPH_PATHS.has(url.pathname)) {
    return { status: 404, kind: 'not_found', value: `no such endpoint ${url.pathname}; the graph is at ${GRAPH_PATH}` };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return { status: 405, kind: 'method_not_allowed', value: `method ${req.method} is not allowed; use GET` };
  }
  if (!acceptsJson(req.headers.accept)) return { status: 406, kind: 'invalid_content_type', value: 'invalid Content-Type requested' };
  const channel = url.searchParams.get('channel');
  if (!channel) return { status: 400, kind: 'missing_params', value: 'mandatory client parameters missing: channel' };
  if (!CHANNEL_NAME_RE.test(channel)) {
    return { status: 400, kind: 'invalid_params', value: `invalid client parameters: channel '${channel}' does not match regex '${CHANNEL_NAME_RE.source}'` };
  }
  const arch = url.searchParams.get('arch');
  if (arch && !ARCH_RE.test(arch)) {
    return { status: 400, kind: 'invalid_params', value: `invalid client parameters: arch '${arch}' does not match regex '${ARCH_RE.source}'` };
  }
  return undefined;
}

/** No Accept header means anything; otherwise one of its media ranges must be JSON or a wildcard. */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const refused = params.some((p) => /^q=0(\.0*)?$/.test(p));
    return !refused && ACCEPTABLE_TYPES.includes(type);
  });
}

function answerError(e: GraphApiError): { status: number; body: unknown } {
  return { status: e.status, body: { kind: e.kind, value: e.value } };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...(status === 405 ? { Allow: 'GET, HEAD' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
