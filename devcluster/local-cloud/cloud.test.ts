import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../operators/runtime/wait.ts';
import { LocalCloud, type InstanceEvent } from './cloud.ts';
import { allocateIp, FIRST_HOST_INDEX, ipOfIndex } from './ip-allocator.ts';
import type { CreateInstanceRequest } from './types.ts';

function request(name: string, overrides: Partial<CreateInstanceRequest> = {}): CreateInstanceRequest {
  return { clientToken: `uid-${name}`, name, tags: { machine: `ns/${name}` }, spec: { instanceType: 'local.medium', region: 'local', zone: 'local-a' }, ...overrides };
}

describe('LocalCloud', () => {
  let dir: string;
  const clouds: LocalCloud[] = [];
  const open = (options: ConstructorParameters<typeof LocalCloud>[0] = {}): LocalCloud => {
    const cloud = new LocalCloud({ terminateDelayMs: 20, ...options });
    clouds.push(cloud);
    return cloud;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-cloud-'));
  });
  afterEach(async () => {
    await Promise.all(clouds.splice(0).map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates an instance with a providerID, hostname and private IP derived from its name, running at once without a boot delay', () => {
    const { instance, created } = open().create(request('worker-a'));
    assert.equal(created, true);
    assert.match(instance.id, /^li-[0-9a-f]{16}$/);
    assert.equal(instance.state, 'running');
    assert.equal(instance.providerID, 'local:///worker-a');
    assert.equal(instance.hostname, 'worker-a');
    assert.equal(instance.privateIp, '10.0.0.2');
    assert.deepEqual(instance.tags, { machine: 'ns/worker-a' });
  });

  it('returns the existing instance for a repeated clientToken instead of creating a second one', () => {
    const cloud = open();
    const first = cloud.create(request('worker-a'));
    const second = cloud.create(request('worker-a', { tags: { other: 'x' } }));
    assert.equal(second.created, false);
    assert.equal(second.instance.id, first.instance.id);
    assert.equal(cloud.list().length, 1);
  });

  it('boots an image of its catalogue, keeping what the image reports with the instance, and refuses one it does not have', () => {
    const rhcos42 = { osImage: 'Red Hat Enterprise Linux CoreOS 4.2.0', kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'cri-o://1.33.0' };
    const cloud = open({ images: { 'rhcos-4.1.0': { ...rhcos42, osImage: 'RHCOS 4.1.0' } } });
    cloud.registerImage('rhcos-4.2.0', rhcos42);
    assert.deepEqual(Object.keys(cloud.images()).sort(), ['rhcos-4.1.0', 'rhcos-4.2.0']);
    const spec = { instanceType: 'local.small', region: 'local', zone: 'local-a' };
    const { instance } = cloud.create(request('worker-a', { spec: { ...spec, image: 'rhcos-4.2.0' } }));
    assert.deepEqual(instance.bootImage, rhcos42);
    assert.equal(cloud.create(request('worker-b')).instance.bootImage, undefined, 'no image: the default OS');
    assert.throws(() => cloud.create(request('worker-c', { spec: { ...spec, image: 'rhcos-9.9.9' } })), {
      status: 400,
      code: 'InvalidImageID.NotFound',
      field: 'spec.image',
      message: 'spec.image: Invalid value: "rhcos-9.9.9": no such image in the local cloud (images: "rhcos-4.1.0", "rhcos-4.2.0")',
    });
    assert.equal(cloud.list().length, 2, 'nothing created for an unknown image');
  });

  it('refuses a second live instance with the same name but another token', () => {
    const cloud = open();
    cloud.create(request('worker-a'));
    assert.throws(() => cloud.create(request('worker-a', { clientToken: 'other' })), { status: 409, code: 'InstanceNameInUse' });
  });

  it('goes pending, running, shutting-down, terminated and then leaves the listing, announcing each step', async () => {
    const cloud = open({ terminatedRetentionMs: 40 });
    const events: string[] = [];
    cloud.subscribe((e: InstanceEvent) => events.push(`${e.type}:${e.instance.state}`));
    const { instance } = cloud.create(request('worker-a', { spec: { instanceType: 'local.small', region: 'local', zone: 'local-a', bootDelaySeconds: 0.01 } }));
    await waitFor(() => cloud.get(instance.id)?.state === 'running');
    assert.equal(cloud.terminate(instance.id).state, 'shutting-down');
    assert.equal(cloud.terminate(instance.id).state, 'shutting-down', 'a second terminate changes nothing');
    await waitFor(() => cloud.get(instance.id)?.state === 'terminated');
    await waitFor(() => cloud.get(instance.id) === undefined);
    assert.deepEqual(events, ['added:pending', 'modified:running', 'modified:shutting-down', 'modified:terminated', 'removed:terminated']);
  });

  it('keeps an instance pending for its boot delay', async () => {
    const cloud = open();
    const { instance } = cloud.create(request('slow', { spec: { instanceType: 'local.small', region: 'local', zone: 'local-a', bootDelaySeconds: 1 } }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(cloud.get(instance.id)?.state, 'pending');
    await waitFor(() => cloud.get(instance.id)?.state === 'running', { timeoutMs: 2_000 });
  });

  it('filters by ids and by tag values', () => {
    const cloud = open();
    const a = cloud.create(request('a', { tags: { machineUID: 'u1', pool: 'x' } })).instance;
    const b = cloud.create(request('b', { tags: { machineUID: 'u2', pool: 'x' } })).instance;
    cloud.create(request('c', { tags: { machineUID: 'u3', pool: 'y' } }));
    const names = (filter: Parameters<LocalCloud['describe']>[0]) => cloud.describe(filter).map((i) => i.name).sort();
    assert.deepEqual(names({ ids: [a.id, b.id] }), ['a', 'b']);
    assert.deepEqual(names({ tags: { machineUID: ['u1', 'u3'] } }), ['a', 'c']);
    assert.deepEqual(names({ tags: { pool: ['x'], machineUID: ['u2', 'u3'] } }), ['b']);
    assert.deepEqual(names({ ids: [] }), []);
  });

  it('persists instances and replays the state changes that fell due while it was down', async () => {
    const file = join(dir, 'local-cloud.json');
    const cloud = open({ stateFile: file, terminateDelayMs: 60_000 });
    const keep = cloud.create(request('keep')).instance;
    const gone = cloud.create(request('gone')).instance;
    await waitFor(() => cloud.get(keep.id)?.state === 'running' && cloud.get(gone.id)?.state === 'running');
    cloud.terminate(gone.id);
    await cloud.persisted();
    await cloud.close();
    const journal = readFileSync(`${file}.journal`, 'utf8').trim().split('\n');
    assert.equal(journal.length, 3, 'one journal line per change: 2 created (running at once), 1 shutting down');

    const reopened = open({ stateFile: file, terminateDelayMs: 60_000 });
    assert.equal(reopened.get(keep.id)?.state, 'running');
    assert.equal(reopened.get(gone.id)?.state, 'shutting-down');
    assert.equal(reopened.create(request('keep')).instance.id, keep.id, 'the clientToken index survives the restart');
    assert.equal(reopened.create(request('next')).instance.privateIp, '10.0.0.4', 'the IP cursor survives the restart');
  });

  it('applies a termination that fell due during the downtime at start', async () => {
    const file = join(dir, 'local-cloud.json');
    const cloud = open({ stateFile: file, terminateDelayMs: 10 });
    const { instance } = cloud.create(request('a'));
    cloud.terminate(instance.id);
    await cloud.persisted();
    await cloud.close();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(open({ stateFile: file }).get(instance.id)?.state, 'terminated');
  });

  it('keeps memory only when given no state file', async () => {
    const cloud = open();
    cloud.create(request('a'));
    await cloud.persisted();
    assert.equal(open().list().length, 0);
  });
});

describe('allocateIp', () => {
  it('hands out addresses in order from the cursor, skipping those in use and wrapping at the end of 10.0.0.0/8', () => {
    const cases: Array<{ cursor: number; inUse: string[]; ip: string; next: string }> = [
      { cursor: FIRST_HOST_INDEX, inUse: [], ip: '10.0.0.2', next: '10.0.0.3' },
      { cursor: FIRST_HOST_INDEX, inUse: ['10.0.0.2', '10.0.0.3'], ip: '10.0.0.4', next: '10.0.0.5' },
      { cursor: 255, inUse: [], ip: '10.0.0.255', next: '10.0.1.0' },
      { cursor: 2 ** 24 - 2, inUse: [], ip: '10.255.255.254', next: '10.0.0.2' },
      { cursor: 2 ** 24 - 2, inUse: ['10.255.255.254'], ip: '10.0.0.2', next: '10.0.0.3' },
    ];
    for (const c of cases) {
      const { ip, cursor } = allocateIp(c.cursor, new Set(c.inUse));
      assert.equal(ip, c.ip);
      assert.equal(ipOfIndex(cursor), c.next);
    }
  });
});
