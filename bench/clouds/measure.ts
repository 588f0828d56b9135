// One cloud's Machine API, measured in this process: the embedded API server, the Machine API controllers on the
// operator's caches (machine, drain, nodelink, MachineSet, MachineSet capacity) with the cloud's real provider
// pointed at its emulator (test/e2e/clouds/emulators.ts), and a NodeJoiner standing in for the kubelets. A fleet is
// one MachineSet taken through three phases while the emulator counts the cloud calls of each:
//   to Running   from creating the MachineSet until every Machine is Running with a nodeRef;
//   steady state a window of whole resync periods once the fleet has settled, the Running resync shortened to
//                `resyncMs` so the window holds several (the calls are per resync, so they scale to the real one);
//   delete       from deleting the MachineSet until its Machines are gone (finalizers released: each instance
//                confirmed gone) and no live instance is left.
import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';
import { INSTANCE_STATE_ANNOTATION, MACHINE_API_NAMESPACE, MACHINE_SET_LABEL, type Machine } from '../../operators/api/machine-v1beta1.ts';
import { isAlreadyExists } from '../../operators/runtime/errors.ts';
import { createLogger, discardLogger, type LogLevel } from '../../operators/runtime/log.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import { sleep, waitFor } from '../../operators/runtime/wait.ts';
import { drainController } from '../../operators/machine-api/drain/controller.ts';
import { runControllers, type RunningControllers } from '../../operators/machine-api/integration.test-util.ts';
import { machineController } from '../../operators/machine-api/machine/controller.ts';
import { machineSetCapacityController } from '../../operators/machine-api/machineset/capacity-annotations.ts';
import { machineSetController } from '../../operators/machine-api/machineset/controller.ts';
import { nodeLinkController } from '../../operators/machine-api/nodelink/controller.ts';
import { secretReader } from '../../operators/machine-api/operator.ts';
import { providerRegistry } from '../../operators/machine-api/providers/index.ts';
import type { EmulatedCloud } from '../../test/e2e/clouds/emulators.ts';
import { MACHINES_PATH, MACHINE_SETS_PATH } from '../machine-api/machine-set.ts';
import { RunningWatch } from '../machine-api/running-watch.ts';
import { callCounter, type CallCounter, type CloudCalls } from './call-counter.ts';
import { NodeJoiner } from './node-joiner.ts';

/** Floor of the controllers' requeues, in ms: the emulators' instances change state within a second. */
const MIN_REQUEUE_MS = 200;
/** After the fleet is Running, how long its own status writes and echoes get to die down before the window, in ms. */
const SETTLE_MS = 2_000;
const POLL_MS = 100;
/** BENCH_LOG=debug|info|warn|error: the controllers' log on stderr (default: none). */
const logger = process.env.BENCH_LOG ? createLogger({ level: process.env.BENCH_LOG as LogLevel, sink: (line) => process.stderr.write(`${line}\n`) }) : discardLogger;

export interface Phase {
  readonly calls: CloudCalls;
  readonly seconds: number;
}

export interface FleetMeasurement {
  readonly machines: number;
  readonly toRunning: Phase;
  /** `resyncs` Running resyncs of every Machine fit in the window. */
  readonly steady: Phase & { readonly resyncs: number };
  readonly delete: Phase;
}

export interface CloudBench {
  readonly cloud: EmulatedCloud;
  measureFleet(name: string, replicas: number, options: { readonly steadyResyncs: number; readonly timeoutMs: number }): Promise<FleetMeasurement>;
  stop(): Promise<void>;
}

/** The controllers for `cloud` on the API server of `kc`, the cloud's Secrets applied, and the NodeJoiner. */
export async function startCloudBench(kc: KubeConfig, cloud: EmulatedCloud, resyncMs: number): Promise<CloudBench> {
  await ensureNamespace(kc, MACHINE_API_NAMESPACE);
  for (const secret of cloud.secrets()) {
    await kubeJson(kc, `/api/v1/namespaces/${MACHINE_API_NAMESPACE}/secrets`, { method: 'POST', body: secret }).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
  }
  const running: RunningControllers = await runControllers(kc, MACHINE_API_NAMESPACE, (base) => {
    const ctx = { ...base, logger, providers: providerRegistry([cloud.provider], secretReader(base.client)) };
    const floor = { minRequeueAfterMs: MIN_REQUEUE_MS };
    return [
      machineController(ctx, { ...floor, runningResyncMs: resyncMs }),
      drainController(ctx, floor),
      nodeLinkController(ctx, floor),
      machineSetController(ctx, floor),
      machineSetCapacityController(ctx, floor),
    ];
  });
  const joiner = new NodeJoiner(kc);
  joiner.start(running.context.caches.machines);
  const counter = callCounter(cloud);
  return {
    cloud,
    measureFleet: (name, replicas, options) => measureFleet({ kc, cloud, counter, joiner }, name, replicas, { ...options, resyncMs }),
    async stop() {
      joiner.stop();
      await running.stop();
    },
  };
}

interface FleetDeps {
  readonly kc: KubeConfig;
  readonly cloud: EmulatedCloud;
  readonly counter: CallCounter;
  readonly joiner: NodeJoiner;
}

async function measureFleet(deps: FleetDeps, name: string, replicas: number, options: { steadyResyncs: number; timeoutMs: number; resyncMs: number }): Promise<FleetMeasurement> {
  const { kc, cloud, counter, joiner } = deps;
  const phase = async (work: () => Promise<void>): Promise<Phase> => {
    counter.reset();
    const started = performance.now();
    await work();
    return { calls: counter.read(), seconds: (performance.now() - started) / 1000 };
  };

  const machinesOfSet = async () => (await kubeJson<{ items: Machine[] }>(kc, `${MACHINES_PATH}?labelSelector=${encodeURIComponent(`${MACHINE_SET_LABEL}=${name}`)}`)).items;
  const watch = new RunningWatch();
  await watch.start(kc);
  const toRunning = await phase(async () => {
    await kubeJson(kc, MACHINE_SETS_PATH, { method: 'POST', body: cloud.machineSet(name, replicas) });
    await watch.waitForRunning(replicas, options.timeoutMs).catch(async (err: unknown) => {
      const seen = (await machinesOfSet()).map((m) => `${m.metadata.name}: ${m.status?.phase ?? 'no phase'}, ${m.metadata.annotations?.[INSTANCE_STATE_ANNOTATION] ?? 'no instance state'}, node ${m.status?.nodeRef?.name ?? 'none'}`);
      const joins = joiner.errors.length > 0 ? `; Node registration: ${joiner.errors.join('; ')}` : '';
      throw new Error(`${cloud.name}: ${(err as Error).message} (${seen.join('; ')})${joins}`, { cause: err });
    });
  });
  await watch.stop();

  await sleep(SETTLE_MS);
  const steady = await phase(() => sleep(options.steadyResyncs * options.resyncMs));

  const deleted = await phase(async () => {
    await kubeJson(kc, `${MACHINE_SETS_PATH}/${name}`, { method: 'DELETE' });
    await waitFor(async () => (await machinesOfSet()).length === 0 && (await cloud.instances(name)).every((i) => !i.live), {
      timeoutMs: options.timeoutMs, intervalMs: POLL_MS, message: `${cloud.name}: the Machines and instances of ${name} to be gone`,
    });
  });
  return { machines: replicas, toRunning, steady: { ...steady, resyncs: options.steadyResyncs }, delete: deleted };
}

async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name } } });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
}
