// The wire fake's own contract, through the real @google-cloud/compute client: what the provider tests rely on.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  callOptions, listInstances, newComputeClients, serviceAccountFromSecret, type ComputeClients, type Operation,
} from '../../../operators/machine-api/providers/gcp/client.ts';
import { GceFake, parseFilter, type FakeInstance } from './compute-server.ts';

const PROJECT = 'test-project';
const ZONE = 'us-central1-a';

describe('Compute Engine wire fake', function () {
  this.timeout(20_000);
  let fake: GceFake;
  let clients: ComputeClients;
  const signal = () => AbortSignal.timeout(5_000);

  function clientsFor(keyJson: string): ComputeClients {
    const key = serviceAccountFromSecret({ 'service_account.json': Buffer.from(keyJson) }, 'ns/creds');
    return newComputeClients(key, { apiEndpoint: '127.0.0.1', port: Number(new URL(fake.endpoint).port), protocol: 'http' });
  }

  async function insert(name: string, labels: Record<string, string>, requestId?: string): Promise<Operation> {
    const [lro] = await clients.instances.insert({
      project: PROJECT, zone: ZONE, ...(requestId ? { requestId } : {}),
      instanceResource: { name, labels, machineType: `zones/${ZONE}/machineTypes/n2-standard-4`, networkInterfaces: [{}] },
    }, callOptions(signal()));
    return lro.latestResponse as Operation;
  }

  before(async function () {
    fake = await GceFake.start();
    clients = clientsFor(fake.serviceAccountKey(PROJECT));
  });

  after(async function () {
    await clients?.close();
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  it('parses the label, name and status filters GCE accepts and refuses other syntax', function () {
    const i = { name: 'w-1', status: 'RUNNING', labels: { 'kubernetes-io-cluster-c1': 'owned' } } as FakeInstance;
    const table: ReadonlyArray<readonly [string, boolean]> = [
      ['', true],
      ['labels.kubernetes-io-cluster-c1 = "owned"', true],
      ['labels.kubernetes-io-cluster-c1 = owned', true],
      ['(labels.kubernetes-io-cluster-c1 = "owned") (status != "TERMINATED")', true],
      ['labels.kubernetes-io-cluster-c1 = "owned" AND name = "w-2"', false],
      ['labels.team = "x"', false],
    ];
    for (const [filter, matches] of table) assert.equal(parseFilter(filter)(i), matches, filter);
    assert.throws(() => parseFilter('labels.x ~ y'), /Invalid list filter expression/);
  });

  it('pages a filtered list in name order', async function () {
    for (const name of ['w-c', 'w-a', 'w-b']) await insert(name, { owner: 'me' });
    await insert('other', { owner: 'you' });
    const listed = await listInstances(clients.instances, PROJECT, ZONE, 'labels.owner = "me"', signal(), 2);
    assert.deepEqual(listed.map((i) => i.name), ['w-a', 'w-b', 'w-c']);
    assert.equal(fake.count('instances.list'), 2);
  });

  it('answers a repeated requestId with the first Operation, and refuses a requestId that is not a UUID', async function () {
    const first = await insert('w-r', {}, '7b0c3ad6-2a07-4b8e-9d2c-2a5f3c1e4b11');
    const again = await insert('w-r', {}, '7b0c3ad6-2a07-4b8e-9d2c-2a5f3c1e4b11');
    assert.equal(again.name, first.name);
    assert.equal(fake.instances(PROJECT, ZONE).length, 1);
    await assert.rejects(insert('w-s', {}, 'not-a-uuid'), (err: Error & { httpStatusCode?: number }) => err.httpStatusCode === 400 && /must be a valid UUID/.test(err.message));
  });

  it('holds zoneOperations.wait until the Operation is DONE, or answers it still RUNNING after its cap', async function () {
    fake.operationMs = 600;
    fake.stagingMs = 5_000;
    fake.waitTimeoutMs = 50;
    const op = await insert('w-w', {});
    const [capped] = await clients.zoneOperations.wait({ project: PROJECT, zone: ZONE, operation: op.name! }, callOptions(signal()));
    assert.equal(capped.status, 'RUNNING');
    fake.waitTimeoutMs = 2_000;
    const [done] = await clients.zoneOperations.wait({ project: PROJECT, zone: ZONE, operation: op.name! }, callOptions(signal()));
    assert.equal(done.status, 'DONE');
    assert.equal(fake.instances(PROJECT, ZONE)[0].status, 'STAGING');
  });

  it('issues tokens only for assertions signed by a key it made, and refuses calls without one', async function () {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = JSON.parse(fake.serviceAccountKey(PROJECT, 'forger@test-project.iam.gserviceaccount.com')) as Record<string, unknown>;
    forged.private_key = privateKey.export({ type: 'pkcs8', format: 'pem' });
    const forger = clientsFor(JSON.stringify(forged));
    await assert.rejects(forger.instances.get({ project: PROJECT, zone: ZONE, instance: 'x' }, callOptions(signal())), /refused service account forger@test-project\.iam\.gserviceaccount\.com \(invalid_grant: Invalid JWT Signature\.\)/);
    await forger.close();
    const anonymous = await fetch(`${fake.endpoint}/compute/v1/projects/${PROJECT}/zones/${ZONE}/instances`);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { errors: { reason: string }[] } }).error.errors[0].reason, 'authError');
  });
});
