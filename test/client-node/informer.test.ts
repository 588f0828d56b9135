// client-node 2.x informers against the embedded server (shared/reference/apiserver.md §0 finding 6, §7.3,
// §13 item 14): initial list → ADD, live changes, the 30 s idle reconnect at the last resourceVersion, 410 after
// history is gone → relist, and selector transitions → ADDED/DELETED.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CoreV1Api, KubeConfig, ListWatch, makeInformer, PatchStrategy, setHeaderOptions, Watch,
  type Informer, type ObjectCache, type V1ConfigMap,
} from '@kubernetes/client-node';
import { waitFor } from '../../operators/runtime/wait.ts';
import { startTestServer, type TestServer } from '../support/dev-server.ts';

type ConfigMapInformer = Informer<V1ConfigMap> & ObjectCache<V1ConfigMap>;

interface InformerEvent {
  type: 'add' | 'update' | 'delete';
  name: string;
  data: Record<string, string> | undefined;
}

/** What an informer reported: its events in order, its (re)connects, and errors other than the stop() abort. */
class InformerLog {
  readonly events: InformerEvent[] = [];
  readonly errors: unknown[] = [];
  connects = 0;
  private stopped = false;
  private readonly informer: ConfigMapInformer;

  constructor(informer: ConfigMapInformer) {
    this.informer = informer;
    for (const type of ['add', 'update', 'delete'] as const) {
      informer.on(type, (cm) => this.events.push({ type, name: cm.metadata?.name ?? '', data: cm.data }));
    }
    informer.on('connect', () => this.connects++);
    // stop() fires `error` with an AbortError (ts-ecosystem.md §1.2); anything else is the informer giving up.
    informer.on('error', (err) => {
      if (!this.stopped) this.errors.push(err);
    });
  }

  names(type: InformerEvent['type']): string[] {
    return this.events.filter((e) => e.type === type).map((e) => e.name);
  }

  /** Waits until an event of this type for this object has been delivered (and `matches` holds, if given). */
  async waitForEvent(type: InformerEvent['type'], name: string, matches: (e: InformerEvent) => boolean = () => true, timeoutMs = 5_000): Promise<void> {
    await waitFor(() => {
      assert.deepEqual(this.errors, [], 'the informer stopped with an error');
      return this.events.some((e) => e.type === type && e.name === name && matches(e));
    }, { timeoutMs, message: `informer ${type} of ${name}` });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.informer.stop();
  }
}

async function createNamespace(core: CoreV1Api, name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
}

function configMapsPath(namespace: string): string {
  return `/api/v1/namespaces/${namespace}/configmaps`;
}

