// The dev cluster as a user runs it: `devcluster/main.ts` in a child process (what `npm start` runs), its
// URL read from what it prints, plus a small HTTPS client that trusts the CA from the kubeconfig it wrote.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { waitFor } from '../../operators/runtime/wait.ts';
import { kubectlRunner, type KubectlRunner } from './dev-server.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DevClusterProcess extends KubectlRunner {
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  readonly kubeconfigPath: string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** Sends `signal` to this process and resolves with how it exited. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

export interface SpawnOptions {
  timeoutMs?: number;
}

function spawnMain(args: string[]): ChildProcessWithoutNullStreams {
  // `npm start` runs `node --import tsx devcluster/main.ts`: no tsx CLI in between, whose signal relay SIGKILLs a
  // child that has not acknowledged a SIGINT/SIGTERM within 60 ms (a busy event loop), so the server stops cleanly.
  return spawn(process.execPath, ['--import', 'tsx', 'devcluster/main.ts', ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Gathers a child's output as it comes and resolves `exited` once it has closed. */
export function collect(child: ChildProcessWithoutNullStreams): { stdout: () => string; stderr: () => string; exited: Promise<Exit> } {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  child.stdin.end();
  return { stdout: () => stdout, stderr: () => stderr, exited };
}

/** Starts the dev cluster and resolves once it printed its URL; rejects with its output if it exits first. */
export async function spawnDevCluster(args: string[], options: SpawnOptions = {}): Promise<DevClusterProcess> {
  const child = spawnMain(args);
  const output = collect(child);
  let exit: Exit | undefined;
  void output.exited.then((e) => (exit = e));
  let match: RegExpExecArray | null = null;
  try {
    match = await waitFor(() => {
      if (exit) throw new Error(`exited (${exit.code ?? exit.signal}) before listening`);
      return /^Dev cluster API server listening on (https?:\/\/[^\s]+:(\d+))$/m.exec(output.stdout());
    }, { timeoutMs: options.timeoutMs ?? 15_000, message: 'the dev cluster to print its URL' });
  } catch (err) {
    if (!exit) child.kill('SIGTERM');
    throw new Error(`devcluster ${args.join(' ')}: ${(err as Error).message}\nstdout: ${output.stdout()}\nstderr: ${output.stderr()}`, { cause: err });
  }
  const kubeconfigPath = /^Kubeconfig: (.+)$/m.exec(output.stdout())?.[1] ?? '';
  const runner = kubectlRunner(kubeconfigPath, join(dirname(kubeconfigPath), 'kubectl-cache'));
  return {
    ...runner,
    pid: child.pid ?? -1,
    url: match[1],
    port: Number(match[2]),
    kubeconfigPath,
    stdout: output.stdout,
    stderr: output.stderr,
    exited: output.exited,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return output.exited;
    },
  };
}

/** Runs the dev cluster expecting it to stop by itself (a refused start): its exit code and output. */
export async function runDevClusterToExit(args: string[], timeoutMs = 15_000): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawnMain(args);
  const output = collect(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await output.exited;
  clearTimeout(timer);
  return { ...exit, stdout: output.stdout(), stderr: output.stderr() };
}

export interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A GET to the dev cluster; over https it trusts only the CA of the kubeconfig, as kubectl does. */
export function httpGet(url: string, options: { caPem?: string; token?: string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers, ca: options.caPem, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface KubeconfigFacts {
  server: string;
  caPem?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
}

export function readKubeconfig(path: string): KubeconfigFacts {
  const config = parse(readFileSync(path, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string; 'insecure-skip-tls-verify'?: boolean } }[];
    users: { user: { token?: string } }[];
  };
  const cluster = config.clusters[0].cluster;
  const ca = cluster['certificate-authority-data'];
  return {
    server: cluster.server,
    caPem: ca ? Buffer.from(ca, 'base64').toString() : undefined,
    token: config.users[0].user.token,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'],
  };
}

/** True when nothing accepts connections on 127.0.0.1:port any more. */
export function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
