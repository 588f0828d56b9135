import assert from 'node:assert/strict';
import type { ReleaseManifest } from '../contracts.ts';
import { buildTaskGraph, describeTask, type TaskGraph } from './graph.ts';
import { formatProgress, parseProgress } from './progress.ts';
import { runGraph } from './run.ts';

function manifest(file: string, kind = 'ConfigMap', apiVersion = 'v1'): ReleaseManifest {
  const match = /^0000_(\d+)_([a-zA-Z0-9-]+?)_/.exec(file);
  return { file, index: 0, runLevel: match?.[1], component: match?.[2], object: { apiVersion, kind, metadata: { name: file, namespace: 'ns' } } };
}

/** Each node as "in→[files]" with file names shortened to what the test cares about. */
function shape(graph: TaskGraph): string[] {
  return graph.nodes.map((n) => `${n.in.join(',') || '-'}→[${n.tasks.map((t) => t.manifest.file.replace(/\.yaml$/, '')).join(' ')}]`);
}

describe('task graph', () => {
  const payload = [
    manifest('0000_10_a_01.yaml'),
    manifest('0000_10_a_02.yaml'),
    manifest('0000_10_b_01.yaml'),
    manifest('0000_20_c_01.yaml'),
    manifest('0000_30_d_01.yaml'),
    manifest('0000_30_e_01.yaml'),
    manifest('0000_30_f_01.yaml'),
    manifest('0000_40_g_01.yaml'),
    manifest('0000_40_h_01.yaml'),
  ];

  const cases: Array<{ name: string; manifests: ReleaseManifest[]; state: 'Updating' | 'Initializing'; expected: string[] }> = [
    {
      name: 'runs components of one run level in parallel and run levels in order, joining two parallel levels through a spacer',
      manifests: payload,
      state: 'Updating',
      expected: [
        '-→[0000_10_a_01 0000_10_a_02]',
        '-→[0000_10_b_01]',
        '0,1→[0000_20_c_01]',
        '2→[0000_30_d_01]',
        '2→[0000_30_e_01]',
        '2→[0000_30_f_01]',
        '3,4,5→[]',
        '6→[0000_40_g_01]',
        '6→[0000_40_h_01]',
      ],
    },
    {
      name: 'flattens every component chain into one parallel bucket while initializing',
      manifests: payload,
      state: 'Initializing',
      expected: [
        '-→[0000_10_a_01 0000_10_a_02]',
        '-→[0000_10_b_01]',
        '-→[0000_20_c_01]',
        '-→[0000_30_d_01]',
        '-→[0000_30_e_01]',
        '-→[0000_30_f_01]',
        '-→[0000_40_g_01]',
        '-→[0000_40_h_01]',
      ],
    },
    {
      name: 'makes a Job a barrier that no parallelism crosses',
      manifests: [manifest('0000_10_a_01.yaml'), manifest('0000_10_b_01.yaml'), manifest('0000_10_a_02.yaml', 'Job', 'batch/v1'), manifest('0000_10_c_01.yaml')],
      state: 'Initializing',
      expected: ['-→[0000_10_a_01]', '-→[0000_10_b_01]', '0,1→[0000_10_a_02]', '2→[0000_10_c_01]'],
    },
    {
      name: 'runs files outside the naming convention one at a time, in order',
      manifests: [manifest('0000_10_a_01.yaml'), manifest('zz-extra.yaml'), manifest('zz-more.yaml'), manifest('0000_20_b_01.yaml')],
      state: 'Updating',
      expected: ['-→[0000_10_a_01]', '0→[zz-extra]', '1→[zz-more]', '2→[0000_20_b_01]'],
    },
    {
      name: 'keeps consecutive files outside the naming convention in one node while initializing',
      manifests: [manifest('0000_10_a_01.yaml'), manifest('zz-extra.yaml'), manifest('zz-more.yaml'), manifest('0000_20_b_01.yaml')],
      state: 'Initializing',
      expected: ['-→[0000_10_a_01]', '-→[zz-extra zz-more]', '-→[0000_20_b_01]'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(shape(buildTaskGraph(c.manifests, c.state)), c.expected);
    });
  }

  it('numbers tasks 1..N in payload order whatever the mode', () => {
    for (const state of ['Updating', 'Initializing', 'Reconciling'] as const) {
      const graph = buildTaskGraph(payload, state, 3);
      const indexes = graph.nodes.flatMap((n) => n.tasks.map((t) => t.index)).sort((a, b) => a - b);
      assert.deepEqual(indexes, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(graph.total, 9);
    }
  });

  it('shuffles reconciling order reproducibly per attempt, keeping each component chain in file order', () => {
    const order = (attempt: number) => buildTaskGraph(payload, 'Reconciling', attempt).nodes.map((n) => n.tasks[0].manifest.file);
    assert.deepEqual(order(3), order(3));
    const orders = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 16].map((a) => order(a).join()));
    assert.ok(orders.size > 5, `expected varied orders, got ${orders.size}`);
    const chain = buildTaskGraph(payload, 'Reconciling', 5).nodes.find((n) => n.component === 'a');
    assert.deepEqual(chain?.tasks.map((t) => t.manifest.file), ['0000_10_a_01.yaml', '0000_10_a_02.yaml']);
  });

  it('rotates the order by one step per attempt within a shuffle epoch', () => {
    const order = (attempt: number) => buildTaskGraph(payload, 'Reconciling', attempt).nodes.map((n) => n.tasks[0].manifest.file);
    const [first, second] = [order(0), order(1)];
    assert.deepEqual(second, [...first.slice(1), first[0]]);
  });

  it('describes a task the way the CVO names it in messages', () => {
    const graph = buildTaskGraph([manifest('0000_10_a_01.yaml', 'Deployment', 'apps/v1')], 'Updating');
    assert.equal(describeTask(graph.nodes[0].tasks[0]), 'deployment "ns/0000_10_a_01.yaml" (1 of 1)');
  });
});

