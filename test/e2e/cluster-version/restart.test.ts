// kill -9 mid-update: the dev cluster runs as `npm start` does (devcluster/main.ts in a child process, the CVO
// with its default timings), is killed while an update waits on an operator, and is started again on the same data
// dir. The CVO keeps nothing but the ClusterVersion: it must resume the update from history[0] (Partial) and finish
// it without a second history entry.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { spawnDevCluster, type DevClusterProcess } from '../../support/dev-cluster-process.ts';
import { condition, history, operatorVersions, patchDesiredUpdate, setDemoOperator, settledAt, until } from './harness.ts';

describe('dev cluster update across kill -9', function () {
  this.timeout(90_000);
  let dataDir: string;
  let running: DevClusterProcess | undefined;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cvo-kill-'));
  });
  after(async () => {
    await running?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes an update after the whole dev cluster is killed with SIGKILL mid-update, and finishes it', async () => {
    const start = () => spawnDevCluster(['--data-dir', dataDir, '--port', '0'], { timeoutMs: 30_000 });
    running = await start();
    await until(running, '4.1.0 installed', settledAt('4.1.0'), 30_000);
    await setDemoOperator(running, { stall: 'true' });
    await patchDesiredUpdate(running, { version: '4.2.0' });
    await until(running, 'mid-update', (v) => v.status?.history?.[0]?.state === 'Partial' && v.status.history[0].version === '4.2.0', 30_000);
    // Past machine-api, at the demo run level: the payload's demo ConfigMap is 4.2.0, its operator stays at 4.1.0.
    const runner = running;
    await waitFor(async () => (await runner.kubectl(['get', 'configmap', '-n', 'openshift-demo', 'demo-config', '-o', 'jsonpath={.data.version}'])).stdout === '4.2.0',
      { timeoutMs: 30_000, intervalMs: 100, message: 'the demo run level' });
    assert.deepEqual(await operatorVersions(running), { demo: '4.1.0', 'machine-api': '4.2.0', 'machine-config': '4.1.0' });

    const exit = await running.stop('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    running = await start();
    let cv = await until(running, 'working again after the restart', (v) => /^Working towards 4\.2\.0/.test(String(condition(v, 'Progressing').message)), 30_000);
    assert.deepEqual(history(cv), ['Partial 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);

    await setDemoOperator(running, {});
    cv = await until(running, '4.2.0 completed', settledAt('4.2.0'), 30_000);
    assert.deepEqual(history(cv), ['Completed 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
    assert.deepEqual(await operatorVersions(running), { demo: '4.2.0', 'machine-api': '4.2.0', 'machine-config': '4.2.0' });
  });
});
