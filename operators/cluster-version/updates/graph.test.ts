import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { UpdateRetrievalError } from './errors.ts';
import { parseUpdateGraph, selectUpdates } from './graph.ts';

function invalid(body: string): string {
  try {
    parseUpdateGraph(body);
  } catch (err) {
    assert.ok(err instanceof UpdateRetrievalError);
    assert.equal(err.reason, 'ResponseInvalid');
    return err.message;
  }
  return assert.fail('expected ResponseInvalid');
}

const node = (version: string, payload = `img:${version}`) => ({ version, payload });
const risk = (name: string, matchingRules: unknown[] = [{ type: 'Always' }]) => ({ name, message: `${name}.`, url: `https://e.invalid/${name}`, matchingRules });

describe('update graph parsing', () => {
  const cases: { name: string; body: unknown; message: string }[] = [
    { name: 'a body that is not JSON', body: '<html>', message: 'response is not JSON: Unexpected token \'<\', "<html>" is not valid JSON' },
    { name: 'a JSON array', body: [], message: 'invalid update graph: the response is not a JSON object' },
    { name: 'missing nodes', body: { edges: [] }, message: 'invalid update graph: nodes: required' },
    { name: 'a version that is not SemVer', body: { nodes: [node('4.16')] }, message: 'invalid update graph: nodes[0].version: "4.16" is not a semantic version' },
    { name: 'a node without payload', body: { nodes: [{ version: '4.16.0' }] }, message: 'invalid update graph: nodes[0].payload: must be a non-empty string' },
    { name: 'non-string metadata', body: { nodes: [{ ...node('4.16.0'), metadata: { url: 1 } }] }, message: 'invalid update graph: nodes[0].metadata["url"]: must be a string' },
    { name: 'an edge index out of range', body: { nodes: [node('4.16.0')], edges: [[0, 1]] }, message: 'invalid update graph: edges[0]: node index 1 is out of range (1 nodes)' },
    { name: 'an edge that is not a pair', body: { nodes: [node('4.16.0')], edges: [[0]] }, message: 'invalid update graph: edges[0]: must be a [from, to] pair of node indexes' },
    {
      name: 'a conditional edge with a bad version and a risk without name',
      body: { nodes: [], conditionalEdges: [{ edges: [{ from: '4.16.0', to: 'latest' }], risks: [{ ...risk('R'), name: '' }] }] },
      message: 'invalid update graph: conditionalEdges[0].edges[0].to: "latest" is not a semantic version; conditionalEdges[0].risks[0].name: must be a non-empty string',
    },
  ];
  for (const c of cases) {
    it(`says ResponseInvalid naming what is wrong for ${c.name}`, () => {
      assert.equal(invalid(typeof c.body === 'string' ? c.body : JSON.stringify(c.body)), c.message);
    });
  }

  it('shows at most five problems and counts the rest', () => {
    const nodes = Array.from({ length: 7 }, () => ({ version: 'x', payload: 'p' }));
    assert.match(invalid(JSON.stringify({ nodes })), /nodes\[4\]\.version: "x" is not a semantic version \(and 2 more\)$/);
  });
});

describe('update graph selection', () => {
  const graph = (doc: unknown) => parseUpdateGraph(JSON.stringify(doc));

  it('finds the current node by SemVer precedence, so build metadata does not matter', () => {
    const s = selectUpdates(graph({ nodes: [node('4.16.0+amd64'), node('4.16.1')], edges: [[0, 1]] }), '4.16.0', 'c');
    assert.deepEqual(s.updates, [{ version: '4.16.1', image: 'img:4.16.1' }]);
  });

  it('keeps a target listed both ways only as a conditional update', () => {
    const s = selectUpdates(
      graph({
        nodes: [node('4.16.0'), node('4.16.1'), node('4.16.2')],
        edges: [[0, 1], [0, 2]],
        conditionalEdges: [{ edges: [{ from: '4.16.0', to: '4.16.2' }], risks: [risk('R')] }],
      }),
      '4.16.0',
      'c',
    );
    assert.deepEqual(s.updates.map((u) => u.version), ['4.16.1']);
    assert.deepEqual(s.conditionalUpdates.map((c) => c.release.version), ['4.16.2']);
    assert.deepEqual(s.warnings, ['Update to 4.16.2 listed as both a conditional and unconditional update; preferring the conditional update']);
  });

  it('prunes unrecognised matching rules and drops a target whose risk has none left', () => {
    const s = selectUpdates(
      graph({
        nodes: [node('4.16.0'), node('4.16.1'), node('4.16.2')],
        conditionalEdges: [
          { edges: [{ from: '4.16.0', to: '4.16.1' }], risks: [risk('Mixed', [{ type: 'Unknown' }, { type: 'PromQL', promql: { promql: 'up' } }])] },
          { edges: [{ from: '4.16.0', to: '4.16.2' }], risks: [risk('Gone', [{ type: 'Unknown' }, { type: 'PromQL' }])] },
        ],
      }),
      '4.16.0',
      'c',
    );
    assert.deepEqual(s.conditionalUpdates, [
      { release: { version: '4.16.1', image: 'img:4.16.1' }, risks: [risk('Mixed', [{ type: 'PromQL', promql: { promql: 'up' } }])] },
    ]);
    assert.deepEqual(s.warnings, ['Conditional update to 4.16.2, risk "Gone", has no recognised matchingRules; dropping this target']);
  });

  it('drops every conditional update to an image declared more than once', () => {
    const s = selectUpdates(
      graph({
        nodes: [node('4.16.0'), node('4.16.1')],
        conditionalEdges: [
          { edges: [{ from: '4.16.0', to: '4.16.1' }], risks: [risk('A')] },
          { edges: [{ from: '4.16.0', to: '4.16.1' }], risks: [risk('B')] },
        ],
      }),
      '4.16.0',
      'c',
    );
    assert.deepEqual(s.conditionalUpdates, []);
    assert.deepEqual(s.warnings, ['Upstream declares 2 conditional updates to 4.16.1; dropping them all']);
  });

  it('says ResponseInvalid for a conditional edge to a version without a node, and for a bad errata URL', () => {
    assert.throws(
      () => selectUpdates(graph({ nodes: [node('4.16.0')], conditionalEdges: [{ edges: [{ from: '4.16.0', to: '4.16.9' }], risks: [risk('R')] }] }), '4.16.0', 'c'),
      { reason: 'ResponseInvalid', message: 'no node for conditional update 4.16.9' },
    );
    assert.throws(() => selectUpdates(graph({ nodes: [{ ...node('4.16.0'), metadata: { url: 'not a url' } }] }), '4.16.0', 'c'), {
      reason: 'ResponseInvalid',
      message: 'invalid current node: invalid URL for 4.16.0: "not a url"',
    });
  });
});
