// throwaway experiment (deleted afterwards)
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterChild, OperatorChild } from './processes.ts';
import { createIdleMachineSet, runScaleUp } from './scale-up.ts';
const n = Number(process.env.N ?? 1000);
const cluster = await ClusterChild.start(40);
const operator = OperatorChild.start({ cluster: cluster.ready, cpuProfileDir: process.env.PROF });
const kc = new KubeConfig(); kc.loadFromFile(cluster.ready.kubeconfigPath);
await createIdleMachineSet(kc);
const url = /"url":"([^"]+)"/.exec(readFileSync(operator.logPath, 'utf8'))![1];
const run = await runScaleUp(kc, operator, n, 600_000, (l) => console.log(l));
console.log('seconds', run.seconds.toFixed(2), 'created', run.allCreatedSeconds.toFixed(2), 'cpu', run.operatorCpuSeconds);
console.log(JSON.stringify(run.apiErrors), JSON.stringify(run.apiRequests));
const metrics = await (await fetch(`${url}/metrics`)).text();
console.log(metrics.split('\n').filter((l) => /^controller_runtime_reconcile_total|^workqueue_adds_total/.test(l)).join('\n'));
await operator.stop({ keepLog: true }); console.log(operator.logPath);
await cluster.stop();
