// The dev cluster's releases end to end with the real kubectl: install 4.1.0, `kubectl patch clusterversion` to
// 4.2.0 then 4.3.0, a ClusterOperator that never reaches the new version, preconditions (skip-minor,
// Upgradeable=False) and force, and retargeting mid-update. The CVO, the update-graph server, the payloads and
// signatures are the real ones (devcluster/releases/); only the demo operator is a fake.
import assert from 'node:assert/strict';
import { parseTable } from '../../support/kubectl-table.ts';
import {
  completed, condition, history, operatorVersions, patchDesiredUpdate, setDemoOperator, settledAt, startCvoCluster, until, type CvoE2eCluster,
} from './harness.ts';
import { writeDemoPayload, signatureConfigMapFor } from '../../../devcluster/releases/demo-releases.ts';
import { join } from 'node:path';

describe('dev cluster upgrades with kubectl', function () {
  this.timeout(60_000);
  let c: CvoE2eCluster;
  beforeEach(async () => {
    c = await startCvoCluster();
    await until(c, '4.1.0 installed', settledAt('4.1.0'));
  });
  afterEach(async () => {
    await c?.stop();
  });
  const image = (version: string) => c.cluster.clusterVersion!.releases.releases.find((r) => r.version === version)!.image;

  it('upgrades 4.1.0 → 4.2.0 → 4.3.0 with kubectl patch, with history, conditions and ClusterOperator versions right at each step', async () => {
    const table = parseTable((await c.kubectl(['get', 'clusterversion'])).stdout);
    assert.deepEqual(table.header, ['NAME', 'VERSION', 'AVAILABLE', 'PROGRESSING', 'SINCE', 'STATUS']);
    assert.deepEqual({ ...table.rows[0], SINCE: '' }, { NAME: 'version', VERSION: '4.1.0', AVAILABLE: 'True', PROGRESSING: 'False', SINCE: '', STATUS: 'Cluster version is 4.1.0' });
    let cv = await until(c, 'updates retrieved', (v) => (v.status?.availableUpdates?.length ?? 0) > 0);
    assert.deepEqual(cv.status?.availableUpdates?.map((u) => [u.version, u.image]), [['4.2.0', image('4.2.0')]]);
    assert.equal(cv.spec?.channel, 'stable-4');

    await patchDesiredUpdate(c, { version: '4.2.0' });
    cv = await until(c, '4.2.0 settled', settledAt('4.2.0'));
    assert.deepEqual(history(cv), ['Completed 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
    assert.deepEqual(condition(cv, 'Available'), { type: 'Available', status: 'True', message: 'Done applying 4.2.0' });
    assert.deepEqual(condition(cv, 'Failing'), { type: 'Failing', status: 'False' });
    assert.equal(condition(cv, 'ReleaseAccepted').status, 'True');
    assert.deepEqual(cv.status?.desired?.version, '4.2.0');
    assert.deepEqual(await operatorVersions(c), { demo: '4.2.0', 'machine-api': '4.2.0', 'machine-config': '4.2.0' });
    const osImage = JSON.parse((await c.kubectl(['get', 'configmap', '-n', 'openshift-machine-config-operator', 'machine-config-osimageurl', '-o', 'json'])).stdout) as { data: Record<string, string> };
    assert.equal(osImage.data.releaseVersion, '4.2.0');

    await patchDesiredUpdate(c, { version: '4.3.0' });
    cv = await until(c, '4.3.0 settled', settledAt('4.3.0'));
    assert.deepEqual(history(cv), ['Completed 4.3.0 verified=true', 'Completed 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
    assert.deepEqual(await operatorVersions(c), { demo: '4.3.0', 'machine-api': '4.3.0', 'machine-config': '4.3.0' });
    const rows = parseTable((await c.kubectl(['get', 'clusteroperators'])).stdout).rows.map((r) => [r.NAME, r.VERSION, r.AVAILABLE, r.DEGRADED]);
    assert.deepEqual(rows, [['demo', '4.3.0', 'True', 'False'], ['machine-api', '4.3.0', 'True', 'False'], ['machine-config', '4.3.0', 'True', 'False']]);
  });

  it('makes the update Failing with the name of a ClusterOperator that never reaches the new version, and finishes once it does', async () => {
    await setDemoOperator(c, { stall: 'true' });
    await patchDesiredUpdate(c, { version: '4.2.0', image: image('4.2.0') });
    let cv = await until(c, 'Failing names demo', (v) => condition(v, 'Failing').status === 'Unknown');
    assert.deepEqual(condition(cv, 'Failing'), { type: 'Failing', status: 'Unknown', reason: 'SlowClusterOperator', message: 'waiting on demo over 0 minutes which is longer than expected' });
    assert.match(String(condition(cv, 'Progressing').message), /^Working towards 4\.2\.0: \d+ of \d+ done \(\d+% complete\), waiting on demo$/);
    assert.deepEqual(history(cv), ['Partial 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
    assert.equal((await operatorVersions(c)).demo, '4.1.0');

    await setDemoOperator(c, {});
    cv = await until(c, '4.2.0 completed', settledAt('4.2.0'));
    assert.deepEqual(condition(cv, 'Failing'), { type: 'Failing', status: 'False' });
    assert.deepEqual(history(cv), ['Completed 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
  });

  it('blocks an update that skips a minor version until forced, and records the accepted risk', async () => {
    await patchDesiredUpdate(c, { version: '4.3.0', image: image('4.3.0') });
    let cv = await until(c, 'blocked', (v) => condition(v, 'ReleaseAccepted').status === 'False');
    assert.equal(condition(cv, 'ReleaseAccepted').reason, 'PreconditionChecks');
    assert.match(String(condition(cv, 'ReleaseAccepted').message), /Precondition "ClusterVersionGiantHop" failed because of "MultipleMinorVersionsUpdate"/);
    assert.deepEqual(history(cv), ['Completed 4.1.0 verified=false']);

    await patchDesiredUpdate(c, { version: '4.3.0', image: image('4.3.0'), force: true });
    cv = await until(c, 'forced 4.3.0', completed('4.3.0'));
    assert.match(cv.status?.history?.[0].acceptedRisks ?? '', /^Forced through blocking failures: .*"ClusterVersionGiantHop"/s);
  });

  it('blocks a minor update while a ClusterOperator says Upgradeable=False, and lets it through once it no longer does', async () => {
    await setDemoOperator(c, { upgradeable: 'false', message: 'The demo API v1beta1 goes away in 4.2' });
    let cv = await until(c, 'Upgradeable=False', (v) => condition(v, 'Upgradeable').status === 'False');
    await patchDesiredUpdate(c, { version: '4.2.0' });
    cv = await until(c, 'blocked', (v) => condition(v, 'ReleaseAccepted').status === 'False');
    assert.match(String(condition(cv, 'ReleaseAccepted').message),
      /Precondition "ClusterVersionUpgradeable" failed because of "DemoNotUpgradeable": Cluster operator demo should not be upgraded between minor versions: The demo API v1beta1 goes away in 4\.2/);
    assert.deepEqual(history(cv), ['Completed 4.1.0 verified=false']);

    await setDemoOperator(c, {});
    cv = await until(c, '4.2.0 completed', completed('4.2.0'));
    assert.equal(cv.status?.history?.[0].acceptedRisks, undefined);
  });

  it('retargets to a patch release mid-update, leaving the abandoned target Partial in history', async () => {
    const demo = c.cluster.clusterVersion!.releases;
    const patch = writeDemoPayload(join(demo.dir, '4.2.1'), { version: '4.2.1', previous: ['4.1.0', '4.2.0'] });
    await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(await signatureConfigMapFor(patch, demo.privateKeyArmored)) });
    await setDemoOperator(c, { stall: 'true' });
    await patchDesiredUpdate(c, { version: '4.2.0', image: image('4.2.0') });
    await until(c, 'mid-update', (v) => /waiting on demo/.test(String(condition(v, 'Progressing').message)));
    await patchDesiredUpdate(c, { version: '4.2.1', image: patch.image });
    await until(c, 'retargeted', (v) => v.status?.history?.[0]?.version === '4.2.1');
    await setDemoOperator(c, {});
    const cv = await until(c, '4.2.1 completed', settledAt('4.2.1'));
    assert.deepEqual(history(cv), ['Completed 4.2.1 verified=true', 'Partial 4.2.0 verified=true', 'Completed 4.1.0 verified=false']);
    assert.deepEqual(await operatorVersions(c), { demo: '4.2.1', 'machine-api': '4.2.1', 'machine-config': '4.2.1' });
  });
});
