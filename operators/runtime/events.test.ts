import assert from 'node:assert/strict';
import { KubeApiError } from './errors.ts';
import { MAX_NOTE_LENGTH, Recorder } from './events.ts';
import type { ResourceWriter } from './resource-client.ts';
import type { KubeObject } from './watcher.ts';

type Call = { verb: 'create' | 'patch'; name: string; body: Record<string, unknown> };

/** Records writes; `failPatchWith` makes patches fail (e.g. 404 for an expired Event). */
function fakeClient(): ResourceWriter & { calls: Call[]; failPatchWith?: Error } {
  const client: ResourceWriter & { calls: Call[]; failPatchWith?: Error } = {
    calls: [],
    async create(_ref, _ns, body) {
      const b = body as { metadata: { name: string } };
      client.calls.push({ verb: 'create', name: b.metadata.name, body: b as unknown as Record<string, unknown> });
      return body;
    },
    async patch(_ref, _ns, name, _type, body) {
      if (client.failPatchWith) throw client.failPatchWith;
      client.calls.push({ verb: 'patch', name, body: body as Record<string, unknown> });
      return body;
    },
  };
  return client;
}

const machine: KubeObject = {
  apiVersion: 'machine.openshift.io/v1beta1',
  kind: 'Machine',
  metadata: { name: 'worker-a', namespace: 'openshift-machine-api', uid: 'uid-1', resourceVersion: '7' },
};

describe('Recorder', () => {
  let clock: number;
  const now = () => new Date(clock);
  beforeEach(() => (clock = Date.parse('2026-11-20T10:00:00Z')));

  it('creates a core/v1 Event on the object with reason, note, action and type', async () => {
    const client = fakeClient();
    const recorder = new Recorder(client, { component: 'machine-controller', instance: 'pod-1', now });
    recorder.record(machine, { type: 'Normal', reason: 'Created', note: 'Created instance i-123', action: 'Create' });
    await recorder.flush();
    assert.equal(client.calls.length, 1);
    const { body } = client.calls[0]!;
    assert.match(client.calls[0]!.name, /^worker-a\.[0-9a-f]+$/);
    assert.deepEqual(
      { ...body, metadata: undefined },
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: undefined,
        involvedObject: {
          apiVersion: 'machine.openshift.io/v1beta1',
          kind: 'Machine',
          name: 'worker-a',
          namespace: 'openshift-machine-api',
          uid: 'uid-1',
          resourceVersion: '7',
        },
        type: 'Normal',
        reason: 'Created',
        action: 'Create',
        message: 'Created instance i-123',
        count: 1,
        firstTimestamp: '2026-11-20T10:00:00Z',
        lastTimestamp: '2026-11-20T10:00:00Z',
        source: { component: 'machine-controller', host: 'pod-1' },
        reportingComponent: 'machine-controller',
        reportingInstance: 'pod-1',
      },
    );
  });

  it('aggregates repeats of one reason on one object into a count on the same Event', async () => {
    // Each repeat is awaited, as repeats come from separate reconciles.
    const client = fakeClient();
    const recorder = new Recorder(client, { component: 'c', instance: 'i', now });
    for (let i = 0; i < 3; i++) {
      clock += 1000;
      recorder.record(machine, { type: 'Warning', reason: 'FailedCreate', note: `attempt ${i}`, action: 'Create' });
      await recorder.flush();
    }
    recorder.record(machine, { type: 'Normal', reason: 'Created', note: 'ok', action: 'Create' });
    await recorder.flush();
    const [first, ...rest] = client.calls;
    assert.deepEqual(
      rest.map((c) => [c.verb, c.name === first!.name, c.body.count, c.body.message ?? c.body.reason]),
      [
        ['patch', true, 2, 'attempt 1'],
        ['patch', true, 3, 'attempt 2'],
        ['create', false, 1, 'ok'],
      ],
    );
    assert.equal(client.calls[2]!.body.lastTimestamp, '2026-11-20T10:00:03Z');
  });

  it('keeps Events of one reason about different series apart', async () => {
    const client = fakeClient();
    const recorder = new Recorder(client, { component: 'c', instance: 'i', now });
    for (const series of ['4.2.0', '4.3.0', '4.3.0']) {
      recorder.record(machine, { type: 'Normal', reason: 'PayloadLoaded', note: `loaded ${series}`, action: 'Load', series });
      await recorder.flush();
    }
    assert.deepEqual(client.calls.map((c) => [c.verb, c.body.count, c.body.message]), [['create', 1, 'loaded 4.2.0'], ['create', 1, 'loaded 4.3.0'], ['patch', 2, 'loaded 4.3.0']]);
  });

  it('rate-limits a hot loop per object and carries the suppressed count on the next write', async () => {
    const client = fakeClient();
    const recorder = new Recorder(client, { component: 'c', instance: 'i', now, rateLimit: { qps: 1 / 60, burst: 2 } });
    for (let i = 0; i < 100; i++) {
      recorder.record(machine, { type: 'Warning', reason: 'FailedCreate', note: 'boom', action: 'Create' });
      await recorder.flush();
    }
    assert.deepEqual(client.calls.map((c) => [c.verb, c.body.count]), [['create', 1], ['patch', 2]]);
    clock += 60_000; // one token back
    recorder.record(machine, { type: 'Warning', reason: 'FailedCreate', note: 'boom', action: 'Create' });
    await recorder.flush();
    assert.deepEqual(client.calls.map((c) => [c.verb, c.body.count]), [['create', 1], ['patch', 2], ['patch', 101]]);
  });

  it('starts a new Event when the aggregated one has expired on the server', async () => {
    const client = fakeClient();
    const recorder = new Recorder(client, { component: 'c', instance: 'i', now });
    recorder.record(machine, { type: 'Normal', reason: 'Updated', note: 'x', action: 'Update' });
    await recorder.flush();
    client.failPatchWith = new KubeApiError(404, { reason: 'NotFound' });
    clock += 1000;
    recorder.record(machine, { type: 'Normal', reason: 'Updated', note: 'x', action: 'Update' });
    await recorder.flush();
    assert.deepEqual(client.calls.map((c) => [c.verb, c.body.count]), [['create', 1], ['create', 2]]);
    assert.notEqual(client.calls[0]!.name, client.calls[1]!.name);
  });

  it('never throws and cuts notes longer than the events.k8s.io limit', async () => {
    const client = fakeClient();
    client.create = async () => {
      throw new Error('apiserver down');
    };
    const recorder = new Recorder(client, { component: 'c', instance: 'i', now });
    recorder.record(machine, { type: 'Normal', reason: 'Long', note: 'x'.repeat(5000), action: 'Do' });
    await recorder.flush();

    const ok = fakeClient();
    const recorder2 = new Recorder(ok, { component: 'c', instance: 'i', now });
    recorder2.record(machine, { type: 'Normal', reason: 'Long', note: 'x'.repeat(5000), action: 'Do' });
    await recorder2.flush();
    assert.equal((ok.calls[0]!.body.message as string).length, MAX_NOTE_LENGTH);
  });
});
