// The whole dev cluster in-process, driven by the real kubectl as a user would after `npm start`: the example
// MachineSet becomes Running Machines with Ready Nodes, and scaling it down removes Machines, instances and Nodes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlRunner, type KubectlRunner } from '../test/support/dev-server.ts';
import { waitFor } from '../operators/runtime/wait.ts';
import { startDevCluster, type DevClusterHandle } from './cluster.ts';

const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'local', 'machineset.yaml');
const NS = ['-n', 'openshift-machine-api'];

describe('startDevCluster', function () {
  this.timeout(60_000);
  let dataDir: string;
  let cluster: DevClusterHandle | undefined;
  let run: KubectlRunner;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'devcluster-it-'));
  });
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(operators: boolean): Promise<DevClusterHandle> {
    cluster = await startDevCluster({ dataDir, port: 0, ephemeral: true, operators, cloud: { terminateDelayMs: 100 } });
    run = kubectlRunner(cluster.api.kubeconfigPath, join(dataDir, 'kubectl-cache'));
    return cluster;
  }
  const lines = async (args: string[]) => (await run.kubectl(args)).stdout.split('\n').filter((l) => l !== '');

  it('turns the example MachineSet into Running Machines and Ready Nodes, and scales down', async () => {
    await start(true);
    await run.kubectl(['apply', '-f', EXAMPLE]);
    const phases = () => lines(['get', 'machines', ...NS, '-o', 'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}']);
    await waitFor(async () => (await phases()).join() === 'Running,Running,Running', { timeoutMs: 30_000, intervalMs: 200, message: '3 Running Machines' });
    const ready = () => lines(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
    await waitFor(async () => (await ready()).join() === 'True,True,True', { timeoutMs: 10_000, intervalMs: 200, message: '3 Ready Nodes' });

    await run.kubectl(['scale', 'machineset', 'local-worker', ...NS, '--replicas=1']);
    await waitFor(async () => (await phases()).length === 1 && (await ready()).length === 1, { timeoutMs: 30_000, intervalMs: 200, message: 'one Machine and one Node left' });
    await waitFor(() => cluster!.cloud!.cloud.list().filter((i) => i.state === 'running').length === 1, { message: 'one running instance' });
    const status = await lines(['get', 'machineset', 'local-worker', ...NS, '-o', 'jsonpath={.status.replicas} {.status.readyReplicas} {.status.availableReplicas}']);
    assert.deepEqual(status, ['1 1 1']);
  });

  it('runs the API server alone with operators: false', async () => {
    const handle = await start(false);
    assert.equal(handle.operator, undefined);
    assert.equal(handle.cloud, undefined);
    const crds = await run.kubectl(['get', 'crds', '-o', 'name']);
    assert.equal(crds.stdout, '');
  });
});
