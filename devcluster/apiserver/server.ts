// The embedded API server: HTTPS with a bearer token on loopback (plain HTTP only when asked, and only on
// loopback), routing to discovery, OpenAPI and resource handlers, the in-server controllers, and durable
// storage in the data dir.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { startInServerControllers } from './controllers/index.ts';
import { startKubernetesServiceController } from './controllers/kubernetes-service-controller.ts';
import { logApiServer as log } from './log.ts';
import { AGGREGATED_CONTENT_TYPE, Discovery, wantsAggregated, type RenderedDocument } from './discovery/discovery.ts';
import type { RequestContext, ServerState, UserInfo } from './handlers/context.ts';
import { handleResource } from './handlers/resource-handler.ts';
import { parseResourcePath } from './http/request-info.ts';
import { isConsolePath, serveConsole } from './http/console-static.ts';
import { sendRawJson, sendStatusError, sendText, Warnings } from './http/respond.ts';
import { kubeconfigYaml } from './kubeconfig.ts';
import { OpenApiDocuments } from './openapi-documents.ts';
import { builtinResources } from './registry/builtin-resources.ts';
import { Registry } from './registry/registry.ts';
import { methodNotAllowed, StatusError, unauthorized } from './status-errors.ts';
import { openStore, repairStore, type WriteAheadLog } from './storage/persistence/index.ts';
import { ObjectStore, parseDurableKey } from './storage/object-store.ts';
import { ensureServingCertificates, ensureToken } from './tls/index.ts';
import type { KubeObject } from './types.ts';
import { listen } from '../../operators/runtime/listen.ts';

/** Kubernetes version reported by /version: kubectl on these machines dispatches to kubectl 1.<minor>. */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-embedded' };

export interface ApiServerOptions {
  /** Holds the CA, server certificate, token, kubeconfig and (unless ephemeral) the objects. */
  dataDir: string;
  /** Keep objects in memory only. */
  ephemeral?: boolean;
  /** 0 picks a free port. */
  port?: number;
  /** Plain HTTP without authentication; refused on anything but loopback. */
  insecureHttp?: boolean;
  host?: string;
  /** Move a damaged store tail aside instead of refusing to start. */
  repairStore?: boolean;
  fsync?: 'always' | 'never';
  /** Whether the server completes a pod's graceful deletion itself (default: all); see InServerControllerOptions. */
  completeGracefulPodDeletion?: (pod: KubeObject) => boolean;
  /** The built web console (console/dist): served without a token under /console/ (http/console-static.ts). */
  consoleDir?: string;
}

export interface ApiServerHandle {
  readonly url: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  readonly token: string | undefined;
  readonly caPem: string | undefined;
  readonly store: ObjectStore;
  readonly registry: Registry;
  /** Drop watch history so that watches from older resourceVersions get 410 Gone (tests). */
  compactHistory(): void;
  stop(): Promise<void>;
}

const SEEDED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Loads persisted objects into the store and wires the log; refuses a damaged store unless asked to repair it. */
function openDurableStore(options: ApiServerOptions): { store: ObjectStore; log: WriteAheadLog | undefined } {
  if (options.ephemeral) return { store: new ObjectStore(), log: undefined };
  const dir = join(options.dataDir, 'store');
  if (options.repairStore) {
    const report = repairStore(dir);
    if (report.movedAside.length > 0) log({ level: 'warn', msg: 'Repaired store: damaged records moved aside', movedAside: report.movedAside, resourceVersion: report.resourceVersion });
  }
  const opened = openStore(dir, { fsync: options.fsync ?? 'never' });
  const wal = opened.log;
  let compactionScheduled = false;
  const store: ObjectStore = new ObjectStore({
    initialRv: opened.resourceVersion,
    log: {
      append(records) {
        wal.append(records);
        if (wal.needsCompaction && !compactionScheduled) {
          compactionScheduled = true;
          setImmediate(() => {
            compactionScheduled = false;
            wal.compact(store.entries(), store.resourceVersion);
          });
        }
      },
    },
  });
  for (const [key, json] of opened.state) store.restore(parseDurableKey(key).storageKey, json);
  return { store, log: wal };
}

function seedNamespaces(state: ServerState): void {
  for (const name of SEEDED_NAMESPACES) {
    if (state.store.get('/namespaces', '', name)) continue;
    const ns: KubeObject = {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name, uid: crypto.randomUUID(), creationTimestamp: `${state.now().toISOString().slice(0, 19)}Z`, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
    state.store.put('/namespaces', ns);
  }
}

/** /version, /api, /apis, /api/<v>, /apis/<g>, /apis/<g>/<v> and /openapi/…: served documents, not resources. */
function isDocumentPath(path: string): boolean {
  if (path === '/version' || path.startsWith('/openapi/')) return true;
  const segments = path.split('/').filter(Boolean);
  return (segments[0] === 'api' && segments.length <= 2) || (segments[0] === 'apis' && segments.length <= 3);
}

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header || !header.startsWith('Bearer ')) return undefined;
  return header.slice('Bearer '.length).trim();
}

