import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMessage, readPrivateKey, sign } from 'openpgp';
import type { VerificationResult } from '../contracts.ts';
import { signatureAcceptance } from './acceptance.ts';
import { signatureConfigMap, verificationConfigMap, type ConfigMap } from './config-maps.ts';
import { generateSigningKey, signRelease, type SigningKeyPair } from './sign.ts';
import { createSimpleSigning, parseSimpleSigning } from './simple-signing.ts';
import { createSignatureVerifier, type FetchSignature, type ReadConfigMaps } from './verifier.ts';

const DIGEST = `sha256:${'1'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'2'.repeat(64)}`;
const REFERENCE = 'registry.local:5000/ocp/release@' + DIGEST;
const signal = new AbortController().signal;

/** A fake API: ConfigMaps filtered by namespace, name and label key, as the real list/get would. */
function configMapReader(configMaps: ConfigMap[]): ReadConfigMaps {
  return async (query) => configMaps.filter((cm) =>
    cm.metadata?.namespace === query.namespace
    && (query.name === undefined || cm.metadata.name === query.name)
    && (query.labelSelector === undefined || cm.metadata.labels?.[query.labelSelector] !== undefined));
}

/** A signature store in memory: URL → bytes; anything else is a 404. */
function storeFetch(files: Record<string, Uint8Array>): FetchSignature & { urls: string[] } {
  const urls: string[] = [];
  const fn = async (url: string) => {
    urls.push(url);
    const body = files[url];
    return { status: body ? 200 : 404, ok: body !== undefined, arrayBuffer: async () => new Uint8Array(body ?? []).buffer };
  };
  return Object.assign(fn, { urls });
}

function failure(result: VerificationResult): { reason: string; message: string } {
  assert.equal(result.verified, false, 'expected verification to fail');
  return result.verified ? assert.fail() : { reason: result.reason, message: result.message };
}

