import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConsolePath, serveConsole } from './console-static.ts';

describe('console static files', () => {
  let dir: string;
  let server: Server;
  let base: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-static-'));
    mkdirSync(join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dir, 'dist', 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'not for the browser');
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const root = url.searchParams.has('unbuilt') ? join(dir, 'nothing') : join(dir, 'dist');
      if (isConsolePath(url.pathname)) void serveConsole(req, res, root, url.pathname);
      else res.end('api');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: { path: string; method?: string; status: number; body?: RegExp; cache?: string; type?: string }[] = [
    { path: '/console/', status: 200, body: /<title>console/, cache: 'no-cache', type: 'text/html; charset=utf-8' },
    { path: '/console/machinesets/openshift-machine-api/workers', status: 200, body: /<title>console/, cache: 'no-cache' },
    { path: '/console/assets/index-abc.js', status: 200, body: /console\.log/, cache: 'public, max-age=31536000, immutable', type: 'text/javascript; charset=utf-8' },
    { path: '/console/assets/missing.js', status: 404 },
    { path: '/console/..%2fsecret.txt', status: 404 },
    { path: '/console/assets/..%2f..%2f..%2fsecret.txt', status: 404 },
    { path: '/console/%E0%A4%A', status: 400 },
    { path: '/console/', method: 'POST', status: 405 },
    { path: '/console/?unbuilt', status: 404, body: /npm run build:console/ },
    { path: '/consoles', status: 200, body: /^api$/ },
  ];
  for (const c of cases) {
    it(`answers ${c.method ?? 'GET'} ${c.path} with ${c.status}`, async () => {
      const res = await fetch(`${base}${c.path}`, { method: c.method ?? 'GET', redirect: 'manual' });
      const body = await res.text();
      assert.equal(res.status, c.status, body);
      if (c.body) assert.match(body, c.body);
      if (c.cache) assert.equal(res.headers.get('cache-control'), c.cache);
      if (c.type) assert.equal(res.headers.get('content-type'), c.type);
      if (c.path.startsWith('/console/') && c.status === 200) assert.match(res.headers.get('content-security-policy') ?? '', /connect-src 'self'/);
    });
  }

  it('redirects /console to /console/ so that relative asset paths resolve', async () => {
    const res = await fetch(`${base}/console`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), '/console/');
  });
});
