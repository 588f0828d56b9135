// Parses a resource request path the way kube-apiserver's RequestInfoFactory does
// (shared/reference/apiserver.md §4.1): /api/v1/..., /apis/<group>/<version>/...
export interface RequestInfo {
  group: string;
  version: string;
  /** Empty for cluster-scoped requests and all-namespace lists. */
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
}

/** Returns undefined for paths that are not resource requests (discovery, /version, …). */
export function parseResourcePath(pathname: string): RequestInfo | undefined {
  let parts: string[];
  try {
    parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  } catch {
    return undefined; // a malformed %-escape names nothing: the not-found delegate answers
  }
  let rest: string[];
  let group = '';
  let version: string;
  if (parts[0] === 'api') {
    if (parts.length < 3) return undefined;
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length < 4) return undefined;
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let namespace = '';
  // "namespaces/<ns>/<resource>..." names a namespace only when a resource follows; otherwise "namespaces"
  // is itself the resource (/api/v1/namespaces/<name>[/status|/finalize]).
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length > 3) return undefined;
  return { group, version, namespace, resource: rest[0], name: rest[1] ?? '', subresource: rest[2] ?? '' };
}

/**
 * The verb of a resource request (k8s.io/apiserver pkg/endpoints/request/requestinfo.go), as authorization, the audit
 * log and apiserver_request_total name it: GET/HEAD of a named object is get, of a collection list, or watch with
 * `watch=true|1`; DELETE of a collection is deletecollection; other methods are their lower-cased name.
 */
export function requestVerb(method: string, named: boolean, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const watch = query.get('watch');
      if (watch === 'true' || watch === '1') return 'watch';
      return named ? 'get' : 'list';
    }
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
