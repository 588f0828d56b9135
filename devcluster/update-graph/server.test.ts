import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import { GRAPH_PATH, startUpdateGraphServer, type UpdateGraphServer } from './server.ts';
import { makeTempDir, writeChannel, writeGraphDir } from './test-fixtures.ts';

describe('update-graph server', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: UpdateGraphServer;

  before(async () => {
    tmp = await makeTempDir();
    await writeGraphDir(tmp.dir, {
      releases: [{ version: '4.16.0' }, { version: '4.16.1', previous: ['4.16.0'] }],
      channels: { 'stable-4.16': ['4.16.0', '4.16.1'] },
    });
    server = await startUpdateGraphServer({ dir: tmp.dir });
  });

  after(async () => {
    await server.stop();
    await tmp.remove();
  });

  const get = (query: string, headers: Record<string, string> = { Accept: 'application/json' }, path = GRAPH_PATH) =>
    fetch(new URL(`${path}${query}`, server.url), { headers });

  it('serves the channel graph as application/json at the endpoint url', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/api\/upgrades_info\/v1\/graph$/);
    const res = await fetch(`${server.url}?channel=stable-4.16&arch=amd64&version=4.16.0&id=x`, { headers: { Accept: 'application/json' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    const body = (await res.json()) as { version: number; nodes: { version: string }[]; edges: number[][] };
    assert.equal(body.version, 1);
    assert.deepEqual(body.nodes.map((n) => n.version), ['4.16.0', '4.16.1']);
    assert.deepEqual(body.edges, [[0, 1]]);
  });

  it('also serves the policy engine paths', async () => {
    for (const path of ['/graph', '/v1/graph', '/api/upgrades_info/graph']) {
      assert.equal((await get('?channel=stable-4.16', undefined, path)).status, 200, path);
    }
  });

  const errors: { name: string; query: string; headers?: Record<string, string>; path?: string; method?: string; status: number; body: unknown }[] = [
    { name: 'a missing channel', query: '', status: 400, body: { kind: 'missing_params', value: 'mandatory client parameters missing: channel' } },
    {
      name: 'a channel outside Cincinnati\'s alphabet',
      query: '?channel=Stable_4.16',
      status: 400,
      body: { kind: 'invalid_params', value: "invalid client parameters: channel 'Stable_4.16' does not match regex '^[0-9a-z\\-.]+$'" },
    },
    {
      name: 'an invalid arch',
      query: '?channel=stable-4.16&arch=x86-64',
      status: 400,
      body: { kind: 'invalid_params', value: "invalid client parameters: arch 'x86-64' does not match regex '^[0-9a-z]+$'" },
    },
    { name: 'an Accept without JSON', query: '?channel=stable-4.16', headers: { Accept: 'text/html' }, status: 406, body: { kind: 'invalid_content_type', value: 'invalid Content-Type requested' } },
    { name: 'an unknown path', query: '?channel=stable-4.16', path: '/nope', status: 404, body: { kind: 'not_found', value: `no such endpoint /nope; the graph is at ${GRAPH_PATH}` } },
    { name: 'a POST', query: '?channel=stable-4.16', method: 'POST', status: 405, body: { kind: 'method_not_allowed', value: 'method POST is not allowed; use GET' } },
  ];
  for (const c of errors) {
    it(`answers ${c.name} with ${c.status} and Cincinnati's {kind, value} error`, async () => {
      const res = await fetch(new URL(`${c.path ?? GRAPH_PATH}${c.query}`, server.url), {
        method: c.method ?? 'GET',
        headers: c.headers ?? { Accept: 'application/json' },
      });
      assert.equal(res.status, c.status);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.deepEqual(await res.json(), c.body);
    });
  }

  it('accepts the versioned Cincinnati media type and a wildcard', async () => {
    assert.equal((await get('?channel=stable-4.16', { Accept: 'application/vnd.redhat.cincinnati.v1+json' })).status, 200);
    assert.equal((await get('?channel=stable-4.16', { Accept: 'text/html, */*;q=0.1' })).status, 200);
  });

  it('answers an unknown channel with an empty graph, as Cincinnati does', async () => {
    assert.deepEqual(await (await get('?channel=fast-9.9')).json(), { version: 1, nodes: [], edges: [], conditionalEdges: [] });
  });

  it('sees an edited channel file on the next request', async () => {
    const versions = async () => ((await (await get('?channel=stable-4.16')).json()) as { nodes: { version: string }[] }).nodes.map((n) => n.version);
    assert.deepEqual(await versions(), ['4.16.0', '4.16.1']);
    await writeChannel(tmp.dir, 'stable-4.16', ['4.16.1']);
    assert.deepEqual(await versions(), ['4.16.1']);
    await writeChannel(tmp.dir, 'stable-4.16', ['4.16.0', '4.16.1']);
    assert.deepEqual(await versions(), ['4.16.0', '4.16.1']);
  });
});