function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendDocument(req: IncomingMessage, res: ServerResponse, doc: RenderedDocument, contentType = 'application/json'): void {
  if (req.headers['if-none-match'] === doc.etag) {
    res.writeHead(304, { ETag: doc.etag, Vary: 'Accept' });
    res.end();
    return;
  }
  sendRawJson(res, 200, doc.body, { 'Content-Type': contentType, ETag: doc.etag, Vary: 'Accept' });
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServerHandle> {
  const host = options.host ?? '127.0.0.1';
  if (options.insecureHttp && !LOOPBACK.has(host)) throw new Error(`--insecure-http serves without authentication and is only allowed on loopback, not ${host}`);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const { store, log: wal } = openDurableStore(options);
  const registry = new Registry();
  registry.addBuiltins(builtinResources());
  const closing = new AbortController();
  const state: ServerState = { store, registry, now: () => new Date(), closing: closing.signal };
  seedNamespaces(state);
  const stopControllers = startInServerControllers(state, { completeGracefulDeletion: options.completeGracefulPodDeletion });

  const tls = options.insecureHttp ? undefined : await ensureServingCertificates(dataDir);
  const token = options.insecureHttp ? undefined : ensureToken(dataDir);
  const user: UserInfo = { name: 'devcluster-admin', groups: ['system:masters', 'system:authenticated'] };
  let ready = false;
  let discovery: Discovery | undefined;
  let openapi: OpenApiDocuments | undefined;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    if (path === '/healthz' || path === '/livez') return sendText(res, 200, 'ok');
    if (path === '/readyz') return ready ? sendText(res, 200, 'ok') : sendText(res, 500, '[-]embedded-apiserver not ready\nreadyz check failed');
    // The console's static files are public (they carry no data); the API calls the page makes carry the token.
    if (options.consoleDir !== undefined && isConsolePath(url.pathname)) return serveConsole(req, res, options.consoleDir, url.pathname);
    if (token !== undefined && !PUBLIC_PATHS.has(path) && !tokenMatches(bearerToken(req), token)) throw unauthorized();
    // /version, discovery and OpenAPI are read-only documents (GET routes only in kube-apiserver).
    if (isDocumentPath(path) && req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('the server does not allow this method on the requested resource');
    if (path === '/version') return sendRawJson(res, 200, JSON.stringify({ ...KUBERNETES_VERSION, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.0', compiler: 'gc', platform: 'linux/amd64' }));
    if (path === '/api' || path === '/apis') {
      if (wantsAggregated(req.headers.accept)) return sendDocument(req, res, discovery!.aggregated(path === '/api'), AGGREGATED_CONTENT_TYPE);
      return sendDocument(req, res, path === '/api' ? discovery!.apiVersions() : discovery!.apiGroupList());
    }
    if (path.startsWith('/openapi/')) return openapi!.serve(req, res, path, url.searchParams);
    const segments = path.split('/').filter(Boolean);
    if (segments[0] === 'api' && segments.length === 2) {
      const doc = discovery!.resourceList('', segments[1]);
      if (doc) return sendDocument(req, res, doc);
    }
    if (segments[0] === 'apis' && segments.length === 2) {
      const doc = discovery!.apiGroup(segments[1]);
      if (doc) return sendDocument(req, res, doc);
    }
    if (segments[0] === 'apis' && segments.length === 3) {
      const doc = discovery!.resourceList(segments[1], segments[2]);
      if (doc) return sendDocument(req, res, doc);
    }
    const info = parseResourcePath(path);
    const resource = info && registry.lookup(info.group, info.version, info.resource);
    if (!info || !resource) return sendText(res, 404, '404 page not found\n');
    const warnings = new Warnings();
    if (resource.deprecationWarning) warnings.add(resource.deprecationWarning);
    const ctx: RequestContext = { server: state, req, res, info, resource, query: url.searchParams, user, warnings };
    await handleResource(ctx);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await route(req, res);
    } catch (err) {
      if (err instanceof StatusError) {
        sendStatusError(res, err);
        return;
      }
      // No request may take the server down: answer 500 and log what happened.
      log({ level: 'error', msg: 'Request failed', method: req.method, path: req.url, error: (err as Error).stack ?? String(err) });
      sendStatusError(res, new StatusError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`));
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  const server: Server = tls
    ? createHttpsServer({ cert: tls.certPem, key: tls.keyPem, ca: tls.caPem }, listener)
    : createHttpServer(listener);
  // Every socket, from its TCP accept on: closeAllConnections() misses one still in its TLS handshake, which then
  // carries a watch and keeps server.close() waiting forever (clients reconnect at once after a restart).
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;
  const { port } = await listen(server, options.port ?? 6443, host);
  // Needs the port: the Service targets it.
  const stopKubernetesService = startKubernetesServiceController(state, port);
  const url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  discovery = new Discovery(registry, `${host}:${port}`);
  openapi = new OpenApiDocuments(registry);
  const kubeconfigPath = join(dataDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigYaml({ server: url, caPem: tls?.caPem, token }), { mode: 0o600 });
  ready = true;

  return {
    url, port, kubeconfigPath, token, caPem: tls?.caPem, store, registry,
    compactHistory: () => store.compactHistory(),
    async stop() {
      ready = false;
      closing.abort();
      stopKubernetesService();
      stopControllers();
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      wal?.close();
    },
  };
}