describe('runGraph', () => {
  const payload = ['0000_10_a_01', '0000_10_b_01', '0000_20_c_01', '0000_30_d_01', '0000_30_e_01'].map((f) => manifest(`${f}.yaml`));

  it('starts a node only after the nodes it depends on succeeded, and never exceeds the worker count', async () => {
    const graph = buildTaskGraph(payload, 'Updating');
    const finished: string[] = [];
    let running = 0;
    let peak = 0;
    const result = await runGraph(graph, 2, async (node) => {
      for (const dep of node.in) assert.ok(finished.includes(`node${dep}`), `node${node.id} started before node${dep}`);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      finished.push(`node${node.id}`);
    }, new AbortController().signal);
    assert.deepEqual(result, { errors: [], incomplete: 0 });
    assert.equal(peak, 2);
    assert.equal(finished.length, graph.nodes.length);
  });

  it('skips the dependents of a failed node but finishes independent branches', async () => {
    const graph = buildTaskGraph(payload, 'Updating');
    const ran: string[] = [];
    const result = await runGraph(graph, 4, async (node) => {
      const file = node.tasks[0]?.manifest.file ?? 'spacer';
      ran.push(file);
      if (file.startsWith('0000_10_a')) throw new Error('a failed');
    }, new AbortController().signal);
    assert.deepEqual(result.errors.map((e) => (e as Error).message), ['a failed']);
    assert.ok(ran.includes('0000_10_b_01.yaml'), 'the sibling component ran');
    assert.ok(!ran.includes('0000_20_c_01.yaml'), 'the next run level did not run');
    assert.equal(result.incomplete, 3);
  });

  it('stops dispatching when aborted and names the first node that did not run', async () => {
    const graph = buildTaskGraph(payload, 'Updating');
    const abort = new AbortController();
    const result = await runGraph(graph, 1, async () => {
      abort.abort();
    }, abort.signal);
    assert.deepEqual(result.errors, []);
    assert.equal(result.incompleteMessage, `${graph.nodes.length - 1} incomplete task nodes, beginning with configmap "ns/0000_10_b_01.yaml" (2 of 5)`);
  });
});

describe('progress', () => {
  const cases = [
    { done: 57, total: 120, text: '57 of 120 done (47% complete)' },
    { done: 119, total: 120, text: '119 of 120 done (99% complete)' },
    { done: 0, total: 0, text: '0 of 0 done (0% complete)' },
  ];
  for (const { done, total, text } of cases) {
    it(`formats ${done} of ${total} with a truncated percentage and parses it back`, () => {
      assert.equal(formatProgress({ done, total }), text);
      assert.deepEqual(parseProgress(`Working towards 4.2.0: ${text}, waiting on machine-api`), { done, total });
    });
  }
  it('finds no progress in a message without one', () => {
    assert.equal(parseProgress('Cluster version is 4.2.0'), undefined);
  });
});
