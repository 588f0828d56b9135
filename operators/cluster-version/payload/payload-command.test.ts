// `npm run payload`: a smoke test of the real process, then the release workflow in-process: keygen, build,
// push to a real registry, sign into a ConfigMap, and the operator's side (verify, pull by digest) accepting it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runPayloadCommand } from '../../../scripts/payload/cli.ts';
import { requireRegistryBinary, startRegistry, type TestRegistry } from '../../../test/fakes/registry/registry.ts';
import type { ConfigMap } from '../signatures/config-maps.ts';
import { createSignatureVerifier } from '../signatures/verifier.ts';
import { loadPayloadFromDirectory, loadPayloadFromTarFile } from './directory.ts';
import { writeBuildInputs } from './fixtures.test-util.ts';
import { loadPayloadFromRegistry } from './registry.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runPayloadCommand(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('npm run payload', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'payload-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs as a process: usage with help, exit code 2 and usage for an unknown command', () => {
    const main = join(REPO_ROOT, 'scripts', 'payload', 'main.ts');
    const help = spawnSync(process.execPath, ['--import', 'tsx', main, 'help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: npm run payload -- <command>/);
    const unknown = spawnSync(process.execPath, ['--import', 'tsx', main, 'publish'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^Unknown command "publish"/);
  });

  it('builds a payload directory and a tarball with the same digest, printing it', async () => {
    const { manifestsDir, imagesFile } = writeBuildInputs(dir);
    const common = ['--version', '4.16.2', '--previous', '4.16.0,4.16.1', '--manifests', manifestsDir, '--images', imagesFile];
    const built = await run('build', ...common, '--out', join(dir, 'payload'));
    assert.equal(built.code, 0, built.err);
    const payload = loadPayloadFromDirectory(join(dir, 'payload'));
    assert.equal(built.out, `Built release 4.16.2: 4 manifests, 6 images\ndigest: ${payload.digest}\n`);
    assert.deepEqual(payload.metadata.previous, ['4.16.0', '4.16.1']);
    assert.deepEqual(payload.images.find((i) => i.name === 'rhel-coreos')?.image, `quay.example/ocp/rhel-coreos@sha256:${'c'.repeat(64)}`);

    assert.equal((await run('build', ...common, '--tar', join(dir, 'p.tar'))).code, 0);
    const sha = createHash('sha256').update(readFileSync(join(dir, 'p.tar'))).digest('hex');
    assert.equal(`sha256:${sha}`, payload.digest, 'the digest is the sha256 of the tar build writes');
    assert.equal(loadPayloadFromTarFile(join(dir, 'p.tar')).digest, payload.digest);
  });

  it('refuses to build an invalid payload with the message the operator would give', async () => {
    const { manifestsDir, imagesFile } = writeBuildInputs(dir);
    const result = await run('build', '--version', '4.16', '--manifests', manifestsDir, '--images', imagesFile, '--out', join(dir, 'p'));
    assert.deepEqual(result, { code: 1, out: '', err: 'payload build: invalid payload: release-manifests/release-metadata: version: "4.16" is not a semantic version\n' });
  });

  it('explains a missing option with the usage', async () => {
    const result = await run('sign', '--digest', 'sha256:x');
    assert.equal(result.code, 2);
    assert.match(result.err, /^missing --reference\n\nUsage:/);
  });

  it('writes a raw signature file, as a signature store serves it', async () => {
    assert.equal((await run('keygen', '--name', 'dev', '--out', join(dir, 'keys'))).code, 0);
    const digest = `sha256:${'9'.repeat(64)}`;
    const result = await run('sign', '--digest', digest, '--reference', 'r/x@' + digest, '--key', join(dir, 'keys', 'dev.key.asc'), '--out', join(dir, 'signature-1'));
    assert.equal(result.out, `Wrote the signature of ${digest} to ${join(dir, 'signature-1')}\n`);
    assert.equal(readFileSync(join(dir, 'signature-1'))[0] & 0x80, 0x80, 'a binary OpenPGP packet, not armor');
  });

  describe('with a registry', () => {
    let registry: TestRegistry;
    before(async function () {
      requireRegistryBinary(this);
      registry = await startRegistry();
    });
    after(async () => registry?.stop());

    it('keygen, build, push, sign --configmap: the operator verifies and pulls the release', async () => {
      assert.equal((await run('keygen', '--name', 'dev', '--out', join(dir, 'keys'))).code, 0);
      const { manifestsDir, imagesFile } = writeBuildInputs(dir);
      assert.equal((await run('build', '--version', '4.16.2', '--manifests', manifestsDir, '--images', imagesFile, '--out', join(dir, 'payload'))).code, 0);

      const pushed = await run('push', '--dir', join(dir, 'payload'), '--to', `${registry.host}/ocp/release:4.16.2`, '--insecure');
      assert.equal(pushed.code, 0, pushed.err);
      const digest = /^digest: (sha256:[0-9a-f]{64})$/m.exec(pushed.out)?.[1];
      const pullSpec = /^pull spec: (\S+)$/m.exec(pushed.out)?.[1];
      assert.equal(pullSpec, `${registry.host}/ocp/release@${digest}`);

      const signed = await run('sign', '--digest', digest!, '--reference', pullSpec!, '--key', join(dir, 'keys', 'dev.key.asc'),
        '--out', join(dir, 'signature.yaml'), '--configmap', 'release-4.16.2');
      assert.equal(signed.code, 0, signed.err);

      const configMaps = ['keys/release-verification.yaml', 'signature.yaml'].map((f) => parse(readFileSync(join(dir, f), 'utf8')) as ConfigMap);
      const verifier = createSignatureVerifier({
        readConfigMaps: async (q) => configMaps.filter((cm) => cm.metadata?.namespace === q.namespace
          && (q.name === undefined || cm.metadata.name === q.name)
          && (q.labelSelector === undefined || cm.metadata.labels?.[q.labelSelector] !== undefined)),
      });
      assert.deepEqual(await verifier.verify(digest!, pullSpec!, new AbortController().signal), { verified: true, keys: ['verifier-public-key-dev'] });
      assert.equal((await loadPayloadFromRegistry(pullSpec!, { insecure: true })).version, '4.16.2');
    });
  });
});
