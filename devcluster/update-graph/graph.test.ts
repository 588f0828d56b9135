import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { CHANNELS_METADATA_KEY } from '../../operators/cluster-version/updates/graph.ts';
import { buildGraph, MANIFESTREF_METADATA_KEY, type CincinnatiGraph } from './graph.ts';
import type { BlockedEdge, GraphData, ReleaseEntry, Risk } from './graph-data.ts';

function release(version: string, previous: string[] = [], extra: Partial<ReleaseEntry> = {}): ReleaseEntry {
  const digest = version.replace(/\D/g, '').padEnd(64, '0');
  return {
    file: `releases/${version}.json`,
    version,
    payload: `quay.invalid/release@sha256:${digest}`,
    architecture: 'amd64',
    previous,
    next: [],
    metadata: {},
    ...extra,
  };
}

function block(to: string, from: string, risk?: Risk): BlockedEdge {
  return { file: `blocked-edges/${to}.yaml`, to, from: new RegExp(`^(?:${from})$`), ...(risk ? { risk } : {}) };
}

const risk = (name: string): Risk => ({ name, message: `${name} happens.`, url: `https://example.invalid/${name}`, matchingRules: [{ type: 'Always' }] });

/** Edges as "from>to" version pairs, which read better than indexes. */
function edgeList(g: CincinnatiGraph): string[] {
  return g.edges.map(([a, b]) => `${g.nodes[a].version}>${g.nodes[b].version}`);
}

const base: GraphData = {
  releases: [
    release('4.16.2', ['4.16.0', '4.16.1']),
    release('4.16.0'),
    release('4.16.1', ['4.16.0']),
    release('4.17.0', ['4.16.1', '4.16.2']),
  ],
  channels: [
    { file: 'channels/stable-4.16.yaml', name: 'stable-4.16', versions: ['4.16.0', '4.16.1', '4.16.2'] },
    { file: 'channels/stable-4.17.yaml', name: 'stable-4.17', versions: ['4.16.2', '4.17.0'] },
  ],
  blockedEdges: [],
};

describe('update-graph buildGraph', () => {
  it('keeps only the requested channel, sorted by version, with edges from previous between kept nodes', () => {
    const g = buildGraph(base, { channel: 'stable-4.16', arch: 'amd64' });
    assert.deepEqual(g.nodes.map((n) => n.version), ['4.16.0', '4.16.1', '4.16.2']);
    assert.deepEqual(edgeList(g), ['4.16.0>4.16.1', '4.16.0>4.16.2', '4.16.1>4.16.2']);
    const gateway = buildGraph(base, { channel: 'stable-4.17', arch: 'amd64' });
    // 4.16.1 -> 4.17.0 exists in the payload but 4.16.1 is not in stable-4.17.
    assert.deepEqual(edgeList(gateway), ['4.16.2>4.17.0']);
  });

  it('adds edges from next and ignores versions that have no release', () => {
    const data: GraphData = {
      ...base,
      releases: [release('4.16.0', ['4.15.9'], { next: ['4.16.1', '4.16.9'] }), release('4.16.1')],
    };
    assert.deepEqual(edgeList(buildGraph(data, { channel: 'stable-4.16', arch: 'amd64' })), ['4.16.0>4.16.1']);
  });

  it('lists every channel of a node, sorted, and the manifestref of a payload by digest', () => {
    const g = buildGraph(base, { channel: 'stable-4.17', arch: 'amd64' });
    assert.equal(g.nodes[0].version, '4.16.2');
    assert.equal(g.nodes[0].metadata[CHANNELS_METADATA_KEY], 'stable-4.16,stable-4.17');
    assert.match(g.nodes[0].metadata[MANIFESTREF_METADATA_KEY], /^sha256:[0-9a-f]{64}$/);
  });

  it('filters by architecture and strips the architecture from the version', () => {
    const data: GraphData = {
      ...base,
      releases: [...base.releases, release('4.16.0+arm64', [], { architecture: 'arm64' }), release('4.16.1+arm64', ['4.16.0'], { architecture: 'arm64' })],
    };
    const g = buildGraph(data, { channel: 'stable-4.16', arch: 'arm64' });
    assert.deepEqual(g.nodes.map((n) => n.version), ['4.16.0', '4.16.1']);
    assert.deepEqual(edgeList(g), ['4.16.0>4.16.1']);
    assert.equal(buildGraph(data, { channel: 'stable-4.16', arch: 'ppc64le' }).nodes.length, 0);
  });

  it('answers an empty graph for a channel nobody defined', () => {
    assert.deepEqual(buildGraph(base, { channel: 'nightly-9.9', arch: 'amd64' }), { version: 1, nodes: [], edges: [], conditionalEdges: [] });
  });

  it('removes an edge blocked without a risk, matching from as an anchored regular expression', () => {
    const data = { ...base, blockedEdges: [block('4.16.2', '4\\.16\\.0')] };
    assert.deepEqual(edgeList(buildGraph(data, { channel: 'stable-4.16', arch: 'amd64' })), ['4.16.0>4.16.1', '4.16.1>4.16.2']);
    // Unanchored, "4\.16" would match every 4.16 source; anchored it matches none of them.
    const anchored = { ...base, blockedEdges: [block('4.16.2', '4\\.16')] };
    assert.equal(buildGraph(anchored, { channel: 'stable-4.16', arch: 'amd64' }).edges.length, 3);
  });

  it('turns an edge blocked with a risk into a conditional edge, grouping edges with the same risks', () => {
    const data = { ...base, blockedEdges: [block('4.16.2', '4\\.16\\..*', risk('A'))] };
    const g = buildGraph(data, { channel: 'stable-4.16', arch: 'amd64' });
    assert.deepEqual(edgeList(g), ['4.16.0>4.16.1']);
    assert.deepEqual(g.conditionalEdges, [
      { edges: [{ from: '4.16.0', to: '4.16.2' }, { from: '4.16.1', to: '4.16.2' }], risks: [risk('A')] },
    ]);
  });

  it('gives an edge blocked by several risks all of them, and removes it when one block has no risk', () => {
    const two = { ...base, blockedEdges: [block('4.16.1', '.*', risk('B')), block('4.16.1', '.*', risk('A'))] };
    assert.deepEqual(buildGraph(two, { channel: 'stable-4.16', arch: 'amd64' }).conditionalEdges, [
      { edges: [{ from: '4.16.0', to: '4.16.1' }], risks: [risk('A'), risk('B')] },
    ]);
    const mixed = { ...base, blockedEdges: [block('4.16.1', '.*', risk('A')), block('4.16.1', '.*')] };
    const g = buildGraph(mixed, { channel: 'stable-4.16', arch: 'amd64' });
    assert.deepEqual(g.conditionalEdges, []);
    assert.deepEqual(edgeList(g), ['4.16.0>4.16.2', '4.16.1>4.16.2']);
  });
});
