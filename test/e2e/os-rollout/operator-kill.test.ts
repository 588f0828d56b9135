// kill -9 of the machine-config operator in the middle of a rollout: the dev cluster runs with `--operators
// external` semantics (inProcessOperator: false: no operator in the cluster's process; its worker pool has
// maxUnavailable 2) and the operator as its own process (operators/machine-config/main.ts, `npm run
// operator:machine-config`). The real kubectl watches the Nodes across the kill and the restart: never more than 2
// nodes unavailable, and the rollout ends with every node on the 4.2.0 OS (operators/machine-config/README.md,
// "Restarts").
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { allNodesOn, applyOsImageUrl, osImageOf, startRolloutDevCluster, watchNodes, type RolloutDevCluster } from './harness.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NODES = 10;

/** The operator's own process; its output is kept for the failure message. */
function spawnOperator(kubeconfigPath: string): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'operators/machine-config/main.ts', '--kubeconfig', kubeconfigPath, '--metrics-port', '0', '--log-level', 'warn'], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

function kill9(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    child.once('exit', (_code, signal) => resolve(signal));
    child.kill('SIGKILL');
  });
}

describe('OS rollout end to end: the machine-config operator killed mid-rollout', function () {
  this.timeout(90_000);
  let cluster: RolloutDevCluster;
  let operator: ReturnType<typeof spawnOperator> | undefined;
  after(async () => {
    if (operator && operator.child.exitCode === null && operator.child.signalCode === null) await kill9(operator.child);
    await cluster?.stop();
  });

  it('keeps at most 2 nodes unavailable across a kill -9 and a restart, and finishes the rollout', async () => {
    cluster = await startRolloutDevCluster(NODES, { inProcessOperator: false });
    assert.equal(cluster.handle.machineConfigOperator, undefined, 'no operator in the cluster process');
    operator = spawnOperator(cluster.kubeconfigPath);
    await applyOsImageUrl(cluster, '4.1.0');
    const old = await waitFor(() => allNodesOn(cluster, osImageOf('4.1.0')), { timeoutMs: 20_000, intervalMs: 200, message: 'every node adopted on 4.1.0' });

    const nodeWatch = watchNodes(cluster);
    await applyOsImageUrl(cluster, '4.2.0');
    // Kill once a third node has started (part of the first wave done, the next in flight): the slots the dead
    // process took must stay counted by the next one.
    const target = await waitFor(async () => {
      const pool = JSON.parse((await cluster.kubectl(['get', 'machineconfigpool', 'worker', '-o', 'json'])).stdout);
      const name: string | undefined = pool.spec?.configuration?.name;
      return name !== old && name !== undefined && nodeWatch.startOrder(name).length >= 3 && name;
    }, { timeoutMs: 20_000, intervalMs: 50, message: 'three nodes to start on the new config' });
    assert.equal(await kill9(operator.child), 'SIGKILL');
    const startedAtKill = nodeWatch.startOrder(target).length;
    assert.ok(startedAtKill < NODES, `the kill came mid-rollout (${startedAtKill} of ${NODES} started)`);

    const restarted = spawnOperator(cluster.kubeconfigPath);
    operator = restarted;
    const final = await waitFor(() => allNodesOn(cluster, osImageOf('4.2.0')), { timeoutMs: 40_000, intervalMs: 200, message: `every node on 4.2.0; operator output: ${restarted.output()}` });
    assert.equal(final, target);
    await nodeWatch.waitForDone(target, NODES);
    await nodeWatch.stop();
    assert.equal(nodeWatch.maxUnavailable(), 2, 'never more than maxUnavailable nodes unavailable across the kill, and the budget is used');
  });
});
