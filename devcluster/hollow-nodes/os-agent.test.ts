// The hollow nodes' OS agent alone, driven by hand-written protocol annotations (operators/machine-config/PROTOCOL.md)
// against the embedded API server: no operator runs, so what happens is the agent's doing.
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { MachineConfig } from '../../operators/api/machineconfiguration-v1.ts';
import { renderMachineConfig } from '../../operators/machine-config/target.ts';
import { isNotFound } from '../../operators/runtime/errors.ts';
import { kubeJson } from '../../operators/runtime/kube-http.ts';
import { createLogger } from '../../operators/runtime/log.ts';
import { waitFor } from '../../operators/runtime/wait.ts';
import { startTestServer, type TestServer } from '../../test/support/dev-server.ts';
import { installMachineCrds } from '../../test/support/machine-crds.ts';
import { LocalCloud } from '../local-cloud/cloud.ts';
import { HollowNodeManager } from './manager.ts';
import { HollowOsAgent } from './os-agent.ts';

type Json = any;

const REBOOT_SECONDS = 0.3;
const pool = { metadata: { name: 'worker', uid: 'pool-uid' } };
/** A rendered config without its owner reference (no pool exists here, and the garbage collector would take it). */
function config(version: string, kubelet: string): MachineConfig {
  const mc = renderMachineConfig(pool, {
    releaseVersion: version,
    osImageURL: `quay.io/rhcos@sha256:${version.replaceAll('.', '').padEnd(64, '0')}`,
    osImageName: `Red Hat Enterprise Linux CoreOS ${version}`,
    kubeletVersion: kubelet,
    containerRuntimeVersion: `cri-o://${kubelet.slice(1)}`,
  }, 'test');
  return { ...mc, metadata: { ...mc.metadata, ownerReferences: undefined } };
}
const OLD = config('4.1.0', 'v1.32.0');
const NEW = config('4.2.0', 'v1.33.0');
const name = (mc: MachineConfig) => mc.metadata!.name!;
const annotation = (n: Json, key: string) => n.metadata.annotations?.[`machineconfiguration.openshift.io/${key}`];
const ready = (n: Json) => n.status?.conditions?.find((c: Json) => c.type === 'Ready')?.status;