describe('release signature verification', function () {
  this.timeout(10_000);
  let red: SigningKeyPair;
  let blue: SigningKeyPair;
  let stranger: SigningKeyPair;

  before(async () => {
    [red, blue, stranger] = await Promise.all([generateSigningKey('red'), generateSigningKey('blue'), generateSigningKey('stranger')]);
  });

  const trustRed = () => verificationConfigMap({ red: red.publicKeyArmored });

  async function verifyWith(configMaps: ConfigMap[], fetchFiles: Record<string, Uint8Array> = {}, digest = DIGEST) {
    const fetch = storeFetch(fetchFiles);
    const result = await createSignatureVerifier({ readConfigMaps: configMapReader(configMaps), fetch }).verify(digest, REFERENCE, signal);
    return { result, fetch };
  }

  it('verifies a digest signed by the trusted key, found in a signature ConfigMap', async () => {
    const signature = await signRelease(DIGEST, REFERENCE, red.privateKeyArmored);
    const { result } = await verifyWith([trustRed(), signatureConfigMap('release-4.16.2', DIGEST, [signature])]);
    assert.deepEqual(result, { verified: true, keys: ['verifier-public-key-red'] });
  });

  it('verifies a signature from an HTTP store named in the trust ConfigMap (sha256=<hex>/signature-N)', async () => {
    const signature = await signRelease(DIGEST, REFERENCE, red.privateKeyArmored);
    const trust = verificationConfigMap({ red: red.publicKeyArmored }, { mirror: 'https://mirror.example/signatures/' });
    const { result, fetch } = await verifyWith([trust], { [`https://mirror.example/signatures/sha256=${'1'.repeat(64)}/signature-1`]: signature });
    assert.equal(result.verified, true);
    assert.deepEqual(fetch.urls, [`https://mirror.example/signatures/sha256=${'1'.repeat(64)}/signature-1`]);
  });

  it('refuses an unsigned digest, saying where it looked', async () => {
    const trust = verificationConfigMap({ red: red.publicKeyArmored }, { mirror: 'https://mirror.example/sigs' });
    const { result, fetch } = await verifyWith([trust]);
    assert.deepEqual(failure(result), {
      reason: 'NoSignature',
      message: `unable to verify ${DIGEST} against keyrings: verifier-public-key-red: no signature found (searched signature ConfigMaps, https://mirror.example/sigs)`,
    });
    assert.deepEqual(fetch.urls, [`https://mirror.example/sigs/sha256=${'1'.repeat(64)}/signature-1`], 'stops at the first 404');
  });

  it('refuses a tampered payload: the trusted key signed another digest', async () => {
    const signature = await signRelease(OTHER_DIGEST, REFERENCE, red.privateKeyArmored);
    const { result } = await verifyWith([trustRed(), signatureConfigMap('sigs', DIGEST, [signature])]);
    assert.deepEqual(failure(result), {
      reason: 'DigestMismatch',
      message: `unable to verify ${DIGEST} against keyrings: verifier-public-key-red: signature 1 in ConfigMap openshift-config-managed/sigs: signature is for ${OTHER_DIGEST}, not ${DIGEST}`,
    });
  });

  it('refuses a signature by a key the cluster does not trust, naming the key', async () => {
    const signature = await signRelease(DIGEST, REFERENCE, stranger.privateKeyArmored);
    const { reason, message } = failure((await verifyWith([trustRed(), signatureConfigMap('sigs', DIGEST, [signature])])).result);
    assert.equal(reason, 'UntrustedSignature');
    assert.match(message, new RegExp(`signed by key ${stranger.fingerprint.slice(-16)}, which no keyring trusts$`));
  });

  it('refuses a signature whose signed claim was edited to name this digest', async () => {
    const signature = Buffer.from(await signRelease(OTHER_DIGEST, REFERENCE, red.privateKeyArmored));
    const at = signature.indexOf(OTHER_DIGEST);
    assert.ok(at > 0, 'the literal data is stored uncompressed');
    signature.write(DIGEST, at, 'latin1');
    const { reason, message } = failure((await verifyWith([trustRed(), signatureConfigMap('sigs', DIGEST, [signature])])).result);
    assert.equal(reason, 'InvalidSignature');
    assert.match(message, /signature 1 in ConfigMap openshift-config-managed\/sigs: signature by a trusted key does not verify: /);
  });

  it('refuses bytes that are not an OpenPGP message as malformed', async () => {
    const { reason, message } = failure((await verifyWith([trustRed(), signatureConfigMap('sigs', DIGEST, [Buffer.from('hello')])])).result);
    assert.equal(reason, 'MalformedSignature');
    assert.match(message, /signature 1 in ConfigMap openshift-config-managed\/sigs: not an OpenPGP message/);
  });

  it('refuses a valid OpenPGP signature over something that is not a simple-signing claim', async () => {
    const key = await readPrivateKey({ armoredKey: red.privateKeyArmored });
    const other = await sign({ message: await createMessage({ binary: Buffer.from('{"critical":{}}') }), signingKeys: key, format: 'binary' });
    const { reason, message } = failure((await verifyWith([trustRed(), signatureConfigMap('sigs', DIGEST, [other])])).result);
    assert.equal(reason, 'MalformedSignature');
    assert.match(message, /not a simple-signing claim: critical: missing field "type"/);
  });

  it('refuses everything when no keys are configured', async () => {
    const signature = await signRelease(DIGEST, REFERENCE, red.privateKeyArmored);
    assert.deepEqual(failure((await verifyWith([signatureConfigMap('sigs', DIGEST, [signature])])).result), {
      reason: 'NoVerificationKeys',
      message: `unable to verify ${DIGEST}: no verification keys are configured (ConfigMap openshift-config-managed/release-verification not found)`,
    });
  });

  it('refuses a digest that is not sha256', async () => {
    assert.equal(failure((await verifyWith([trustRed()], {}, 'latest')).result).reason, 'InvalidDigest');
  });

  describe('with two keyrings, both of which must have signed', () => {
    const trustBoth = () => verificationConfigMap({ red: red.publicKeyArmored, blue: blue.publicKeyArmored });

    it('verifies when each keyring signed (signatures 1 and 2)', async () => {
      const signatures = await Promise.all([signRelease(DIGEST, REFERENCE, red.privateKeyArmored), signRelease(DIGEST, REFERENCE, blue.privateKeyArmored)]);
      const { result } = await verifyWith([trustBoth(), signatureConfigMap('sigs', DIGEST, signatures)]);
      assert.deepEqual(result, { verified: true, keys: ['verifier-public-key-blue', 'verifier-public-key-red'] });
    });

    it('refuses when only one keyring signed, naming the one missing', async () => {
      const signature = await signRelease(DIGEST, REFERENCE, red.privateKeyArmored);
      assert.deepEqual(failure((await verifyWith([trustBoth(), signatureConfigMap('sigs', DIGEST, [signature])])).result), {
        reason: 'MissingKeyringSignature',
        message: `unable to verify ${DIGEST} against keyrings: verifier-public-key-blue`,
      });
    });

    it('combines signatures from a ConfigMap and an HTTP store', async () => {
      const [r, b] = await Promise.all([signRelease(DIGEST, REFERENCE, red.privateKeyArmored), signRelease(DIGEST, REFERENCE, blue.privateKeyArmored)]);
      const fetch = storeFetch({ [`https://override.example/sha256=${'1'.repeat(64)}/signature-1`]: b });
      const verifier = createSignatureVerifier({
        readConfigMaps: configMapReader([trustBoth(), signatureConfigMap('sigs', DIGEST, [r])]),
        fetch,
        signatureStores: () => ['https://override.example'],
      });
      assert.equal((await verifier.verify(DIGEST, REFERENCE, signal)).verified, true);
    });
  });

  it('reads an HTTP store with the global fetch by default', async () => {
    const signature = await signRelease(DIGEST, REFERENCE, red.privateKeyArmored);
    const server: Server = createServer((req, res) => {
      if (req.url === `/sigs/sha256=${'1'.repeat(64)}/signature-1`) res.end(signature);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const store = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sigs`;
      const verifier = createSignatureVerifier({ readConfigMaps: configMapReader([verificationConfigMap({ red: red.publicKeyArmored }, { local: store })]) });
      assert.equal((await verifier.verify(DIGEST, REFERENCE, signal)).verified, true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('simple signing claims', () => {
  it('round-trips the containers/image JSON layout', () => {
    const claim = createSimpleSigning(DIGEST, REFERENCE, { creator: 'test', timestamp: 1_700_000_000 });
    assert.deepEqual(JSON.parse(JSON.stringify(claim)), {
      critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': DIGEST }, identity: { 'docker-reference': REFERENCE } },
      optional: { creator: 'test', timestamp: 1_700_000_000 },
    });
    assert.deepEqual(parseSimpleSigning(Buffer.from(JSON.stringify(claim))), claim);
  });

  const rejected: Array<[title: string, claim: unknown, message: string]> = [
    ['an unknown critical field', { critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': DIGEST }, identity: { 'docker-reference': 'x' }, extra: 1 } }, 'critical: unknown field "extra"'],
    ['another type', { critical: { type: 'cosign container image signature', image: { 'docker-manifest-digest': DIGEST }, identity: { 'docker-reference': 'x' } } }, 'critical.type: "cosign container image signature" is not "atomic container signature"'],
    ['an unknown top-level field', { critical: {}, other: {} }, 'signed content: unknown field "other"'],
    ['a non-integer timestamp', { critical: { type: 'atomic container signature', image: { 'docker-manifest-digest': DIGEST }, identity: { 'docker-reference': 'x' } }, optional: { timestamp: 'now' } }, 'optional.timestamp: must be an integer'],
  ];
  for (const [title, claim, message] of rejected) {
    it(`rejects ${title}`, () => assert.throws(() => parseSimpleSigning(Buffer.from(JSON.stringify(claim))), { message }));
  }

  it('ignores unknown optional fields, as containers/image does', () => {
    const claim = { ...createSimpleSigning(DIGEST, 'x'), optional: { creator: 'c', 'other-tool': true } };
    assert.equal(parseSimpleSigning(Buffer.from(JSON.stringify(claim))).optional?.creator, 'c');
  });
});

describe('signatureAcceptance', () => {
  const failed: VerificationResult = { verified: false, reason: 'NoSignature', message: `unable to verify ${DIGEST} against keyrings: verifier-public-key-red` };

  it('proceeds with a verified release and records it as verified', () => {
    assert.deepEqual(signatureAcceptance({ verified: true, keys: ['verifier-public-key-red'] }, false), { proceed: true, verified: true });
  });

  it('refuses an unverified release with ReleaseAccepted=False, reason RetrievePayload', () => {
    assert.deepEqual(signatureAcceptance(failed, false), {
      proceed: false,
      condition: { type: 'ReleaseAccepted', status: 'False', reason: 'RetrievePayload', message: `The update cannot be verified: ${failed.message}` },
    });
  });

  it('lets force through, recording the failure as an accepted risk and verified=false', () => {
    assert.deepEqual(signatureAcceptance(failed, true), { proceed: true, verified: false, acceptedRisk: `The update cannot be verified: ${failed.message}` });
  });
});
