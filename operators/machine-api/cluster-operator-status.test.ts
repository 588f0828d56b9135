// The Machine API operator's ClusterOperator against the embedded API server: created when absent, conditions
// and versions as the cluster-version operator's gate reads them, and no write when nothing changed.
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterOperator } from '../api/config-v1.ts';
import { kubeJson } from '../runtime/kube-http.ts';
import { kubeResourceClient } from '../runtime/resource-client.ts';
import { startTestServer, type TestServer } from '../../test/support/dev-server.ts';
import { installMachineCrds } from '../../test/support/machine-crds.ts';
import { clusterOperatorStatusReporter } from './cluster-operator-status.ts';

describe('ClusterOperator machine-api', function () {
  this.timeout(20_000);
  let server: TestServer;
  let kc: KubeConfig;

  before(async () => {
    server = await startTestServer({ ephemeral: true });
    kc = new KubeConfig();
    kc.loadFromFile(server.api.kubeconfigPath);
    await installMachineCrds(kc);
  });
  after(async () => {
    await server?.stop();
  });

  const get = () => kubeJson<ClusterOperator>(kc, '/apis/config.openshift.io/v1/clusteroperators/machine-api');
  const conditions = (co: ClusterOperator) => (co.status?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`);

  it('reports Progressing while starting, then Available with the release version, as the CVO gate needs', async () => {
    const reporter = clusterOperatorStatusReporter(kubeResourceClient(kc));
    const signal = new AbortController().signal;
    await reporter.report({ available: false, progressing: true, degraded: false, message: 'Waiting for caches to sync', versions: { operator: '4.2.0' } }, signal);
    let co = await get();
    assert.deepEqual(conditions(co), [
      'Available=False Initializing: Waiting for caches to sync',
      'Progressing=True SyncingResources: Waiting for caches to sync',
      'Degraded=False AsExpected: ',
      'Upgradeable=True AsExpected: ',
    ]);
    await reporter.report({ available: true, progressing: false, degraded: false, message: 'Machine API controllers are running', versions: { operator: '4.2.0' } }, signal);
    co = await get();
    assert.deepEqual(conditions(co), [
      'Available=True AsExpected: Cluster Machine API Operator is available at 4.2.0',
      'Progressing=False AsExpected: ',
      'Degraded=False AsExpected: ',
      'Upgradeable=True AsExpected: ',
    ]);
    assert.deepEqual(co.status?.versions, [{ name: 'operator', version: '4.2.0' }]);
    assert.deepEqual(co.status?.relatedObjects?.[0], { group: '', resource: 'namespaces', namespace: '', name: 'openshift-machine-api' });

    const resourceVersion = co.metadata?.resourceVersion;
    await reporter.report({ available: true, progressing: false, degraded: false, message: 'Machine API controllers are running', versions: { operator: '4.2.0' } }, signal);
    assert.equal((await get()).metadata?.resourceVersion, resourceVersion, 'an unchanged report writes nothing');
  });
});
