// Starts `moto_server` (the Python AWS fake, on PATH) on a free loopback port for a test file, and stops it by
// its own pid (shared/reference/ts-ecosystem.md §2). AMI and instance-type validation are on, so a bad AMI or
// type fails RunInstances as on EC2.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../support/free-port.ts';

export interface MotoServer {
  readonly endpoint: string;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** How long moto may take to answer after spawning, in ms (Python start-up). */
const START_TIMEOUT_MS = 20_000;

export async function startMotoServer(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    env: { ...process.env, MOTO_ENABLE_AMI_VALIDATION: 'true', MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION: 'true' },
  });
  let exited = false;
  proc.once('exit', () => (exited = true));
  const stop = async () => {
    if (exited || proc.pid === undefined) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await Promise.race([gone, sleep(5_000)]);
    if (!exited) proc.kill('SIGKILL');
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error('moto_server exited while starting (is it on PATH?)');
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) {
        return {
          endpoint,
          reset: async () => void (await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).arrayBuffer(),
          stop,
        };
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`moto_server did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms`);
}
