// Integration harness for the Machine API controllers (shared/STYLE.md "Tests"): one embedded API server per suite
// with the CRDs of crds/, one namespace per test, and the controllers under test running on the operator's real
// caches. Faults are injected by wrapping the client or a cache's ListerWatcher, never by mocking the server.
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import { startTestServer, type TestServer } from '../../test/support/dev-server.ts';
import { installMachineCrds } from '../../test/support/machine-crds.ts';
import type { Machine } from '../api/machine-v1beta1.ts';
import { Cache } from '../runtime/cache.ts';
import type { Controller } from '../runtime/controller.ts';
import { kubeJson } from '../runtime/kube-http.ts';
import type { ResourceClient } from '../runtime/resource-client.ts';
import { kubeListerWatcher, type ListerWatcher } from '../runtime/watcher.ts';
import { MACHINES, type MachineApiContext } from './context.ts';
import { buildMachineApiContext, cachesOf, MACHINE_INDEXERS } from './operator.ts';
import { resourcePath } from '../runtime/resource-client.ts';

export interface MachineApiTestCluster {
  readonly server: TestServer;
  readonly kc: KubeConfig;
  /** A fresh namespace for one test. */
  namespace(): Promise<string>;
  stop(): Promise<void>;
}

export async function startMachineApiTestCluster(): Promise<MachineApiTestCluster> {
  const server = await startTestServer({ ephemeral: true });
  const kc = new KubeConfig();
  kc.loadFromFile(server.api.kubeconfigPath);
  await installMachineCrds(kc);
  let count = 0;
  return {
    server,
    kc,
    async namespace() {
      const name = `mapi-it-${process.pid}-${++count}`;
      await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } });
      return name;
    },
    stop: () => server.stop(),
  };
}

export interface RunOptions {
  /** Wraps the writer the controllers use (fault and latency injection). */
  readonly wrapClient?: (client: ResourceClient) => ResourceClient;
  /** Wraps the machines cache's list+watch (e.g. to make the cache lag behind the server). */
  readonly wrapMachinesListerWatcher?: (lw: ListerWatcher<Machine>) => ListerWatcher<Machine>;
}

export interface RunningControllers {
  readonly context: MachineApiContext;
  readonly registry: Registry;
  stop(): Promise<void>;
}

/** Starts the caches of a context for `namespace` and the controllers `build` makes from it. */
export async function runControllers(
  kc: KubeConfig,
  namespace: string,
  build: (ctx: MachineApiContext) => readonly Controller[],
  options: RunOptions = {},
): Promise<RunningControllers> {
  const registry = new Registry();
  const base = buildMachineApiContext(kc, { namespace, providers: [], registry });
  const machines = options.wrapMachinesListerWatcher
    ? new Cache<Machine>(options.wrapMachinesListerWatcher(kubeListerWatcher<Machine>(kc, resourcePath(MACHINES, namespace))), { name: 'machines', indexers: MACHINE_INDEXERS })
    : base.caches.machines;
  const context: MachineApiContext = {
    ...base,
    caches: { ...base.caches, machines },
    client: options.wrapClient ? options.wrapClient(base.client) : base.client,
  };
  const stop = new AbortController();
  const running = [...cachesOf(context), ...build(context)].map((r) => r.start(stop.signal));
  await Promise.all(cachesOf(context).map((c) => c.store.waitForSync(AbortSignal.timeout(5_000))));
  return {
    context,
    registry,
    async stop() {
      stop.abort();
      await Promise.all(running);
      await context.recorder.flush();
    },
  };
}

/** controller_runtime_reconcile_total of one controller, all results summed. */
export async function reconcileCount(registry: Registry, controller: string): Promise<number> {
  const metric = await registry.getSingleMetric('controller_runtime_reconcile_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels.controller === controller).reduce((sum, v) => sum + v.value, 0);
}
