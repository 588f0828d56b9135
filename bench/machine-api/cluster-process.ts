// The dev cluster without its operator, in a child process of the bench: the API server (persisted, as `npm start`
// runs it), the Machine API CRDs and namespace, the local cloud and a hollow kubelet per running instance. The
// operator runs in a process of its own (operator-child.ts), so that its CPU and memory are measured alone.
//   cluster-process.ts --data-dir DIR --lease-renew-seconds N
// Prints one JSON line on stdout once ready (ClusterReady) and stops on the IPC message { op: 'stop' }.
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { MACHINE_API_NAMESPACE } from '../../operators/api/machine-v1beta1.ts';
import { isAlreadyExists } from '../../operators/runtime/errors.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import { discardLogger } from '../../operators/runtime/log.ts';
import { startApiServer } from '../../devcluster/apiserver/index.ts';
import { applyMachineApiCrds } from '../../devcluster/cluster.ts';
import { HollowNodeManager } from '../../devcluster/hollow-nodes/index.ts';
import { startLocalCloud } from '../../devcluster/local-cloud/index.ts';

export interface ClusterReady {
  /** The API server's URL. */
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly cloudUrl: string;
}

export type ClusterCommand = { readonly op: 'stop' };

/** A kubelet's leaseDurationSeconds is four times its renew interval (40 s and 10 s by default). */
const LEASE_DURATION_PER_RENEW = 4;

const { values } = parseArgs({
  options: { 'data-dir': { type: 'string' }, 'lease-renew-seconds': { type: 'string', default: '10' } },
  strict: true,
});
if (!values['data-dir']) throw new Error('cluster-process: --data-dir is required');
const leaseRenewSeconds = Number(values['lease-renew-seconds']);

const api = await startApiServer({ dataDir: values['data-dir'], port: 0 });
const kc = new KubeConfig();
kc.loadFromFile(api.kubeconfigPath);
await applyMachineApiCrds(kc);
try {
  await kubeJson(kc, '/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: MACHINE_API_NAMESPACE } } });
} catch (err) {
  if (!isAlreadyExists(err)) throw err;
}
const cloud = await startLocalCloud({ dataDir: values['data-dir'], logger: discardLogger });
const hollowNodes = new HollowNodeManager({ leaseRenewSeconds, leaseDurationSeconds: leaseRenewSeconds * LEASE_DURATION_PER_RENEW, logger: discardLogger });
await hollowNodes.start(kc, cloud.cloud);

const ready: ClusterReady = { url: api.url, kubeconfigPath: api.kubeconfigPath, cloudUrl: cloud.url };
process.stdout.write(`${JSON.stringify(ready)}\n`);

process.on('message', (message: ClusterCommand) => {
  if (message.op !== 'stop') return;
  void (async () => {
    // Reverse order of start, as the dev cluster stops (cluster.ts).
    await hollowNodes.stop();
    await cloud.stop();
    await api.stop();
    process.exit(0);
  })();
});