function mergePatch(core: CoreV1Api, namespace: string, name: string, body: object): Promise<V1ConfigMap> {
  return core.patchNamespacedConfigMap({ namespace, name, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

describe('client-node informers against the embedded server', function () {
  let server: TestServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  const logs: InformerLog[] = [];

  function startLogged(informer: ConfigMapInformer): InformerLog {
    const log = new InformerLog(informer);
    logs.push(log);
    return log;
  }

  before(async () => {
    server = await startTestServer();
    kc = new KubeConfig();
    kc.loadFromFile(server.api.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
  });

  after(async () => {
    for (const log of logs) await log.stop();
    await server?.stop();
  });

  it('delivers the initial list as ADD events, then live updates and deletes', async () => {
    const ns = 'inf-basic';
    await createNamespace(core, ns);
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'a' }, data: { v: '1' } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'b' }, data: { v: '1' } } });
    const informer = makeInformer<V1ConfigMap>(kc, configMapsPath(ns), () => core.listNamespacedConfigMap({ namespace: ns }));
    const log = startLogged(informer);
    await informer.start();
    await log.waitForEvent('add', 'b');
    assert.deepEqual(log.names('add'), ['a', 'b']);

    await mergePatch(core, ns, 'a', { data: { v: '2' } });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'b' });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'c' } } });
    await log.waitForEvent('add', 'c');
    assert.deepEqual(log.events.map((e) => `${e.type} ${e.name}`), ['add a', 'add b', 'update a', 'delete b', 'add c']);
    assert.deepEqual(informer.get('a', ns)?.data, { v: '2' });
    assert.deepEqual(informer.list(ns).map((cm) => cm.metadata?.name).sort(), ['a', 'c']);
  });

  it('turns a label selector transition into ADDED when an object starts matching and DELETED when it stops', async () => {
    const ns = 'inf-selector';
    await createNamespace(core, ns);
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'other', labels: { app: 'db' } } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'web1', labels: { app: 'web' } } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'mover' } } });
    const informer = makeInformer<V1ConfigMap>(kc, configMapsPath(ns),
      () => core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'app=web' }), 'app=web');
    const log = startLogged(informer);
    await informer.start();
    await log.waitForEvent('add', 'web1');

    await mergePatch(core, ns, 'mover', { metadata: { labels: { app: 'web' } } });
    await log.waitForEvent('add', 'mover');
    await mergePatch(core, ns, 'mover', { data: { touched: 'yes' } });
    await log.waitForEvent('update', 'mover');
    await mergePatch(core, ns, 'mover', { metadata: { labels: { app: 'db' } } });
    await log.waitForEvent('delete', 'mover');
    await mergePatch(core, ns, 'other', { data: { ignored: 'yes' } });
    await mergePatch(core, ns, 'mover', { metadata: { labels: { app: 'web' } } });
    await log.waitForEvent('add', 'mover', (e) => e.data?.touched === 'yes' && log.names('add').length === 3);

    assert.deepEqual(log.events.map((e) => `${e.type} ${e.name}`), ['add web1', 'add mover', 'update mover', 'delete mover', 'add mover']);
    assert.deepEqual(informer.list(ns).map((cm) => cm.metadata?.name).sort(), ['mover', 'web1']);
  });

  it('relists after a restart has dropped the watch history: 410, then changes made while away are seen', async () => {
    const ns = 'inf-gone';
    await createNamespace(core, ns);
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'keep' }, data: { v: 'old' } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'gone' } } });
    const watch = new GatedWatch(kc);
    let lists = 0;
    // What makeInformer builds, with a Watch that can hold the reconnect back so "while away" is a fact.
    const informer = new ListWatch<V1ConfigMap>(configMapsPath(ns), watch, () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: ns });
    }, false);
    const log = startLogged(informer);
    await informer.start();
    await log.waitForEvent('add', 'gone');
    const seenRv = informer.latestResourceVersion();

    // A write the informer does not see moves the store past its resourceVersion; a restart then keeps only
    // history from the current revision on, so a watch from seenRv can only be answered with 410.
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'elsewhere' } } });
    server.api.compactHistory();
    watch.hold();
    await server.restart();
    // The server closed the stream; the informer's reconnect from seenRv is now parked in the gate.
    await waitFor(() => watch.parked, { message: 'the informer to reconnect after the restart' });
    assert.deepEqual(log.errors, [], 'the restart must end the watch cleanly, not fail the informer');

    await mergePatch(core, ns, 'keep', { data: { v: 'new' } });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'gone' });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'fresh' } } });
    assert.deepEqual(log.names('delete'), [], 'nothing reaches the informer while it is away');
    watch.release();

    await log.waitForEvent('add', 'fresh');
    await log.waitForEvent('update', 'keep', (e) => e.data?.v === 'new');
    await log.waitForEvent('delete', 'gone');
    assert.deepEqual(watch.errorEvents, [{ code: 410, reason: 'Expired', message: `too old resource version: ${seenRv} (${Number(seenRv) + 1})` }]);
    assert.equal(lists, 2, 'one initial list and one relist');
    assert.equal(informer.get('gone', ns), undefined);
    assert.deepEqual(informer.list(ns).map((cm) => cm.metadata?.name).sort(), ['fresh', 'keep']);
    await waitFor(() => watch.resourceVersions.length === 3, { message: 'the watch after the relist' });
    const [first, parked, relisted] = watch.resourceVersions;
    assert.deepEqual([first, parked], [seenRv, seenRv], 'watched from the list, then reconnected from the same resourceVersion');
    assert.ok(Number(relisted) > Number(seenRv), `the watch after the relist starts at the new list's resourceVersion, not ${relisted}`);
  });

  it('keeps watching across client-node\'s 30 s idle reconnect without duplicate ADDs, and delivers a later change', async function () {
    this.timeout(60_000);
    const ns = 'inf-idle';
    await createNamespace(core, ns);
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x' }, data: { v: '1' } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'y' }, data: { v: '1' } } });
    let lists = 0;
    const informer = makeInformer<V1ConfigMap>(kc, configMapsPath(ns), () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: ns });
    });
    assert.ok(informer instanceof ListWatch, 'makeInformer builds a ListWatch');
    const log = startLogged(informer);
    await informer.start();
    await log.waitForEvent('add', 'y');
    const rv = informer.latestResourceVersion();

    // Nothing happens on this watch for longer than client-node's 30 s inactivity timeout: the idle period itself is
    // what is tested, so this wait is a plain sleep.
    await sleep(35_000);
    assert.ok(log.connects >= 2, `expected a reconnect after 30 s idle, saw ${log.connects} connect(s)`);
    assert.equal(lists, 1, 'the reconnect resumed from the last resourceVersion instead of relisting');
    assert.equal(informer.latestResourceVersion(), rv);

    await mergePatch(core, ns, 'x', { data: { v: '2' } });
    await log.waitForEvent('update', 'x', (e) => e.data?.v === '2');
    assert.deepEqual(log.events.map((e) => `${e.type} ${e.name}`), ['add x', 'add y', 'update x']);
    assert.deepEqual(log.errors, []);
  });
});

/**
 * A client-node Watch whose new connections can be held back (to keep an informer away from the server while
 * the test changes things), and which records each watch's resourceVersion and the ERROR events it received.
 */
class GatedWatch extends Watch {
  readonly resourceVersions: string[] = [];
  readonly errorEvents: { code: unknown; reason: unknown; message: unknown }[] = [];
  parked = false;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  override async watch(path: string, queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void, done: (err: any) => void): Promise<AbortController> {
    if (this.gate) {
      this.parked = true;
      await this.gate;
      this.parked = false;
    }
    this.resourceVersions.push(String(queryParams.resourceVersion ?? ''));
    return super.watch(path, queryParams, (phase, obj, raw) => {
      if (phase === 'ERROR') this.errorEvents.push({ code: obj?.code, reason: obj?.reason, message: obj?.message });
      callback(phase, obj, raw);
    }, done);
  }
}
