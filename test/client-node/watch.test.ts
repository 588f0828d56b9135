// client-node's raw Watch against the embedded server (shared/reference/apiserver.md §7.3): a watch from a
// resourceVersion replays history without synthetic ADDED events, and one from before the retained history gets
// a single ERROR event with a 410 Status, after which the server closes the stream.
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { waitFor } from '../../operators/runtime/wait.ts';
import { startTestServer, type TestServer } from '../support/dev-server.ts';

interface WatchEvent {
  type: string;
  object: { kind?: string; code?: number; reason?: string; message?: string; metadata?: { name?: string; resourceVersion?: string } };
}

interface WatchRun {
  events: WatchEvent[];
  /** Resolves with the `done` callback's argument once the stream has ended. */
  ended: Promise<unknown>;
  controller: AbortController;
}

async function startWatch(kc: KubeConfig, path: string, resourceVersion: string): Promise<WatchRun> {
  const events: WatchEvent[] = [];
  let finish: (err: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (finish = resolve));
  const controller = await new Watch(kc).watch(path, { resourceVersion }, (type, object) => events.push({ type, object }), (err) => finish(err));
  return { events, ended, controller };
}

/** Resolves with the `done` argument, or rejects if the stream is still open after `ms`. */
function endedWithin(run: WatchRun, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the watch stream was still open after ${ms} ms`)), ms);
  });
  return Promise.race([run.ended, timeout]).finally(() => clearTimeout(timer));
}

describe('client-node Watch from a resourceVersion', function () {
  const ns = 'default';
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  let server: TestServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let createdRv: string;
  let modifiedRv: string;

  before(async () => {
    server = await startTestServer({ ephemeral: true });
    kc = new KubeConfig();
    kc.loadFromFile(server.api.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w' }, data: { v: '1' } } });
    createdRv = created.metadata?.resourceVersion ?? '';
    const modified = await core.replaceNamespacedConfigMap({ namespace: ns, name: 'w', body: { ...created, data: { v: '2' } } });
    modifiedRv = modified.metadata?.resourceVersion ?? '';
  });

  after(async () => {
    await server?.stop();
  });

  it('replays the events after that resourceVersion from history, without synthetic ADDED events', async () => {
    const run = await startWatch(kc, path, createdRv);
    try {
      await waitFor(() => run.events.length > 0, { message: 'the replayed event' });
      assert.deepEqual(run.events.map((e) => [e.type, e.object.metadata?.name, e.object.metadata?.resourceVersion]), [['MODIFIED', 'w', modifiedRv]]);
    } finally {
      run.controller.abort();
    }
  });

  it('answers a resourceVersion older than the retained history with one ERROR 410 event and closes the stream', async () => {
    server.api.compactHistory();
    const run = await startWatch(kc, path, createdRv);
    const err = await endedWithin(run, 5_000);
    assert.equal(err, null, 'the server closed the stream; the client did not time out or fail');
    assert.deepEqual(run.events, [{
      type: 'ERROR',
      object: {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410,
        message: `too old resource version: ${createdRv} (${modifiedRv})`,
      },
    }]);
  });
});
