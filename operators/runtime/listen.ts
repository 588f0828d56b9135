// Binding an HTTP(S) server, for every server in the project (metrics and probes, the dev API server, the local
// cloud, the update graph): resolves with the address once it listens, rejects with the bind error (EADDRINUSE…).
import type { AddressInfo, Server } from 'node:net';

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
