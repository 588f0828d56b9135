import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'mocha';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;

/** Starts the CLI and resolves with the URL from its "Serving update graph" line. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(TSX, ['devcluster/update-graph/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      for (const line of out.split('\n')) {
        if (line.includes('"Serving update graph"')) resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => reject(new Error(`CLI exited with ${code} before serving: ${out}`)));
  });
  return { child, url };
}

describe('update-graph CLI', function () {
  this.timeout(15_000);

  it('serves the example directory on a free port and stops on SIGTERM', async () => {
    const { child, url } = await startCli(['--dir', 'devcluster/update-graph/example', '--port', '0']);
    try {
      const res = await fetch(`${url}?channel=stable-4.16&arch=amd64&version=4.16.0`, { headers: { Accept: 'application/json' } });
      assert.equal(res.status, 200);
      const graph = (await res.json()) as { nodes: { version: string }[]; edges: number[][] };
      assert.deepEqual(graph.nodes.map((n) => n.version), ['4.16.0', '4.16.1', '4.16.2']);
      // blocked-edges/4.16.1-direct.yaml removes 4.16.0 -> 4.16.1.
      assert.deepEqual(graph.edges, [[0, 2], [1, 2]]);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    }
  });

  it('refuses to start without --dir and says why', async () => {
    const child = spawn(TSX, ['devcluster/update-graph/main.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(err, /--dir: required/);
  });
});
