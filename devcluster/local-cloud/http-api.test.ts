import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../operators/runtime/wait.ts';
import { startLocalCloud, type LocalCloudHandle } from './index.ts';

interface Answer {
  status: number;
  /** JSON answers, asserted field by field. */
  body: any;
}

describe('local cloud HTTP API', () => {
  let dir: string;
  let handle: LocalCloudHandle;

  async function call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(handle.url + path, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  const create = (name: string, extra: Record<string, unknown> = {}) =>
    call('POST', '/v1/instances', { clientToken: `uid-${name}`, name, tags: { machineUID: `uid-${name}` }, spec: { instanceType: 'local.small', region: 'local', zone: 'local-a' }, ...extra });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-cloud-api-'));
    handle = await startLocalCloud({ dataDir: dir, terminateDelayMs: 20, terminatedRetentionMs: 60_000 });
  });
  afterEach(async () => {
    await handle.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates once per clientToken, even when the same create is retried concurrently', async () => {
    const answers = await Promise.all([create('w1'), create('w1'), create('w1')]);
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
    const listed = await call('GET', '/v1/instances');
    assert.equal(listed.body.instances.length, 1);
    assert.equal(listed.body.instances[0].providerID, 'local:///w1');
  });

  it('describes many instances in one call by ids or by tag values', async () => {
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push((await create(name)).body.id);
    const byIds = await call('GET', `/v1/instances?ids=${ids[0]},${ids[2]}`);
    assert.deepEqual(byIds.body.instances.map((i: { name: string }) => i.name).sort(), ['a', 'c']);
    const byTag = await call('GET', '/v1/instances?tag:machineUID=uid-b,uid-c,uid-none');
    assert.deepEqual(byTag.body.instances.map((i: { name: string }) => i.name).sort(), ['b', 'c']);
    const one = await call('GET', `/v1/instances/${ids[1]}`);
    assert.equal(one.body.name, 'b');
  });

  it('answers 404 InvalidInstanceID.NotFound for an unknown instance', async () => {
    for (const method of ['GET', 'DELETE']) {
      const answer = await call(method, '/v1/instances/li-0000000000000000');
      assert.equal(answer.status, 404);
      assert.deepEqual(answer.body, { error: { code: 'InvalidInstanceID.NotFound', message: "The instance ID 'li-0000000000000000' does not exist" } });
    }
  });

  it('terminates through shutting-down and keeps the terminated instance listed', async () => {
    const { body: created } = await create('w1');
    await waitFor(async () => (await call('GET', `/v1/instances/${created.id}`)).body.state === 'running');
    const deleted = await call('DELETE', `/v1/instances/${created.id}`);
    assert.equal(deleted.body.state, 'shutting-down');
    await waitFor(async () => (await call('GET', `/v1/instances/${created.id}`)).body.state === 'terminated');
    assert.equal((await call('GET', '/v1/instances')).body.instances.length, 1);
  });

  it('rejects an invalid request with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ spec: { instanceType: 'local.small', region: 'local', zone: 'local-a', bootDelaySeconds: -1 } }, 'spec.bootDelaySeconds', 'spec.bootDelaySeconds: Invalid value: -1: must be greater than or equal to 0'],
      [{ spec: { instanceType: 'local.huge', region: 'local', zone: 'local-a' } }, 'spec.instanceType', 'spec.instanceType: Unsupported value: "local.huge": supported values: "local.small", "local.medium", "local.large", "local.xlarge"'],
      [{ spec: { instanceType: 'local.small', region: 'local', zone: 'local-a', colour: 'red' } }, 'spec.colour', 'unknown field "spec.colour"'],
      [{ spec: { instanceType: 'local.small', region: 'local', zone: 'local-a', image: 'ami-nope' } }, 'spec.image', 'spec.image: Invalid value: "ami-nope": no such image in the local cloud (images: none)'],
      [{ spec: { instanceType: 'local.small', region: 'local', zone: 'local-a', image: '' } }, 'spec.image', 'spec.image: Required value'],
      [{ name: 'Not_A_Name' }, 'name', 'name: Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character'],
    ];
    for (const [extra, field, message] of cases) {
      const answer = await create('w1', extra);
      assert.equal(answer.status, 400, message);
      assert.equal(answer.body.error.field, field);
      assert.equal(answer.body.error.message, message);
    }
    assert.equal((await call('GET', '/v1/instances')).body.instances.length, 0);
  });

  it('lists its image catalogue and boots an instance from one of them', async () => {
    const image = { osImage: 'Red Hat Enterprise Linux CoreOS 4.2.0', kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'cri-o://1.33.0' };
    handle.cloud.registerImage('rhcos-4.2.0', image);
    assert.deepEqual((await call('GET', '/v1/images')).body, { images: { 'rhcos-4.2.0': image } });
    const created = await create('w1', { spec: { instanceType: 'local.small', region: 'local', zone: 'local-a', image: 'rhcos-4.2.0' } });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body.bootImage, image);
  });

  it('fails the next creates with the injected status, creating nothing, then recovers', async () => {
    assert.equal((await call('POST', '/v1/faults', { failNextCreates: 2, statusCode: 503 })).status, 200);
    assert.equal((await create('w1')).status, 503);
    assert.equal((await create('w1')).status, 503);
    assert.equal((await call('GET', '/v1/instances')).body.instances.length, 0);
    assert.equal((await create('w1')).status, 200);
  });

  it('throttles every instance call with 429 while throttle is set, and adds latency', async () => {
    await call('POST', '/v1/faults', { throttle: true });
    const throttled = await call('GET', '/v1/instances');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error.code, 'RequestLimitExceeded');
    await call('POST', '/v1/faults', { throttle: false, latencyMs: 100 });
    const started = performance.now();
    assert.equal((await call('GET', '/v1/instances')).status, 200);
    assert.ok(performance.now() - started >= 95);
    assert.deepEqual((await call('DELETE', '/v1/faults')).body, { failNextCreates: 0, statusCode: 500, throttle: false, latencyMs: 0 });
  });

  it('rejects fault settings it does not know', async () => {
    const answer = await call('POST', '/v1/faults', { failNextCreate: 1 });
    assert.equal(answer.status, 400);
    assert.equal(answer.body.error.message, 'unknown field "failNextCreate"');
  });

  it('counts calls per operation, throttled ones included, until reset', async () => {
    await create('w1');
    await create('w1');
    await call('GET', '/v1/instances');
    await call('POST', '/v1/faults', { throttle: true });
    await call('GET', '/v1/instances/li-x');
    await call('DELETE', '/v1/faults');
    const stats = await call('GET', '/v1/stats');
    assert.deepEqual(stats.body, { calls: { CreateInstance: 2, DescribeInstances: 1, DescribeInstance: 1, TerminateInstance: 0 }, total: 4 });
    await call('DELETE', '/v1/stats');
    assert.equal((await call('GET', '/v1/stats')).body.total, 0);
  });

  it('keeps instances across a restart of the cloud on the same data dir', async () => {
    const { body: created } = await create('w1');
    await handle.stop();
    handle = await startLocalCloud({ dataDir: dir });
    const answer = await call('GET', `/v1/instances/${created.id}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.body.privateIp, created.privateIp);
  });
});
