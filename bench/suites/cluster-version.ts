// Cluster-version operator figures asked for by the issue:
// 1. Apply a 500-manifest payload: seconds from `spec.desiredUpdate` to history[0] Completed, for an update from a
//    one-manifest release to one of 500 manifests (bench/cluster-version/payload.ts), against the floor: the same
//    manifests applied directly with server-side apply, run level by run level, with the CVO's updating
//    parallelism (bench/cluster-version/floor.ts). Each on a fresh in-memory API server; RUNS runs, median.
// 2. API requests in reconciling mode when nothing drifts: after the update, the apply engine's requests (counted
//    through the operator's `request` wrapper) over an idle window at a short reconcile interval, per reconcile
//    pass and extrapolated to an hour at the default interval (2 min × [1, 2), mean 3 min).
// The payloads are real directories with real signatures (dev key), loaded and verified as in the dev cluster.
// Environment: BENCH_CVO_MANIFESTS (default 500), BENCH_CVO_RUNS (3), BENCH_CVO_IDLE_SECONDS (30).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { startApiServer, type ApiServerHandle } from '../../devcluster/apiserver/index.ts';
import { applyMachineApiCrds } from '../../devcluster/cluster.ts';
import { putConfigMap } from '../../devcluster/releases/cluster-version.ts';
import { signatureConfigMapFor, writeDemoPayload, type DemoRelease } from '../../devcluster/releases/demo-releases.ts';
import type { ClusterVersion } from '../../operators/api/config-v1.ts';
import { countingRequester, kubeRequester } from '../../operators/cluster-version/apply/requester.ts';
import { UPDATING_WORKERS } from '../../operators/cluster-version/apply/sync.ts';
import { buildClusterVersionOperator, kubeConfigMapReader } from '../../operators/cluster-version/operator.ts';
import { createPayloadSource } from '../../operators/cluster-version/payload/index.ts';
import { createSignatureVerifier, generateSigningKey, verificationConfigMap, type ConfigMap } from '../../operators/cluster-version/signatures/index.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import { waitFor } from '../../operators/runtime/wait.ts';
import { applyFloor } from '../cluster-version/floor.ts';
import { benchManifestFiles, benchManifests } from '../cluster-version/payload.ts';
import type { Figure, SuiteResult } from '../suite.ts';

const MANIFESTS = positiveInteger('BENCH_CVO_MANIFESTS', 500);
const RUNS = positiveInteger('BENCH_CVO_RUNS', 3);
const IDLE_SECONDS = positiveInteger('BENCH_CVO_IDLE_SECONDS', 30);
/** The reconcile interval during the benchmark, in ms: short, so that the idle window sees several passes. */
const RECONCILE_INTERVAL_MS = 5_000;
/** Mean of the CVO's default reconcile interval (2 min × [1, 2)), in ms. */
const DEFAULT_MEAN_RECONCILE_INTERVAL_MS = 180_000;
const UPDATE_TIMEOUT_MS = 5 * 60_000;
const CV_PATH = '/apis/config.openshift.io/v1/clusterversions/version';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${raw}" is not a positive integer`);
  return n;
}

function progress(message: string): void {
  process.stdout.write(`  ${message}\n`);
}

interface Releases {
  readonly base: DemoRelease;
  readonly target: DemoRelease;
  readonly trust: readonly ConfigMap[];
}

async function prepareReleases(dir: string): Promise<Releases> {
  const key = await generateSigningKey('bench release signing');
  const base = writeDemoPayload(join(dir, '4.1.0'), {
    version: '4.1.0',
    manifests: benchManifestFiles(benchManifests(1, '4.1.0')),
  });
  const target = writeDemoPayload(join(dir, '4.2.0'), { version: '4.2.0', previous: ['4.1.0'], manifests: benchManifestFiles(benchManifests(MANIFESTS, '4.2.0')) });
  const signatures = [await signatureConfigMapFor(base, key.privateKeyArmored), await signatureConfigMapFor(target, key.privateKeyArmored)];
  return { base, target, trust: [verificationConfigMap({ bench: key.publicKeyArmored }), ...signatures] };
}

async function freshServer(dataDir: string): Promise<{ api: ApiServerHandle; kc: KubeConfig }> {
  const api = await startApiServer({ dataDir, port: 0, ephemeral: true });
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfigPath);
  return { api, kc };
}

async function floorRun(dataDir: string): Promise<number> {
  const { api, kc } = await freshServer(dataDir);
  try {
    return await applyFloor(kc, benchManifests(MANIFESTS, '4.2.0'), UPDATING_WORKERS);
  } finally {
    await api.stop();
  }
}

interface OperatorRun {
  readonly seconds: number;
  readonly updateRequests: number;
  /** Only on the run that measured the idle window. */
  readonly idle?: { readonly requests: number; readonly seconds: number; readonly passes: number };
}

