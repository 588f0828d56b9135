// The operator killed with SIGKILL in the middle of a scale-up and started again: the dev cluster runs as `npm start
// -- --operators external` (API server, local cloud, hollow nodes) and the operator as its own process
// (operators/machine-api/main.ts). Whatever the dead process had in flight (Machines created or not, instance
// creates sent but never answered), the new one ends with exactly one instance per Machine: none leaked, none
// created twice (the local cloud's clientToken is the Machine UID; README.md there).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { spawnDevCluster, type DevClusterProcess } from '../../support/dev-cluster-process.ts';
import { clearCloudFaults, setCloudFaults } from '../../support/local-cloud-api.ts';
import { spawnMachineApiOperator, type OperatorProcess } from '../../support/operator-process.ts';
import { apply, assertOneInstancePerMachine, instancesOf, live, machineSetManifest, NS, waitForFleet, type E2eTarget } from './harness.ts';

/** Instances stay pending this long, so a scale-up has Machines in flight for a while after its creates. */
const BOOT_DELAY_S = 2;

describe('Machine API end to end: the operator killed during a scale-up', function () {
  this.timeout(60_000);
  let dataDir: string;
  let cluster: DevClusterProcess;
  let target: E2eTarget;
  let operator: OperatorProcess | undefined;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mapi-e2e-kill-'));
    cluster = await spawnDevCluster(['--data-dir', dataDir, '--port', '0', '--operators', 'external'], { timeoutMs: 30_000 });
    const cloudUrl = /^Local cloud: (\S+)$/m.exec(cluster.stdout())?.[1];
    assert.ok(cloudUrl, `the dev cluster prints the local cloud's URL:\n${cluster.stdout()}`);
    assert.match(cluster.stdout(), /^Start the Machine API operator:\n {2}LOCAL_CLOUD_ENDPOINT=\S+ npm run operator:machine-api -- --kubeconfig \S+ --metrics-port 0$/m);
    target = { kubectl: cluster.kubectl, kubectlStart: cluster.kubectlStart, cloudUrl };
  });
  after(async () => {
    await operator?.stop();
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  // One operator at a time (without --leader-elect two would both act): each test kills the one running and
  // starts the next; a test that failed in between leaves none, and the next one starts it.
  beforeEach(async () => {
    if (!operator) await startOperator();
  });
  afterEach(async () => {
    await clearCloudFaults(target.cloudUrl);
  });

  // One Machine reconciled at a time, so a scale-up creates its instances one after another.
  async function startOperator(): Promise<void> {
    operator = await spawnMachineApiOperator({ kubeconfigPath: cluster.kubeconfigPath, localCloudEndpoint: target.cloudUrl, args: ['--machine-concurrency', '1'] });
  }
  const kill = async () => {
    const exit = await operator!.stop('SIGKILL');
    operator = undefined;
    assert.equal(exit.signal, 'SIGKILL');
  };
  const scale = (name: string, replicas: number) => cluster.kubectl(['scale', 'machineset', name, '-n', NS, `--replicas=${replicas}`]);

  it('ends with exactly N Machines and instances when killed right after kubectl scale returns', async () => {
    await apply(target, machineSetManifest('early', { replicas: 1, providerSpec: { bootDelaySeconds: 1 } }));
    await waitForFleet(target, 'early', 1);

    await scale('early', 4);
    await kill();
    const instancesAtKill = live(await instancesOf(target, 'early')).length;
    assert.ok(instancesAtKill < 4, `the kill came before the scale-up finished (${instancesAtKill} instances)`);

    await startOperator();
    const fleet = await waitForFleet(target, 'early', 4);
    await assertOneInstancePerMachine(target, 'early', fleet);
  });

  it('ends with exactly N Machines and instances when killed after half the instances exist, an instance create in flight', async () => {
    await apply(target, machineSetManifest('midway', { replicas: 0, providerSpec: { bootDelaySeconds: BOOT_DELAY_S } }));

    // Each cloud call is carried out 300 ms after it arrives and one Machine is reconciled at a time, so the kill
    // lands while a call is in the cloud's hands: a create may be carried out after the operator that sent it died.
    await setCloudFaults(target.cloudUrl, { latencyMs: 300 });
    await scale('midway', 4);
    const atKill = await waitFor(async () => {
      const count = live(await instancesOf(target, 'midway')).length;
      return count >= 2 ? count : undefined;
    }, { timeoutMs: 15_000, intervalMs: 20, message: 'half of the instances' });
    await kill();
    assert.ok(atKill < 4, `the kill came before the scale-up finished (${atKill} instances)`);
    await clearCloudFaults(target.cloudUrl);

    await startOperator();
    const fleet = await waitForFleet(target, 'midway', 4);
    await assertOneInstancePerMachine(target, 'midway', fleet);
  });
});
