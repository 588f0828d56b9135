import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureServingCertificates } from './certificates.ts';
import type { ServingCertificates } from './certificates.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tls-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** GETs / from an https server with `certs`, trusting only `ca`; resolves the status or rejects with the TLS error. */
async function fetchWith(certs: ServingCertificates, client: { ca: string; host: string; servername?: string }): Promise<number> {
  const server = https.createServer({ cert: certs.certPem, key: certs.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, client.host, resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<number>((resolve, reject) => {
      https
        .get({ host: client.host, port, ca: client.ca, servername: client.servername, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('ensureServingCertificates', () => {
  it('serves https that a client trusting only ca.crt accepts for 127.0.0.1, ::1 and localhost', async () => {
    const certs = await ensureServingCertificates(dir);
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    assert.equal(ca, certs.caPem);
    assert.equal(await fetchWith(certs, { ca, host: '127.0.0.1' }), 200);
    assert.equal(await fetchWith(certs, { ca, host: '127.0.0.1', servername: 'localhost' }), 200);
    assert.equal(await fetchWith(certs, { ca, host: '::1' }), 200);
  });

  it('is rejected for a name outside its SANs and by a client trusting another CA', async () => {
    const certs = await ensureServingCertificates(dir);
    await assert.rejects(fetchWith(certs, { ca: certs.caPem, host: '127.0.0.1', servername: 'example.com' }), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    const other = await ensureServingCertificates(join(dir, 'other'));
    await assert.rejects(fetchWith(certs, { ca: other.caPem, host: '127.0.0.1' }), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('makes a CA certificate and a SAN-only server certificate of the expected shape', async () => {
    const now = new Date('2030-06-01T00:00:00Z');
    const certs = await ensureServingCertificates(dir, { now });
    const ca = new X509Certificate(certs.caPem);
    const server = new X509Certificate(certs.certPem);
    assert.equal(ca.ca, true);
    assert.equal(ca.subject, 'CN=devcluster-ca');
    assert.equal(server.ca, false);
    assert.equal(server.issuer, 'CN=devcluster-ca');
    assert.equal(server.subjectAltName, 'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
    assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1']); // extended key usage: serverAuth
    assert.equal(server.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(server.verify(ca.publicKey), true);
    assert.equal(server.validToDate.getTime(), now.getTime() + 365 * DAY_MS);
    assert.equal(ca.validToDate.getTime(), now.getTime() + 10 * 365 * DAY_MS);
  });

  it('writes the keys with mode 0600', async () => {
    await ensureServingCertificates(dir);
    for (const key of ['ca.key', 'server.key']) assert.equal(statSync(join(dir, key)).mode & 0o777, 0o600, key);
  });

  it('reuses the files on later starts', async () => {
    const first = await ensureServingCertificates(dir);
    assert.deepEqual(await ensureServingCertificates(dir), first);
  });

  it('renews the server certificate within 30 days of its expiry and keeps the CA', async () => {
    const start = new Date('2030-01-01T00:00:00Z');
    const first = await ensureServingCertificates(dir, { now: start });
    const stillValid = await ensureServingCertificates(dir, { now: new Date(start.getTime() + 334 * DAY_MS) });
    assert.deepEqual(stillValid, first);
    const renewed = await ensureServingCertificates(dir, { now: new Date(start.getTime() + 336 * DAY_MS) });
    assert.equal(renewed.caPem, first.caPem);
    assert.notEqual(renewed.certPem, first.certPem);
    assert.notEqual(renewed.keyPem, first.keyPem);
    assert.equal(new X509Certificate(renewed.certPem).verify(new X509Certificate(first.caPem).publicKey), true);
  });

  it('replaces a server key that does not match its certificate, as a crash between the two writes leaves it', async () => {
    const first = await ensureServingCertificates(dir);
    const stray = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    writeFileSync(join(dir, 'server.key'), stray);
    const second = await ensureServingCertificates(dir);
    assert.equal(second.caPem, first.caPem);
    assert.notEqual(second.keyPem, stray);
    assert.equal(new X509Certificate(second.certPem).checkPrivateKey(createPrivateKey(second.keyPem)), true);
  });

  it('issues a new CA and server certificate when the CA is gone', async () => {
    const first = await ensureServingCertificates(dir);
    rmSync(join(dir, 'ca.key'));
    const second = await ensureServingCertificates(dir);
    assert.notEqual(second.caPem, first.caPem);
    assert.notEqual(second.certPem, first.certPem);
    assert.equal(new X509Certificate(second.certPem).verify(new X509Certificate(second.caPem).publicKey), true);
  });
});
