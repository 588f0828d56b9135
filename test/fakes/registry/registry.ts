// A real OCI registry for tests: Debian's `docker-registry` (CNCF distribution), started on 127.0.0.1 at a free
// port with filesystem storage in a temporary directory, plain HTTP, no auth. Tests reach into the storage to
// tamper with stored content (blobPath), which is how a compromised registry or mirror looks to a client.
// .ci/run installs the package; on a developer machine without it the tests skip with a message, but in CI
// (CI set) a missing binary fails them, so the registry path is never silently untested.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../operators/runtime/wait.ts';
import { freePort } from '../../support/free-port.ts';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';
/** How long the registry may take to answer /v2/, in ms. */
const START_TIMEOUT_MS = 10_000;

export interface TestRegistry {
  /** host:port, the registry part of pull specs. */
  readonly host: string;
  /** Storage root directory. */
  readonly root: string;
  /** The file holding a blob (layers, configs and manifests are all blobs) in the registry's storage. */
  blobPath(digest: string): string;
  stop(): Promise<void>;
}

/**
 * Skips the calling suite when the binary is missing outside CI; in CI throws instead. Call from a `before` hook
 * with its `this`.
 */
export function requireRegistryBinary(ctx: Mocha.Context): void {
  if (existsSync(REGISTRY_BINARY)) return;
  if (process.env.CI) throw new Error(`${REGISTRY_BINARY} is missing: .ci/run must apt-get install docker-registry`);
  console.warn(`    (skipped: ${REGISTRY_BINARY} not installed; apt-get install -y docker-registry to run the registry tests)`);
  ctx.skip();
}

export async function startRegistry(): Promise<TestRegistry> {
  const root = mkdtempSync(join(tmpdir(), 'registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(root, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(root, 'storage')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    '',
  ].join('\n'));
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr}`);
      return fetch(`http://${host}/v2/`).then((r) => r.ok, () => false);
    }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 50, message: `docker-registry to serve on ${host}` });
  } catch (err) {
    await stop(child);
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return {
    host,
    root,
    blobPath: (digest) => {
      const hex = digest.replace(/^sha256:/, '');
      return join(root, 'storage', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    },
    async stop() {
      await stop(child);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}
