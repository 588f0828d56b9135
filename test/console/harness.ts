// The console under test: the dev cluster in-process (ephemeral, free port) serving the built console, and Debian's
// chromium driven by playwright-core (browsers cannot be downloaded here; .ci/run installs the `chromium` package).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startDevCluster, type DevClusterHandle, type DevClusterOptions } from '../../devcluster/cluster.ts';
import { kubeJson, type KubeRequest } from '../../operators/runtime/kube-http.ts';

const ROOT = join(import.meta.dirname, '..', '..');
export const CONSOLE_SRC = join(ROOT, 'console');
export const CONSOLE_DIST = join(CONSOLE_SRC, 'dist');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags from the machine notes: without the background-networking ones Chromium keeps dialling Google's hosts. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function newestMtimeMs(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).filter((f) => !f.endsWith('.test.ts')).map((f) => newestMtimeMs(join(path, f))));
}

/** Builds console/dist when it is missing or older than its sources (`npm test` has built it already). */
export async function ensureConsoleBuilt(): Promise<void> {
  let built = 0;
  try {
    built = statSync(join(CONSOLE_DIST, 'index.html')).mtimeMs;
  } catch {
    // Not built yet.
  }
  const sources = Math.max(...['src', 'index.html', 'vite.config.ts'].map((f) => newestMtimeMs(join(CONSOLE_SRC, f))));
  if (built > sources) return;
  const { build } = await import('vite');
  await build({ configFile: join(CONSOLE_SRC, 'vite.config.ts'), logLevel: 'warn' });
}

export interface ConsoleEnv {
  readonly cluster: DevClusterHandle;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** https://127.0.0.1:<port>/console/ */
  readonly consoleUrl: string;
  readonly token: string;
  api<T = unknown>(path: string, request?: KubeRequest): Promise<T>;
  /** test-artifacts/console/<name>.png */
  screenshot(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface ConsoleEnvOptions {
  /** The release machinery (cluster-version operator, update graph, demo releases); off by default. */
  readonly clusterVersion?: DevClusterOptions['clusterVersion'];
}

export async function startConsoleEnv(options: ConsoleEnvOptions = {}): Promise<ConsoleEnv> {
  await ensureConsoleBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'console-test-'));
  const cluster = await startDevCluster({ dataDir, port: 0, ephemeral: true, consoleDir: CONSOLE_DIST, minRequeueAfterMs: 100, clusterVersion: options.clusterVersion });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  // The dev cluster's CA is generated per data dir; the browser is told to accept it rather than installing it.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    cluster, browser, context, page,
    consoleUrl: `${cluster.api.url}/console/`,
    token: cluster.api.token!,
    api: (path, request) => kubeJson(cluster.kubeConfig, path, request),
    screenshot: async (name) => { await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) }); },
    async stop() {
      await browser.close();
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
