import assert from 'node:assert/strict';
import { ApiError, apiErrorFromBody, type ApiClient } from './client.ts';
import { ObjectCache } from './object-cache.ts';
import { LineSplitter, retryDelayMs, runListWatch, RETRY_MAX_MS } from './watch.ts';

const obj = (name: string, rv: string) => ({ metadata: { namespace: 'ns', name, resourceVersion: rv } });
const line = (type: string, object: unknown) => `${JSON.stringify({ type, object })}\n`;

/** A response whose body arrives in the given chunks, then ends (or stays open when `hang`). */
function streamed(chunks: string[], hang = false): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
      if (!hang) controller.close();
    },
  });
  return new Response(body, { status: 200 });
}

describe('console list+watch', () => {
  it('splits a stream into lines, keeping a line cut across chunks until its end', () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push('{"a":1}\n{"b"'), ['{"a":1}']);
    assert.deepEqual(s.push(':2}\n\n'), ['{"b":2}']);
  });

  it('resumes from the last resourceVersion when a watch ends, and lists again after a 410 ERROR event', async () => {
    const abort = new AbortController();
    const lists = [{ metadata: { resourceVersion: '5' }, items: [obj('a', '4')] }, { metadata: { resourceVersion: '20' }, items: [obj('c', '19')] }];
    const watches: string[] = [];
    const responses = [
      () => streamed([line('ADDED', obj('b', '6')), line('BOOKMARK', { metadata: { resourceVersion: '8' } })]),
      () => streamed([line('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version: 8 (15)' })]),
      () => { abort.abort(); return streamed([], true); },
    ];
    const client: ApiClient = {
      request: async <T>() => lists.shift() as T,
      stream: async (path) => { watches.push(new URL(path, 'http://x').searchParams.get('resourceVersion')!); return responses.shift()!(); },
    };
    const cache = new ObjectCache<ReturnType<typeof obj>>((fn) => setTimeout(fn, 0));
    await runListWatch(client, '/apis/g/v1/things', '', cache, abort.signal);
    assert.deepEqual(watches, ['5', '8', '20']);
    assert.deepEqual(cache.getState().items.map((o) => o.metadata.name), ['c']);
  });

  it('shows a refused list as the Status message and retries it', async () => {
    const abort = new AbortController();
    let calls = 0;
    const cache = new ObjectCache<ReturnType<typeof obj>>((fn) => setTimeout(fn, 0));
    const client: ApiClient = {
      request: async () => {
        calls += 1;
        if (calls === 2) abort.abort();
        throw apiErrorFromBody(403, 'Forbidden', JSON.stringify({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'machines.machine.openshift.io is forbidden: User "alice" cannot list resource "machines"' }));
      },
      stream: async () => { throw new Error('not reached'); },
    };
    await runListWatch(client, '/x', '', cache, abort.signal);
    const error = cache.getState().error;
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 403);
    assert.equal(error.message, 'machines.machine.openshift.io is forbidden: User "alice" cannot list resource "machines"');
  });

  it('backs off exponentially up to the cap', () => {
    assert.deepEqual([1, 2, 3].map(retryDelayMs), [500, 1000, 2000]);
    assert.equal(retryDelayMs(50), RETRY_MAX_MS);
  });

  it('turns a non-Status error body into its text, and an HTML page into the HTTP status', () => {
    assert.equal(apiErrorFromBody(404, 'Not Found', '404 page not found\n').message, '404 page not found');
    assert.equal(apiErrorFromBody(502, 'Bad Gateway', '<html>proxy</html>').message, '502 Bad Gateway');
  });
});
