import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ensureServingCertificates } from '../../../devcluster/apiserver/tls/index.ts';
import { loadPayloadFromDirectory, readPayloadDirectory } from './directory.ts';
import { PayloadError } from './errors.ts';
import { writeSamplePayload } from './fixtures.test-util.ts';
import { canonicalPayloadTar, payloadDigest } from './payload.ts';
import { createPayloadSource, releaseLocation } from './source.ts';
import { loadPayloadFromTarball } from './tarball.ts';

const signal = new AbortController().signal;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function rejection(promise: Promise<unknown>): Promise<PayloadError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof PayloadError, `expected a PayloadError, got ${String(err)}`);
  return err;
}

describe('loading payloads from a directory and from tarballs', () => {
  let dir: string;
  let root: string;
  let tar: Uint8Array;
  let server: Server;
  let base: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'payload-load-'));
    root = writeSamplePayload(join(dir, 'root'));
    tar = canonicalPayloadTar(readPayloadDirectory(root));
    const bodies: Record<string, Uint8Array> = { '/4.16.2.tar': tar, '/4.16.2.tar.gz': gzipSync(tar), '/garbage.tar': Buffer.from('not a tar archive at all') };
    server = createHttpServer((req, res) => {
      const body = bodies[req.url ?? ''];
      res.writeHead(body ? 200 : 404).end(body);
    });
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a directory: version, metadata, images and the included manifests', () => {
    const payload = loadPayloadFromDirectory(root);
    assert.equal(payload.version, '4.16.2');
    assert.deepEqual(payload.metadata.previous, ['4.16.0', '4.16.1']);
    assert.ok(payload.images.some((i) => i.name === 'rhel-coreos'));
    assert.equal(payload.manifests.length, 4);
    assert.equal(payload.pullSpec, pathToFileURL(root).href);
    assert.equal(payload.digest, payloadDigest(readPayloadDirectory(root)));
  });

  for (const name of ['4.16.2.tar', '4.16.2.tar.gz']) {
    it(`loads ${name} over HTTP with the same digest as the directory`, async () => {
      const payload = await loadPayloadFromTarball(`${base}/${name}`);
      assert.equal(payload.version, '4.16.2');
      assert.equal(payload.manifests.length, 4);
      assert.equal(payload.digest, loadPayloadFromDirectory(root).digest);
      assert.equal(payload.pullSpec, `${base}/${name}`);
    });
  }

  it('uses the sha256 of the canonical tar as the digest', async () => {
    const { createHash } = await import('node:crypto');
    assert.equal((await loadPayloadFromTarball(`${base}/4.16.2.tar`)).digest, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
  });

  it('reports a missing tarball as RetrievePayload with the HTTP status', async () => {
    const err = await rejection(loadPayloadFromTarball(`${base}/4.99.0.tar`));
    assert.equal(err.reason, 'RetrievePayload');
    assert.equal(err.message, `GET ${base}/4.99.0.tar: 404 Not Found`);
  });

  it('reports an unreachable server as RetrievePayload', async () => {
    const unused = createHttpServer();
    const port = await listen(unused);
    await new Promise((resolve) => unused.close(resolve));
    const err = await rejection(loadPayloadFromTarball(`http://127.0.0.1:${port}/x.tar`));
    assert.equal(err.reason, 'RetrievePayload');
    assert.match(err.message, /ECONNREFUSED/);
  });

  it('reports content that is not a tar archive as LoadPayload', async () => {
    const err = await rejection(loadPayloadFromTarball(`${base}/garbage.tar`));
    assert.equal(err.reason, 'LoadPayload');
    assert.match(err.message, /garbage\.tar: not a readable tar archive/);
  });

  it('loads over HTTPS when given the server CA, and refuses the server without it', async () => {
    const certs = await ensureServingCertificates(join(dir, 'tls'));
    const https = createHttpsServer({ cert: certs.certPem, key: certs.keyPem }, (_req, res) => res.end(tar));
    const url = `https://127.0.0.1:${await listen(https)}/4.16.2.tar`;
    try {
      assert.equal((await loadPayloadFromTarball(url, { ca: certs.caPem })).version, '4.16.2');
      const err = await rejection(loadPayloadFromTarball(url));
      assert.match(err.message, /certificate/i);
    } finally {
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
    }
  });

  describe('PayloadSource', () => {
    it('dispatches on the image: file:// directory or tar file, http(s):// tarball, anything else a registry', () => {
      assert.deepEqual(
        ['file:///p', 'https://h/x.tar', 'http://h/x.tar.gz', 'registry.local:5000/ocp/release@sha256:abc', 'quay.io/x'].map(releaseLocation),
        ['directory-or-file', 'tarball', 'tarball', 'registry', 'registry'],
      );
    });

    it('loads a file:// directory, a file:// tar file and an https:// tarball', async () => {
      const source = createPayloadSource();
      writeFileSync(join(dir, 'p.tar.gz'), gzipSync(tar));
      const loaded = await Promise.all([
        source.load({ image: pathToFileURL(root).href }, signal),
        source.load({ image: pathToFileURL(join(dir, 'p.tar.gz')).href }, signal),
        source.load({ image: `${base}/4.16.2.tar` }, signal),
      ]);
      assert.deepEqual(loaded.map((p) => p.version), ['4.16.2', '4.16.2', '4.16.2']);
      assert.equal(new Set(loaded.map((p) => p.digest)).size, 1);
    });

    it('passes the cluster profile to the filter', async () => {
      const payload = await createPayloadSource({ profile: 'single-node-developer' }).load({ image: pathToFileURL(root).href }, signal);
      assert.deepEqual(payload.manifests.map((m) => m.object.metadata?.name), ['openshift-cluster-version']);
    });

    it('refuses a release without an image', async () => {
      const err = await rejection(createPayloadSource().load({ version: '4.16.2' }, signal));
      assert.equal(err.message, 'release 4.16.2 has no image to load');
    });

    it('refuses a registry image referenced by tag', async () => {
      const err = await rejection(createPayloadSource().load({ image: 'registry.local:5000/ocp/release:4.16.2' }, signal));
      assert.equal(err.message, 'registry.local:5000/ocp/release:4.16.2: a release image must be referenced by digest (…@sha256:<hex>), not by tag');
    });
  });

  it('reads the payload fixture from disk as written', () => {
    assert.match(readFileSync(join(root, 'release-manifests', 'release-metadata'), 'utf8'), /cincinnati-metadata-v0/);
  });
});