describe('update-graph server with a broken directory', () => {
  const cases: { name: string; file: string; content: string; value: RegExp }[] = [
    { name: 'a release without payload', file: 'releases/4.16.5.json', content: '{"version":"4.16.5"}', value: /releases\/4\.16\.5\.json: payload: required/ },
    { name: 'an unquoted YAML version', file: 'channels/fast-4.16.yaml', content: 'versions:\n- 4.16\n', value: /channels\/fast-4\.16\.yaml: versions\[0\]: 4\.16 is not a semantic version \(a number: quote it\)/ },
    { name: 'a misspelt field', file: 'releases/4.16.5.json', content: '{"version":"4.16.5","payload":"p","prevous":[]}', value: /releases\/4\.16\.5\.json: prevous: unknown field/ },
    { name: 'a bad from expression', file: 'blocked-edges/x.yaml', content: 'to: 4.16.0\nfrom: "4.16.("\n', value: /blocked-edges\/x\.yaml: from: Invalid regular expression/ },
    { name: 'a risk without url', file: 'blocked-edges/x.yaml', content: 'to: 4.16.0\nfrom: .*\nname: R\nmessage: m\nmatchingRules: [{type: Always}]\n', value: /blocked-edges\/x\.yaml: url: required when matchingRules is given/ },
    { name: 'a version defined twice', file: 'releases/dup.json', content: '{"version":"4.16.0","payload":"p"}', value: /releases\/dup\.json: version 4\.16\.0 for amd64 is already defined by releases\/4\.16\.0\.json/ },
    { name: 'invalid JSON', file: 'releases/4.16.5.json', content: '{"version":', value: /releases\/4\.16\.5\.json: not valid JSON/ },
  ];
  for (const c of cases) {
    it(`answers 500 failed_upstream_fetch naming the file for ${c.name}`, async () => {
      const tmp = await makeTempDir();
      const server = await startUpdateGraphServer({ dir: tmp.dir });
      try {
        await writeGraphDir(tmp.dir, { releases: [{ version: '4.16.0' }], channels: { 'stable-4.16': ['4.16.0'] } });
        await writeFile(join(tmp.dir, c.file), c.content);
        const res = await fetch(`${server.url}?channel=stable-4.16`);
        assert.equal(res.status, 500);
        const body = (await res.json()) as { kind: string; value: string };
        assert.equal(body.kind, 'failed_upstream_fetch');
        assert.match(body.value, /^failed to fetch upstream graph: /);
        assert.match(body.value, c.value);
      } finally {
        await server.stop();
        await tmp.remove();
      }
    });
  }

  it('reports a directory without releases/', async () => {
    const tmp = await makeTempDir();
    const server = await startUpdateGraphServer({ dir: tmp.dir });
    try {
      const body = (await (await fetch(`${server.url}?channel=a`)).json()) as { value: string };
      assert.match(body.value, /releases\/: ENOENT/);
    } finally {
      await server.stop();
      await tmp.remove();
    }
  });
});
