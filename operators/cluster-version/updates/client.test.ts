import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { ensureServingCertificates } from '../../../devcluster/apiserver/tls/index.ts';
import { startUpdateGraphServer, type UpdateGraphServer } from '../../../devcluster/update-graph/server.ts';
import { makeTempDir, payloadFor, writeGraphDir } from '../../../devcluster/update-graph/test-fixtures.ts';
import { createUpdateGraphClient, goArch, requestUrl, type FetchLike, type UpdateQuery } from './client.ts';
import { UpdateRetrievalError, type RetrievalReason } from './errors.ts';

const CLUSTER_ID = '0b7e1cd3-6a0e-4d5c-9f62-3c1e3b6a9d21';
const signal = new AbortController().signal;

async function rejection(promise: Promise<unknown>): Promise<UpdateRetrievalError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof UpdateRetrievalError, `expected UpdateRetrievalError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

const RISK = { name: 'EtcdSlowDefrag', message: 'etcd may defragment slowly.', url: 'https://example.invalid/ETCD-1', matchingRules: [{ type: 'Always' }] };

describe('update graph client against the bundled server', () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let server: UpdateGraphServer;
  const client = createUpdateGraphClient();
  const query = (version: string, channel: string): UpdateQuery => ({ upstream: server.url, channel, arch: 'amd64', version, id: CLUSTER_ID });

  before(async () => {
    tmp = await makeTempDir();
    await writeGraphDir(tmp.dir, {
      releases: [
        { version: '4.16.0' },
        { version: '4.16.1', previous: ['4.16.0'], metadata: { url: 'https://example.invalid/errata/4.16.1' } },
        { version: '4.16.2', previous: ['4.16.0', '4.16.1'] },
        { version: '4.16.3', previous: ['4.16.2'] },
        { version: '4.17.0', previous: ['4.16.2', '4.16.3'] },
        { version: '4.17.0+arm64', architecture: 'arm64', previous: ['4.16.2'] },
      ],
      channels: { 'stable-4.16': ['4.16.0', '4.16.1', '4.16.2', '4.16.3'], 'stable-4.17': ['4.16.2', '4.16.3', '4.17.0'] },
      blockedEdges: { '4.16.2-etcd': { to: '4.16.2', from: '4\\.16\\.0', ...RISK } },
    });
    server = await startUpdateGraphServer({ dir: tmp.dir });
  });

  after(async () => {
    await server.stop();
    await tmp.remove();
  });

  it('lists the direct updates of the current version within the channel, newest first, with url and channels', async () => {
    const answer = await client.fetch(query('4.16.1', 'stable-4.16'), signal);
    assert.deepEqual(answer.updates, [{ version: '4.16.2', image: payloadFor('4.16.2'), channels: ['stable-4.16', 'stable-4.17'] }]);
    assert.deepEqual(answer.conditionalUpdates, []);
    assert.deepEqual(answer.current, {
      version: '4.16.1',
      image: payloadFor('4.16.1'),
      url: 'https://example.invalid/errata/4.16.1',
      channels: ['stable-4.16'],
    });
  });

  it('offers the next minor only in the channel that lists it', async () => {
    const inStable416 = await client.fetch(query('4.16.2', 'stable-4.16'), signal);
    assert.deepEqual(inStable416.updates.map((u) => u.version), ['4.16.3']);
    const inStable417 = await client.fetch(query('4.16.2', 'stable-4.17'), signal);
    assert.deepEqual(inStable417.updates.map((u) => u.version), ['4.17.0', '4.16.3']);
  });

  it('reads a blocked edge with a risk as a conditional update, not an unconditional one', async () => {
    const answer = await client.fetch(query('4.16.0', 'stable-4.16'), signal);
    assert.deepEqual(answer.updates.map((u) => u.version), ['4.16.1']);
    assert.deepEqual(answer.conditionalUpdates, [
      { release: { version: '4.16.2', image: payloadFor('4.16.2'), channels: ['stable-4.16', 'stable-4.17'] }, risks: [RISK] },
    ]);
  });

  it('filters by architecture', async () => {
    const answer = await client.fetch({ ...query('4.16.2', 'stable-4.17'), arch: 'arm64' }, signal).catch((e: unknown) => e);
    // Only 4.17.0+arm64 exists for arm64, so a 4.16.2 arm64 cluster is not in the graph.
    assert.ok(answer instanceof UpdateRetrievalError && answer.reason === 'VersionNotFound');
    const arm = await client.fetch({ ...query('4.17.0', 'stable-4.17'), arch: 'arm64' }, signal);
    assert.equal(arm.current.image, payloadFor('4.17.0', 'arm64'));
  });

  it('says VersionNotFound, as the CVO words it, for a version outside the channel', async () => {
    const err = await rejection(client.fetch(query('4.15.9', 'stable-4.16'), signal));
    assert.equal(err.reason, 'VersionNotFound');
    assert.equal(err.conditionMessage, 'Unable to retrieve available updates: currently reconciling cluster version 4.15.9 not found in the "stable-4.16" channel');
  });

  it('says ResponseFailed with the status and Cincinnati error for a non-200 answer', async () => {
    const err = await rejection(client.fetch(query('4.16.0', 'Stable'), signal));
    assert.equal(err.reason, 'ResponseFailed');
    assert.equal(
      err.message,
      "unexpected HTTP status: 400 Bad Request: invalid_params: invalid client parameters: channel 'Stable' does not match regex '^[0-9a-z\\-.]+$'",
    );
  });

  it('says RemoteFailed, without the cluster ID, when nothing listens', async () => {
    const down = await startUpdateGraphServer({ dir: tmp.dir });
    await down.stop();
    const err = await rejection(client.fetch({ ...query('4.16.0', 'stable-4.16'), upstream: down.url }, signal));
    assert.equal(err.reason, 'RemoteFailed');
    assert.match(err.message, /ECONNREFUSED/);
    assert.match(err.message, /id=REDACTED/);
    assert.doesNotMatch(err.message, new RegExp(CLUSTER_ID));
  });

  it('trusts an https upstream through the given CA, and only then', async () => {
    const certs = await ensureServingCertificates(`${tmp.dir}/tls`);
    const secure = await startUpdateGraphServer({ dir: tmp.dir, tls: { cert: certs.certPem, key: certs.keyPem } });
    try {
      assert.match(secure.url, /^https:/);
      const answer = await createUpdateGraphClient({ ca: certs.caPem }).fetch({ ...query('4.16.1', 'stable-4.16'), upstream: secure.url }, signal);
      assert.deepEqual(answer.updates.map((u) => u.version), ['4.16.2']);
      const err = await rejection(client.fetch({ ...query('4.16.1', 'stable-4.16'), upstream: secure.url }, signal));
      assert.equal(err.reason, 'RemoteFailed');
    } finally {
      await secure.stop();
    }
  });
});

describe('update graph client request', () => {
  it('sends arch, channel, id and version, keeps the upstream query, and asks for application/json', async () => {
    let seen: { url: string; headers: Record<string, string> } | undefined;
    const fetch: FetchLike = async (url, init) => {
      seen = { url, headers: init.headers };
      return { status: 200, statusText: 'OK', text: async () => JSON.stringify({ nodes: [{ version: '4.16.0', payload: 'p' }], edges: [] }) };
    };
    await createUpdateGraphClient({ fetch }).fetch(
      { upstream: 'https://updates.example/graph?tenant=a', channel: 'stable-4.16', arch: 'amd64', version: '4.16.0', id: CLUSTER_ID },
      signal,
    );
    assert.equal(seen?.url, `https://updates.example/graph?tenant=a&arch=amd64&channel=stable-4.16&id=${CLUSTER_ID}&version=4.16.0`);
    assert.equal(seen?.headers.Accept, 'application/json');
  });

  const base: UpdateQuery = { upstream: 'http://u.example/graph', channel: 'stable-4.16', arch: 'amd64', version: '4.16.0' };
  const localCases: { query: Partial<UpdateQuery>; reason: RetrievalReason; message: string }[] = [
    { query: { upstream: '' }, reason: 'NoUpstream', message: 'No upstream server has been set to retrieve updates.' },
    { query: { upstream: 'updates.example/graph' }, reason: 'InvalidURI', message: 'failed to parse upstream URL: "updates.example/graph" is not an absolute URL' },
    { query: { upstream: 'ftp://u.example/graph' }, reason: 'InvalidURI', message: 'failed to parse upstream URL: scheme "ftp:" is not http: or https:' },
    { query: { id: 'not-a-uuid' }, reason: 'InvalidID', message: 'invalid cluster ID: "not-a-uuid" must be an RFC4122-variant version-4 UUID' },
    { query: { arch: '' }, reason: 'NoArchitecture', message: 'The set of architectures has not been configured.' },
    { query: { version: '' }, reason: 'NoCurrentVersion', message: 'The cluster version does not have a semantic version assigned and cannot calculate valid upgrades.' },
    { query: { channel: '' }, reason: 'NoChannel', message: 'The update channel has not been configured.' },
    {
      query: { version: '4.16' },
      reason: 'InvalidCurrentVersion',
      message: 'The current cluster version "4.16" is not a valid semantic version and cannot be used to calculate upgrades.',
    },
  ];
  for (const c of localCases) {
    it(`says ${c.reason} before sending anything for ${JSON.stringify(c.query)}`, () => {
      assert.throws(() => requestUrl({ ...base, ...c.query }), (err: unknown) => {
        assert.ok(err instanceof UpdateRetrievalError);
        assert.equal(err.reason, c.reason);
        assert.equal(err.conditionMessage, c.message);
        return true;
      });
    });
  }

  it('says ResponseInvalid for a 200 answer that is not a graph', async () => {
    const fetch: FetchLike = async () => ({ status: 200, statusText: 'OK', text: async () => '{"nodes": [' });
    const err = await rejection(createUpdateGraphClient({ fetch }).fetch(base, signal));
    assert.equal(err.reason, 'ResponseInvalid');
    assert.match(err.conditionMessage, /^Unable to retrieve available updates: response is not JSON: /);
  });

  it('maps Node architectures to the GOARCH names Cincinnati expects', () => {
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('arm64'), 'arm64');
    assert.equal(goArch('ppc64'), 'ppc64le');
  });

  it('refuses a ca together with a custom fetch, which would silently ignore it', () => {
    assert.throws(() => createUpdateGraphClient({ fetch: async () => ({ status: 200, statusText: 'OK', text: async () => '' }), ca: 'pem' }), /only applies to the default fetch/);
  });
});