async function operatorRun(dataDir: string, releases: Releases, measureIdle: boolean): Promise<OperatorRun> {
  const { api, kc } = await freshServer(dataDir);
  const stop = new AbortController();
  let done: Promise<void> | undefined;
  try {
    await applyMachineApiCrds(kc);
    await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { metadata: { name: 'openshift-config-managed' } } });
    for (const cm of releases.trust) await putConfigMap(kc, cm);
    const counter = countingRequester(kubeRequester(kc));
    // Request times, to tell reconcile passes apart: a pass is a burst, passes are RECONCILE_INTERVAL_MS apart.
    const times: number[] = [];
    const request: typeof counter.request = (path, init) => {
      times.push(performance.now());
      return counter.request(path, init);
    };
    const total = () => Object.values(counter.counts()).reduce((a, b) => a + b, 0);
    const operator = buildClusterVersionOperator(kc, {
      payloadSource: createPayloadSource(),
      verifier: createSignatureVerifier({ readConfigMaps: kubeConfigMapReader(kc) }),
      initialRelease: { version: releases.base.version, image: releases.base.image },
      reconcileIntervalMs: RECONCILE_INTERVAL_MS,
      request,
    });
    done = operator.manager.start(stop.signal);
    const completed = (version: string) => waitFor(async () => {
      const cv = await kubeJson<ClusterVersion>(kc, CV_PATH).catch(() => undefined);
      const head = cv?.status?.history?.[0];
      return head?.state === 'Completed' && head.version === version;
    }, { timeoutMs: UPDATE_TIMEOUT_MS, intervalMs: 25, message: `${version} Completed` });
    await completed(releases.base.version);

    const before = total();
    const started = performance.now();
    await kubeJson(kc, CV_PATH, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { spec: { desiredUpdate: { version: releases.target.version, image: releases.target.image } } } });
    await completed(releases.target.version);
    const seconds = (performance.now() - started) / 1000;
    const updateRequests = total() - before;
    if (!measureIdle) return { seconds, updateRequests };

    // The first reconcile pass after the update may still settle things; the window opens after it.
    await new Promise((r) => setTimeout(r, RECONCILE_INTERVAL_MS * 1.5));
    const idleBefore = total();
    const idleStarted = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    const inWindow = times.filter((t) => t >= idleStarted);
    const passes = inWindow.filter((t, i) => i === 0 || t - inWindow[i - 1] > RECONCILE_INTERVAL_MS / 2).length;
    return { seconds, updateRequests, idle: { requests: total() - idleBefore, seconds: (performance.now() - idleStarted) / 1000, passes } };
  } finally {
    stop.abort();
    await done?.catch(() => undefined);
    await api.stop();
  }
}

export async function run(): Promise<SuiteResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-cvo-'));
  try {
    const releases = await prepareReleases(join(dataDir, 'releases'));
    const floors: number[] = [];
    const operators: OperatorRun[] = [];
    for (let i = 1; i <= RUNS; i++) {
      floors.push(await floorRun(join(dataDir, `floor-${i}`)));
      progress(`floor run ${i}: ${floors.at(-1)!.toFixed(2)} s`);
      operators.push(await operatorRun(join(dataDir, `cvo-${i}`), releases, i === RUNS));
      progress(`operator run ${i}: ${operators.at(-1)!.seconds.toFixed(2)} s, ${operators.at(-1)!.updateRequests} apply requests`);
    }
    const floor = spread(floors);
    const operator = spread(operators.map((r) => r.seconds));
    const idle = operators.at(-1)!.idle!;
    const perPass = idle.passes > 0 ? idle.requests / idle.passes : 0;
    const perHourDefault = perPass * (3_600_000 / DEFAULT_MEAN_RECONCILE_INTERVAL_MS);
    const figure = `apply ${MANIFESTS}-manifest payload`;
    const figures: Figure[] = [
      { figure, variant: 'operator', value: round(operator.median), unit: 's', detail: { runs: RUNS, min: round(operator.min), max: round(operator.max), applyRequests: operators.at(-1)!.updateRequests, ratioToFloor: round(operator.median / floor.median) } },
      { figure, variant: 'floor (direct SSA)', value: round(floor.median), unit: 's', detail: { runs: RUNS, min: round(floor.min), max: round(floor.max), parallelism: UPDATING_WORKERS } },
      { figure: 'reconciling API requests, nothing drifts', variant: 'operator', value: Math.round(perHourDefault), unit: 'req/h', detail: { perPass: round(perPass), windowSeconds: round(idle.seconds), windowRequests: idle.requests, passes: idle.passes, measuredIntervalMs: RECONCILE_INTERVAL_MS, perHourAtMeasuredInterval: Math.round(idle.requests * 3600 / idle.seconds) } },
    ];
    return {
      figures,
      notes: [
        `Update from a 1-manifest release to a ${MANIFESTS}-manifest one (5 run levels × 4 components; ConfigMaps, Secrets, Deployments), fresh in-memory API server per run; median of ${RUNS}.`,
        `Floor: the same manifests with server-side apply, components of a run level in parallel (${UPDATING_WORKERS} at most, the CVO's updating workers), levels in order.`,
        `Reconciling: apply-engine requests only (the \`request\` wrapper; cache watches and status writes are not counted), measured over ${IDLE_SECONDS} s at a ${RECONCILE_INTERVAL_MS / 1000} s interval, per pass (passes told apart by the gaps between bursts), times 20 passes/h at the default 2–4 min interval (mean 3 min).`,
      ],
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function spread(samples: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return { median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, min: sorted[0], max: sorted[sorted.length - 1] };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
