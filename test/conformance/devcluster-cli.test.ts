// The dev cluster command (`npm start` → devcluster/main.ts) as a user meets it: start on a free port,
// readiness, the kubeconfig it writes, bearer-token authentication over TLS, --insecure-http, clean stops on
// SIGTERM and SIGINT, and --ephemeral (apiserver.md §12; the dev-cluster interface). Start-up and
// signals run the whole cluster as `npm start` does; the API-server-only checks add --no-operators.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../devcluster/apiserver/index.ts';
import { waitFor } from '../../operators/runtime/wait.ts';
import { httpGet, portClosed, readKubeconfig, runDevClusterToExit, spawnDevCluster, type DevClusterProcess } from '../support/dev-cluster-process.ts';
import { parseTable } from '../support/kubectl-table.ts';


describe('npm start: the dev cluster command', function () {
  let dir: string;
  const started: DevClusterProcess[] = [];

  async function start(args: string[]): Promise<DevClusterProcess> {
    const cluster = await spawnDevCluster(['--data-dir', dir, '--port', '0', ...args]);
    started.push(cluster);
    return cluster;
  }

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'devcluster-cli-'));
  });

  afterEach(async function () {
    // Only the processes this file started, each by its own handle.
    for (const cluster of started.splice(0)) await cluster.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts on a free port with --port 0, becomes ready, and writes a kubeconfig that kubectl uses', async function () {
    const cluster = await start([]);
    assert.match(cluster.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(cluster.port, 0);
    assert.equal(cluster.kubeconfigPath, join(dir, 'kubeconfig'));
    const kubeconfig = readKubeconfig(cluster.kubeconfigPath);
    assert.equal(kubeconfig.server, cluster.url);
    assert.match(kubeconfig.caPem ?? '', /^-----BEGIN CERTIFICATE-----\n/);

    const ready = await waitFor(async () => {
      const answer = await httpGet(`${cluster.url}/readyz`, { caPem: kubeconfig.caPem });
      return answer.status === 200 && answer;
    }, { message: '/readyz to answer 200' });
    assert.deepEqual([ready.body, ready.contentType.split(';')[0]], ['ok', 'text/plain']);

    const table = parseTable((await cluster.kubectl(['get', 'namespaces'])).stdout);
    assert.deepEqual(table.header, ['NAME', 'STATUS', 'AGE']);
    const seeded = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
    assert.deepEqual(table.rows.filter((r) => seeded.includes(r.NAME)).map((r) => [r.NAME, r.STATUS]), seeded.map((n) => [n, 'Active']));
  });

  it('answers 401 Unauthorized without the bearer token, and kubectl with a wrong token is told to log in', async function () {
    const cluster = await start(['--no-operators']);
    const { caPem, token } = readKubeconfig(cluster.kubeconfigPath);
    assert.match(token ?? '', /^\S{20,}$/);

    const anonymous = await httpGet(`${cluster.url}/api/v1/namespaces`, { caPem });
    assert.deepEqual([anonymous.status, anonymous.contentType.split(';')[0]], [401, 'application/json']);
    assert.deepEqual(JSON.parse(anonymous.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const wrong = await httpGet(`${cluster.url}/api/v1/namespaces`, { caPem, token: 'not-the-token' });
    assert.equal(wrong.status, 401);
    const authorized = await httpGet(`${cluster.url}/api/v1/namespaces`, { caPem, token });
    assert.deepEqual([authorized.status, (JSON.parse(authorized.body) as { kind: string }).kind], [200, 'NamespaceList']);
    // /version stays public: the kubectl dispatcher asks it before it has credentials in play.
    assert.equal((await httpGet(`${cluster.url}/version`, { caPem })).status, 200);

    const kubectl = await cluster.kubectl(['get', 'namespaces', '--token', 'not-the-token'], { allowFailure: true });
    assert.equal(kubectl.code, 1);
    // Discovery is refused first: client-go's wording for a 401 (apimachinery errors.go, StatusReasonUnauthorized).
    assert.match(kubectl.stderr, /\nerror: You must be logged in to the server \(the server has asked for the client to provide credentials\)\n$/);
  });

  it('--insecure-http serves plain HTTP on loopback without authentication', async function () {
    const cluster = await start(['--no-operators', '--insecure-http']);
    assert.match(cluster.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const kubeconfig = readKubeconfig(cluster.kubeconfigPath);
    // client-node refuses http:// unless insecure-skip-tls-verify is set (apiserver.md §12); no token is written.
    assert.deepEqual([kubeconfig.server, kubeconfig.insecureSkipTlsVerify, kubeconfig.token], [cluster.url, true, undefined]);
    const answer = await httpGet(`${cluster.url}/api/v1/namespaces/default`);
    assert.deepEqual([answer.status, (JSON.parse(answer.body) as { metadata: { name: string } }).metadata.name], [200, 'default']);
    assert.equal((await cluster.kubectl(['get', 'namespace', 'default', '-o', 'name'])).stdout, 'namespace/default\n');
  });

  it('refuses --insecure-http on a non-loopback address (main.ts has no --host flag, so through the server option)', async function () {
    await assert.rejects(
      startApiServer({ dataDir: dir, port: 0, insecureHttp: true, host: '0.0.0.0' }),
      { message: '--insecure-http serves without authentication and is only allowed on loopback, not 0.0.0.0' },
    );
  });

  it('refuses a bad flag value with exit code 2 and the usage', async function () {
    const result = await runDevClusterToExit(['--data-dir', dir, '--port', 'nope']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^devcluster: --port: "nope" is not a port number\nUsage: npm start -- \[--data-dir DIR\] \[--port N\] \[--ephemeral\] \[--insecure-http\] \[--repair-store\].*\n$/);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops cleanly on ${signal}: exit code 0, port closed`, async function () {
      const cluster = await start([]);
      assert.equal((await cluster.kubectl(['create', 'namespace', 'before-stop'])).stdout, 'namespace/before-stop created\n');
      const exit = await cluster.stop(signal);
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.match(cluster.stdout(), new RegExp(`\nReceived ${signal}, stopping\n$`));
      assert.equal(await portClosed(cluster.port), true);
    });
  }

  it('--ephemeral keeps nothing on disk or across restarts', async function () {
    const first = await start(['--no-operators', '--ephemeral']);
    await first.kubectl(['create', 'configmap', 'fleeting', '-n', 'default', '--from-literal=a=1']);
    assert.equal((await first.kubectl(['get', 'configmap', 'fleeting', '-o', 'name'])).stdout, 'configmap/fleeting\n');
    assert.deepEqual(await first.stop(), { code: 0, signal: null });
    assert.equal(existsSync(join(dir, 'store')), false, 'no store directory is written');

    const second = await start(['--no-operators', '--ephemeral']);
    const gone = await second.kubectl(['get', 'configmap', 'fleeting'], { allowFailure: true });
    assert.equal(gone.stderr, 'Error from server (NotFound): configmaps "fleeting" not found\n');
  });
});
