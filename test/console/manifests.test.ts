// manifests/console/ against the embedded API server with the real kubectl: it applies under strict validation, and
// the console pod holds no credential (no ServiceAccount token; only the cluster CA is mounted).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { startTestServer, type TestServer } from '../support/dev-server.ts';

const FILE = join(import.meta.dirname, '..', '..', 'manifests', 'console', 'console.yaml');

interface PodSpec {
  automountServiceAccountToken?: boolean;
  volumes?: { name: string; configMap?: { name: string }; secret?: unknown; projected?: unknown }[];
}

describe('manifests/console', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.stop();
  });

  it('applies with kubectl under strict validation', async () => {
    const result = await server.kubectl(['apply', '--validate=strict', '-f', FILE]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /deployment\.apps\/console created/);
  });

  it('runs the console pod without any credential of its own', () => {
    const docs = parseAllDocuments(readFileSync(FILE, 'utf8')).map((d) => d.toJS() as { kind: string; automountServiceAccountToken?: boolean; spec?: { template?: { spec?: PodSpec } } });
    assert.equal(docs.find((d) => d.kind === 'ServiceAccount')?.automountServiceAccountToken, false);
    const pod = docs.find((d) => d.kind === 'Deployment')?.spec?.template?.spec;
    assert.equal(pod?.automountServiceAccountToken, false);
    assert.deepEqual(pod?.volumes?.filter((v) => v.secret || v.projected), []);
    assert.deepEqual(pod?.volumes?.map((v) => v.configMap?.name).filter(Boolean), ['kube-root-ca.crt']);
  });
});
