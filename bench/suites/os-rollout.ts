// Node OS rollout figures asked for by the issue: roll 100 hollow nodes from 4.1.0 to 4.2.0 with maxUnavailable 10
// and a fixed per-node update time T (the hollow OS agent's reboot), and compare the total with the ideal
// ceil(100/10) × T. Goal: within 1.2× the ideal, and never more than 10 nodes unavailable.
// The clock starts just before the osimageurl ConfigMap is replaced (what the CVO does at run level 80) and stops
// at the Node watch event that shows the last node Done on the new config: currentConfig = desiredConfig, Ready,
// uncordoned, booted into the 4.2.0 osImage. Everything runs in this process (bench/os-rollout/fleet.ts).
// Environment (bench/main.ts passes only suite names):
//   BENCH_OS_ROLLOUT_T=S            per-node update time in seconds (default 5: ideal 50 s)
//   BENCH_OS_ROLLOUT_NODES=N        nodes (default 100)
//   BENCH_OS_ROLLOUT_MAX_UNAVAILABLE=N  the pool's maxUnavailable (default 10)
import { startFleet, type Fleet } from '../os-rollout/fleet.ts';
import { watchFleet, type FleetWatch } from '../os-rollout/fleet-watch.ts';
import { osImageName, RELEASE_4_1, RELEASE_4_2 } from '../../operators/machine-config/integration.test-util.ts';
import { waitFor } from '../../operators/runtime/wait.ts';
import { summarize } from '../stats.ts';
import type { Figure, SuiteResult } from '../suite.ts';

const T = positiveNumber('BENCH_OS_ROLLOUT_T', 5);
const NODES = positiveNumber('BENCH_OS_ROLLOUT_NODES', 100);
const MAX_UNAVAILABLE = positiveNumber('BENCH_OS_ROLLOUT_MAX_UNAVAILABLE', 10);
const GOAL_RATIO = 1.2;
const VARIANT = `${NODES} nodes, maxUnavailable ${MAX_UNAVAILABLE}, T ${T} s`;

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}: "${raw}" is not a positive number`);
  return n;
}

function progress(message: string): void {
  process.stdout.write(`  ${message}\n`);
}

/** Installs 4.1.0 and waits until the operator has adopted every node into the worker pool's first config. */
async function installed(fleet: Fleet, watch: FleetWatch): Promise<string> {
  await fleet.setRelease(RELEASE_4_1);
  const config = await waitFor(() => fleet.poolTarget(), { timeoutMs: 30_000, intervalMs: 100, message: 'the worker pool to render 4.1.0' });
  await waitFor(() => watch.allDone(config, osImageName(RELEASE_4_1)), { timeoutMs: 60_000, intervalMs: 100, message: 'every node to be adopted on 4.1.0' });
  return config;
}

export async function run(): Promise<SuiteResult> {
  const ideal = Math.ceil(NODES / MAX_UNAVAILABLE) * T;
  progress(`${NODES} hollow nodes, maxUnavailable ${MAX_UNAVAILABLE}, T = ${T} s: ideal ${ideal} s`);
  const fleet = await startFleet({ nodes: NODES, maxUnavailable: MAX_UNAVAILABLE, rebootSeconds: T });
  try {
    const watch = watchFleet(fleet.nodes);
    const old = await installed(fleet, watch);
    watch.resetMaxUnavailable();

    const started = performance.now();
    await fleet.setRelease(RELEASE_4_2);
    const target = await waitFor(async () => {
      const name = await fleet.poolTarget();
      return name !== old && name;
    }, { timeoutMs: 30_000, intervalMs: 20, message: 'the worker pool to target 4.2.0' });
    const finishedAt = await waitFor(() => watch.allDone(target, osImageName(RELEASE_4_2)), {
      timeoutMs: (3 * ideal + 120) * 1000, intervalMs: 50, message: `every node to run ${target}`,
    });
    const total = (finishedAt - started) / 1000;
    const firstStart = ((watch.firstStartAt(target) ?? finishedAt) - started) / 1000;
    const perNode = summarize(watch.perNodeSeconds(target));
    const maxUnavailable = watch.maxUnavailable();
    const ratio = total / ideal;
    progress(`total ${total.toFixed(1)} s, ratio ${ratio.toFixed(3)}, max unavailable ${maxUnavailable}`);

    const figures: Figure[] = [
      { figure: 'seconds until every node runs 4.2.0', variant: VARIANT, value: Number(total.toFixed(2)), unit: 's', detail: { firstNodeStartedSeconds: Number(firstStart.toFixed(2)) } },
      { figure: 'ideal ceil(nodes/maxUnavailable) × T', variant: VARIANT, value: ideal, unit: 's' },
      { figure: `total / ideal (goal ≤ ${GOAL_RATIO})`, variant: VARIANT, value: Number(ratio.toFixed(3)), unit: '×' },
      { figure: `most nodes unavailable at once (limit ${MAX_UNAVAILABLE})`, variant: VARIANT, value: maxUnavailable, unit: 'nodes' },
      {
        figure: 'per-node update, desiredConfig to Done, p50', variant: VARIANT, value: Number(perNode.p50.toFixed(2)), unit: 's',
        detail: { p95: Number(perNode.p95.toFixed(2)), max: Number(perNode.max.toFixed(2)), mean: Number(perNode.mean.toFixed(2)) },
      },
    ];
    const notes = [
      `goal: total ≤ ${GOAL_RATIO} × ideal: ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'}; unavailable ≤ ${MAX_UNAVAILABLE}: ${maxUnavailable <= MAX_UNAVAILABLE ? 'held' : 'BROKEN'}`,
      'unavailable = NotReady, cordoned, state Working, or desiredConfig ≠ currentConfig, counted over every Node watch event',
      'timed from the osimageurl ConfigMap write to the watch event of the last node Done on the new config',
    ];
    return { figures, notes };
  } finally {
    await fleet.stop();
  }
}
