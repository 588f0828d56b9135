// A client of the Cincinnati graph API (shared/reference/cluster-version.md §4): one GET of
// `<upstream>?arch=&channel=&id=&version=` with `Accept: application/json`, then graph.ts reads the current
// node's next hops out of the answer. Every failure is an UpdateRetrievalError whose reason is the one the CVO
// gives `RetrievedUpdates=False` (errors.ts), checked in the CVO's order (calculateAvailableUpdatesStatus).
import { Agent, fetch as undiciFetch } from 'undici';
import type { AvailableUpdates, GraphRelease, UpdateGraphClient } from '../contracts.ts';
import { UpdateRetrievalError } from './errors.ts';
import { parseUpdateGraph, selectUpdates } from './graph.ts';
import { isSemVer } from './semver.ts';

/** The CVO's request timeout for the update service (`getUpdatesTimeout`), in ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60 * 60 * 1000;

/** Sent as `User-Agent` unless the caller gives one. */
export const DEFAULT_USER_AGENT = 'machine-fleet-cluster-version-operator';

/** The update service's public endpoint (`pkg/cvo/availableupdates.go`), for callers that default spec.upstream. */
export const DEFAULT_UPSTREAM = 'https://api.openshift.com/api/upgrades_info/v1/graph';

/** The part of WHATWG fetch this client uses, so tests and proxies can inject their own. */
export type FetchLike = (
  url: string,
  init: { readonly method: 'GET'; readonly headers: Record<string, string>; readonly signal: AbortSignal },
) => Promise<{ readonly status: number; readonly statusText: string; text(): Promise<string> }>;

export interface UpdateGraphClientOptions {
  /** Default: undici's fetch (with `ca` when given). */
  readonly fetch?: FetchLike;
  /** PEM CA bundle trusted for an https upstream (the cluster's trusted CA); only with the default fetch. */
  readonly ca?: string | Buffer;
  readonly userAgent?: string;
  /** Default DEFAULT_REQUEST_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

export interface UpdateQuery {
  readonly upstream: string;
  readonly channel: string;
  /** Cincinnati's arch: a GOARCH ("amd64", "arm64") or "multi". */
  readonly arch: string;
  /** The version the cluster is reconciling. */
  readonly version: string;
  /** spec.clusterID, sent as `id=`; an RFC 4122 version-4 UUID. */
  readonly id?: string;
}

/** What one fetch returns: the contract's lists, plus the current node and what was pruned. */
export interface RetrievedUpdates extends AvailableUpdates {
  /** The current version's own node (url, channels), for filling gaps in status.desired. */
  readonly current: GraphRelease;
  readonly warnings: readonly string[];
}

export interface CincinnatiClient extends UpdateGraphClient {
  fetch(input: UpdateQuery, signal: AbortSignal): Promise<RetrievedUpdates>;
}

