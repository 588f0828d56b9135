import { createConfigMaps, createNamespace } from './apiserver/configmaps.ts';
import { BenchClient } from './http-client.ts';
import { ServerChild } from './server-child.ts';
import { readFileSync } from 'node:fs';
const busy = () => { const f = readFileSync('/proc/stat','utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number); const idle = f[3] + f[4]; const tot = f.reduce((a,b)=>a+b,0); return [tot-idle, tot]; };
const ephemeral = process.argv[2] === 'mem';
const server = await ServerChild.start({ ephemeral });
for (const c of (process.argv[3] ?? "1,8").split(",").map(Number)) {
  const clients = Array.from({ length: c }, () => new BenchClient(server.endpoint));
  const ns = `ns-${c}-${Math.random().toString(36).slice(2, 7)}`;
  await createNamespace(clients[0], ns);
  await createConfigMaps(clients, ns, 'w', 500);
  const cpu0 = server.cpuSeconds(); const b0 = busy(); const c0 = process.cpuUsage();
  const r = await createConfigMaps(clients, ns, 'cm', 5000);
  const b1 = busy(); const cc = process.cpuUsage(c0); console.log(c, Math.round(r.perSecond), 'srv', Math.round((server.cpuSeconds() - cpu0) / r.seconds * 100), 'cli', Math.round((cc.user+cc.system)/1e4/r.seconds), 'machine', Math.round((b1[0]-b0[0])/r.seconds));
  for (const cl of clients) cl.close();
}
await server.stop();
