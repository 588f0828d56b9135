// Test harness: an embedded API server on a free port with its own temporary data dir, and the real
// kubectl pointed at it through the kubeconfig the server wrote.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServerHandle, type ApiServerOptions } from '../../devcluster/apiserver/index.ts';

export interface TestServer {
  readonly api: ApiServerHandle;
  readonly dataDir: string;
  kubectl(args: string[], options?: { input?: string; env?: Record<string, string>; allowFailure?: boolean }): Promise<KubectlResult>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function startTestServer(options: Partial<ApiServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'devcluster-test-'));
  const ownsDir = options.dataDir === undefined;
  let api = await startApiServer({ port: 0, ...options, dataDir });
  // kubectl's discovery and HTTP caches live outside the data dir by default; give each server its own.
  const cacheDir = join(dataDir, 'kubectl-cache');
  const server: TestServer = {
    get api() {
      return api;
    },
    dataDir,
    kubectl(args, opts = {}) {
      return runKubectl(['--kubeconfig', api.kubeconfigPath, '--cache-dir', cacheDir, ...args], opts);
    },
    async restart() {
      const port = api.port;
      await api.stop();
      api = await startApiServer({ ...options, dataDir, port });
    },
    async stop() {
      await api.stop();
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export function runKubectl(args: string[], opts: { input?: string; env?: Record<string, string>; allowFailure?: boolean } = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const result = { code: code ?? -1, stdout, stderr };
      if (code !== 0 && !opts.allowFailure) reject(new Error(`kubectl ${args.join(' ')} failed (${code}): ${stderr || stdout}`));
      else resolve(result);
    });
    child.stdin.end(opts.input ?? '');
  });
}

