// What every refused request must get back (shared/reference/apiserver.md §1 H1, H2): a metav1.Status JSON body
// whose code matches the HTTP status, with Content-Type application/json; unmatched paths alone get kube-apiserver's
// plain-text 404.
import assert from 'node:assert/strict';
import type { RawResponse } from '../support/raw-client.ts';

export interface StatusBody {
  kind: string;
  apiVersion: string;
  metadata: object;
  status: string;
  message: string;
  reason?: string;
  code: number;
}

/** kube-apiserver answers 500 to a create that carries metadata.resourceVersion (rest.BeforeCreate); nothing else. */
export const CREATE_WITH_RESOURCE_VERSION = 'Internal error occurred: resourceVersion should not be set on objects to be created';

/** Asserts a well-formed Status error response (4xx unless `code` says otherwise) and returns its body. */
export function assertStatusResponse(res: RawResponse, what: string, code?: number | readonly number[]): StatusBody {
  const context = `${what} → ${res.status} ${res.text.slice(0, 300)}`;
  if (code === undefined) assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx answer: ${context}`);
  else if (typeof code === 'number') assert.equal(res.status, code, context);
  else assert.ok(code.includes(res.status), `expected one of ${code.join(', ')}: ${context}`);
  assert.match(String(res.headers['content-type']), /^application\/json\b/, `Content-Type of ${context}`);
  let body: StatusBody;
  try {
    body = JSON.parse(res.text) as StatusBody;
  } catch {
    assert.fail(`the body is not JSON: ${context}`);
  }
  assert.equal(body.kind, 'Status', context);
  assert.equal(body.apiVersion, 'v1', context);
  assert.equal(body.status, 'Failure', context);
  assert.equal(body.code, res.status, context);
  assert.equal(typeof body.metadata, 'object', context);
  assert.equal(typeof body.message, 'string', context);
  assert.ok(body.message.length > 0, `empty message: ${context}`);
  return body;
}

/** kube-apiserver's answer for a path no handler serves (not-found delegate; reference §1 H2). */
export function assertPlainNotFound(res: RawResponse, what: string): void {
  assert.equal(res.status, 404, `${what} → ${res.status} ${res.text.slice(0, 200)}`);
  assert.match(String(res.headers['content-type']), /^text\/plain\b/, what);
  assert.equal(res.text, '404 page not found\n', what);
}

/**
 * A fuzzed request may succeed (2xx, the mutation happened to be valid) or be refused with a proper Status;
 * the only 5xx allowed is kube-apiserver's own 500 for a create carrying a resourceVersion.
 */
export function assertAcceptedOrStatus(res: RawResponse, what: string): void {
  if (res.status >= 200 && res.status < 300) {
    assert.match(String(res.headers['content-type']), /^application\/json\b/, `${what} → ${res.status}`);
    JSON.parse(res.text);
    return;
  }
  if (res.status === 500) {
    const body = assertStatusResponse(res, what, 500);
    assert.equal(body.message, CREATE_WITH_RESOURCE_VERSION, what);
    return;
  }
  assertStatusResponse(res, what);
}