describe('HollowOsAgent', function () {
  this.timeout(15_000);
  let server: TestServer;
  let kc: KubeConfig;
  let cloud: LocalCloud;
  let nodes: HollowNodeManager;
  let agent: HollowOsAgent;
  const quiet = createLogger({ sink: () => {} });
  const node = (n: string) => kubeJson<Json>(kc, `/api/v1/nodes/${n}`);
  const patchNode = (n: string, body: Json) => kubeJson(kc, `/api/v1/nodes/${n}`, { method: 'PATCH', contentType: 'application/merge-patch+json', body });
  /** Every state of node `n` the API goes through, from now on. */
  const record = (n: string) => {
    const states: Json[] = [];
    const abort = new AbortController();
    const done = (async () => {
      const list = await kubeJson<Json>(kc, '/api/v1/nodes');
      const response = await fetchWatch(`/api/v1/nodes?watch=true&fieldSelector=metadata.name=${n}&resourceVersion=${list.metadata.resourceVersion}`, abort.signal);
      for await (const event of response) states.push(event.object);
    })().catch(() => undefined);
    return { states, stop: async () => { abort.abort(); await done; } };
  };
  async function* fetchWatch(path: string, signal: AbortSignal): AsyncGenerator<Json> {
    const { kubeFetch } = await import('../../operators/runtime/kube-http.ts');
    const response = await kubeFetch(kc, path, { signal });
    let buffer = '';
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      buffer += Buffer.from(chunk).toString();
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line.trim()) yield JSON.parse(line);
      }
    }
  }

  beforeEach(async () => {
    server = await startTestServer({ ephemeral: true });
    kc = new KubeConfig();
    kc.loadFromFile(server.api.kubeconfigPath);
    await installMachineCrds(kc);
    for (const mc of [OLD, NEW]) await kubeJson(kc, '/apis/machineconfiguration.openshift.io/v1/machineconfigs', { method: 'POST', body: mc });
    cloud = new LocalCloud({ terminateDelayMs: 10 });
    cloud.create({ clientToken: 'uid-n1', name: 'n1', tags: {}, spec: { instanceType: 'local.small', region: 'local', zone: 'local-a' } });
    nodes = new HollowNodeManager({ leaseRenewSeconds: 0.2, statusReportSeconds: 60, logger: quiet });
    await nodes.start(kc, cloud);
    await waitFor(async () => ready(await node('n1')) === 'True', { message: 'n1 to be Ready' });
    await patchNode('n1', { metadata: { annotations: {
      'machineconfiguration.openshift.io/currentConfig': name(OLD),
      'machineconfiguration.openshift.io/desiredConfig': name(OLD),
      'machineconfiguration.openshift.io/state': 'Done',
    } } });
    agent = new HollowOsAgent(nodes, { rebootSeconds: REBOOT_SECONDS, drainRetrySeconds: 0.1, logger: quiet });
    await agent.start(kc);
  });
  afterEach(async () => {
    await agent.stop();
    await nodes.stop();
    await cloud.close();
    await server.stop();
  });

  it('drains, switches the OS, reboots for the update time and comes back Done and uncordoned with the new nodeInfo', async () => {
    await kubeJson(kc, '/api/v1/namespaces/default/pods', { method: 'POST', body: { metadata: { name: 'app' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } } });
    await waitFor(async () => (await kubeJson<Json>(kc, '/api/v1/namespaces/default/pods/app')).status?.phase === 'Running', { message: 'the pod to run' });
    const before = await node('n1');
    const watch = record('n1');
    await patchNode('n1', { metadata: { annotations: { 'machineconfiguration.openshift.io/desiredConfig': name(NEW) } } });
    const after = await waitFor(async () => {
      const n = await node('n1');
      return annotation(n, 'state') === 'Done' && annotation(n, 'currentConfig') === name(NEW) && n;
    }, { message: 'the update to finish' });
    await watch.stop();

    assert.deepEqual(after.status.nodeInfo.osImage, 'Red Hat Enterprise Linux CoreOS 4.2.0');
    assert.deepEqual([after.status.nodeInfo.kubeletVersion, after.status.nodeInfo.containerRuntimeVersion], ['v1.33.0', 'cri-o://1.33.0']);
    assert.notEqual(after.status.nodeInfo.bootID, before.status.nodeInfo.bootID, 'a reboot gives a new boot ID');
    assert.equal(after.spec.unschedulable, false);
    assert.equal(ready(after), 'True');
    await assert.rejects(kubeJson(kc, '/api/v1/namespaces/default/pods/app'), (err) => isNotFound(err), 'the pod was evicted');

    // The order a real node goes through: Working and cordoned, drained, NotReady for the reboot, then Done.
    const working = watch.states.findIndex((n) => annotation(n, 'state') === 'Working' && n.spec.unschedulable);
    const down = watch.states.findIndex((n) => ready(n) !== 'True');
    const up = watch.states.findIndex((n, i) => i > down && ready(n) === 'True');
    const done = watch.states.findIndex((n) => annotation(n, 'state') === 'Done' && annotation(n, 'currentConfig') === name(NEW));
    assert.ok(working >= 0 && working < down && down < up && up <= done, `order working ${working} < down ${down} < up ${up} <= done ${done}`);
    const downSince = Date.parse(watch.states[down].status.conditions.find((c: Json) => c.type === 'Ready').lastTransitionTime);
    const upSince = Date.parse(watch.states[up].status.conditions.find((c: Json) => c.type === 'Ready').lastTransitionTime);
    assert.ok(upSince - downSince >= REBOOT_SECONDS * 1000, `NotReady for ${upSince - downSince} ms, at least the reboot time`);
    assert.ok(watch.states.slice(0, done).every((n) => annotation(n, 'state') !== 'Done' || !n.spec.unschedulable), 'never Done while cordoned');
  });

  it('goes Degraded after booting a release the node is told to fail, then boots back when desiredConfig returns to the previous config', async () => {
    await patchNode('n1', { metadata: { labels: { 'machine-fleet.io/fail-os-update': '4.2.0' }, annotations: { 'machineconfiguration.openshift.io/desiredConfig': name(NEW) } } });
    const failed = await waitFor(async () => {
      const n = await node('n1');
      return annotation(n, 'state') === 'Degraded' && n;
    }, { message: 'the node to fail' });
    assert.equal(annotation(failed, 'reason'), `Node failed its health check after booting ${name(NEW)} (release 4.2.0): injected by machine-fleet.io/fail-os-update=4.2.0`);
    assert.equal(annotation(failed, 'currentConfig'), name(OLD), 'currentConfig moves only after a successful boot');
    assert.equal(failed.status.nodeInfo.osImage, 'Red Hat Enterprise Linux CoreOS 4.2.0');
    assert.equal(failed.spec.unschedulable, true, 'a failed node stays cordoned');

    // What the pool controller does: desiredConfig back to currentConfig.
    await patchNode('n1', { metadata: { annotations: { 'machineconfiguration.openshift.io/desiredConfig': name(OLD) } } });
    const back = await waitFor(async () => {
      const n = await node('n1');
      return annotation(n, 'state') === 'Done' && ready(n) === 'True' && n;
    }, { message: 'the node to roll back' });
    assert.equal(back.status.nodeInfo.osImage, 'Red Hat Enterprise Linux CoreOS 4.1.0');
    assert.equal(back.status.nodeInfo.kubeletVersion, 'v1.32.0');
    assert.deepEqual([annotation(back, 'currentConfig'), annotation(back, 'reason'), back.spec.unschedulable], [name(OLD), '', false]);
  });

  it('leaves a Node that is not one of its hollow nodes alone', async () => {
    await kubeJson(kc, '/api/v1/nodes', { method: 'POST', body: { metadata: { name: 'real-node', annotations: {
      'machineconfiguration.openshift.io/currentConfig': name(OLD), 'machineconfiguration.openshift.io/desiredConfig': name(NEW),
    } } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const n = await node('real-node');
    assert.deepEqual([annotation(n, 'state'), n.spec?.unschedulable], [undefined, undefined]);
  });
});
