// A port for a server this process starts as a child (moto_server, docker-registry), which must be told its port.
import { createServer } from 'node:net';

/** A port the kernel just handed out on 127.0.0.1, released again before the caller's server binds it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
