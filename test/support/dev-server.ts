// Test harness: an embedded API server on a free port with its own temporary data dir, and the real
// kubectl pointed at it through the kubeconfig the server wrote.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServerHandle, type ApiServerOptions } from '../../devcluster/apiserver/index.ts';

export interface KubectlOptions {
  input?: string;
  env?: Record<string, string>;
  allowFailure?: boolean;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A kubectl still running (`get -w`, `wait`, `delete` of an object held by a finalizer): output so far, then the result. */
export interface RunningKubectl {
  stdout(): string;
  stderr(): string;
  readonly result: Promise<KubectlResult>;
  /** Ends it (SIGTERM to this one child) and resolves once it has exited. */
  stop(): Promise<KubectlResult>;
}

/** kubectl bound to one server: its kubeconfig and a discovery/HTTP cache of its own. */
export interface KubectlRunner {
  kubectl(args: string[], options?: KubectlOptions): Promise<KubectlResult>;
  kubectlStart(args: string[], options?: KubectlOptions): RunningKubectl;
}

export interface TestServer extends KubectlRunner {
  readonly api: ApiServerHandle;
  readonly dataDir: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestServer(options: Partial<ApiServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'devcluster-test-'));
  const ownsDir = options.dataDir === undefined;
  let api = await startApiServer({ port: 0, ...options, dataDir });
  // kubectl's discovery and HTTP caches live outside the data dir by default; give each server its own.
  const runner = (): KubectlRunner => kubectlRunner(api.kubeconfigPath, join(dataDir, 'kubectl-cache'));
  const server: TestServer = {
    get api() {
      return api;
    },
    dataDir,
    kubectl: (args, opts) => runner().kubectl(args, opts),
    kubectlStart: (args, opts) => runner().kubectlStart(args, opts),
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

export function kubectlRunner(kubeconfigPath: string, cacheDir: string): KubectlRunner {
  const prefix = ['--kubeconfig', kubeconfigPath, '--cache-dir', cacheDir];
  return {
    kubectl: (args, opts) => runKubectl([...prefix, ...args], opts),
    kubectlStart: (args, opts) => startKubectl([...prefix, ...args], opts),
  };
}

export function runKubectl(args: string[], opts: KubectlOptions = {}): Promise<KubectlResult> {
  return startKubectl(args, opts).result;
}

export function startKubectl(args: string[], opts: KubectlOptions = {}): RunningKubectl {
  const child: ChildProcessWithoutNullStreams = spawn('kubectl', args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let stopped = false;
  const result = new Promise<KubectlResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const outcome = { code: code ?? -1, stdout, stderr };
      if (code !== 0 && !opts.allowFailure && !stopped) reject(new Error(`kubectl ${args.join(' ')} failed (${code}): ${stderr || stdout}`));
      else resolve(outcome);
    });
  });
  child.stdin.end(opts.input ?? '');
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    result,
    stop() {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return result;
    },
  };
}