// lib/validation requires a version-4, RFC 4122-variant UUID for spec.clusterID.
const UUID_V4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function createUpdateGraphClient(options: UpdateGraphClientOptions = {}): CincinnatiClient {
  if (options.fetch && options.ca !== undefined) {
    throw new TypeError('createUpdateGraphClient: "ca" only applies to the default fetch; configure TLS in the given fetch instead');
  }
  const doFetch = options.fetch ?? defaultFetch(options.ca);
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;

  return {
    async fetch(input, signal) {
      const url = requestUrl(input);
      let status: number;
      let statusText: string;
      let body: string;
      try {
        const response = await doFetch(url, {
          method: 'GET',
          headers: { Accept: 'application/json', 'User-Agent': userAgent },
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        status = response.status;
        statusText = response.statusText;
        body = await response.text().catch((err: unknown) => {
          throw new UpdateRetrievalError('ResponseFailed', `reading the response: ${describe(err)}`, { cause: err });
        });
      } catch (err) {
        // The caller's abort (the poller switching queries) is not a verdict on the upstream.
        if (signal.aborted) throw signal.reason;
        if (err instanceof UpdateRetrievalError) throw err;
        throw new UpdateRetrievalError('RemoteFailed', `GET ${redact(url)}: ${describe(err)}`, { cause: err });
      }
      if (status !== 200) {
        throw new UpdateRetrievalError('ResponseFailed', `unexpected HTTP status: ${status} ${statusText}${cincinnatiErrorSuffix(body)}`);
      }
      const selection = selectUpdates(parseUpdateGraph(body), input.version, input.channel);
      return {
        current: selection.current,
        updates: selection.updates,
        conditionalUpdates: selection.conditionalUpdates,
        warnings: selection.warnings,
      };
    },
  };
}

/**
 * The request URL, after the CVO's local checks in its order (calculateAvailableUpdatesStatus); each failure
 * carries the CVO's reason and message. Existing query parameters of `upstream` are kept.
 */
export function requestUrl(input: UpdateQuery): string {
  if (input.upstream === '') throw new UpdateRetrievalError('NoUpstream', 'No upstream server has been set to retrieve updates.');
  let url: URL;
  try {
    url = new URL(input.upstream);
  } catch (err) {
    throw new UpdateRetrievalError('InvalidURI', `failed to parse upstream URL: ${JSON.stringify(input.upstream)} is not an absolute URL`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UpdateRetrievalError('InvalidURI', `failed to parse upstream URL: scheme ${JSON.stringify(url.protocol)} is not http: or https:`);
  }
  if (input.id !== undefined && input.id !== '' && !UUID_V4_RE.test(input.id)) {
    throw new UpdateRetrievalError('InvalidID', `invalid cluster ID: ${JSON.stringify(input.id)} must be an RFC4122-variant version-4 UUID`);
  }
  if (input.arch === '') throw new UpdateRetrievalError('NoArchitecture', 'The set of architectures has not been configured.');
  if (input.version === '') {
    throw new UpdateRetrievalError(
      'NoCurrentVersion',
      'The cluster version does not have a semantic version assigned and cannot calculate valid upgrades.',
    );
  }
  if (input.channel === '') throw new UpdateRetrievalError('NoChannel', 'The update channel has not been configured.');
  if (!isSemVer(input.version)) {
    throw new UpdateRetrievalError(
      'InvalidCurrentVersion',
      `The current cluster version ${JSON.stringify(input.version)} is not a valid semantic version and cannot be used to calculate upgrades.`,
    );
  }
  url.searchParams.set('arch', input.arch);
  url.searchParams.set('channel', input.channel);
  if (input.id) url.searchParams.set('id', input.id);
  url.searchParams.set('version', input.version);
  return url.toString();
}

/** Node's `process.arch` as the GOARCH name Cincinnati expects (the CVO sends runtime.GOARCH). */
export function goArch(nodeArch: string = process.arch): string {
  const names: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return names[nodeArch] ?? nodeArch;
}

function defaultFetch(ca: string | Buffer | undefined): FetchLike {
  const dispatcher = ca === undefined ? undefined : new Agent({ connect: { ca } });
  return (url, init) => undiciFetch(url, { ...init, ...(dispatcher ? { dispatcher } : {}) });
}

/** Cincinnati answers errors as `{kind, value}` (commons/src/errors.rs); quote it when present. */
function cincinnatiErrorSuffix(body: string): string {
  try {
    const doc = JSON.parse(body) as unknown;
    if (typeof doc === 'object' && doc !== null && 'kind' in doc && 'value' in doc) {
      return `: ${String(doc.kind)}: ${String(doc.value)}`;
    }
  } catch {
    // Not Cincinnati's JSON error (a proxy's HTML page, say): the status alone says enough.
  }
  return '';
}

/** undici reports "fetch failed" and keeps the useful part (ECONNREFUSED, certificate errors) in `cause`. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

/** The cluster ID identifies the customer: keep it out of condition messages and logs. */
function redact(url: string): string {
  const u = new URL(url);
  if (u.searchParams.has('id')) u.searchParams.set('id', 'REDACTED');
  if (u.password) u.password = 'REDACTED';
  return u.toString();
}
