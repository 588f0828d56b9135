// The graph one request sees, built the way Cincinnati builds it (docs/design/openshift.md; plugins
// arch-filter, channel-filter, edge-add-remove; shared/reference/cluster-version.md §4):
// 1. keep the releases of the requested architecture, stripping that architecture from the version's build
//    metadata ("4.16.3+arm64" is served as "4.16.3");
// 2. keep the releases the requested channel lists; each node's channels metadata lists every channel it is in;
// 3. edges come from the payloads' own `previous` (X → this) and `next` (this → X), between kept nodes only;
// 4. a blocked edge without a risk is removed; one with a risk leaves `edges` and is served under
//    `conditionalEdges`, edges with the same set of risks grouped together.
// Pure; the whole channel is returned whatever `version` the client sends (the client finds its own node).
import { CHANNELS_METADATA_KEY } from '../../operators/cluster-version/updates/graph.ts';
import { compareSemVer, formatSemVer, parseSemVer, sameVersion } from '../../operators/cluster-version/updates/semver.ts';
import type { GraphData, ReleaseEntry, Risk } from './graph-data.ts';

export const MANIFESTREF_METADATA_KEY = 'io.openshift.upgrades.graph.release.manifestref';

export interface CincinnatiNode {
  readonly version: string;
  readonly payload: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The Cincinnati graph document (the response body of a successful request). */
export interface CincinnatiGraph {
  readonly version: 1;
  readonly nodes: readonly CincinnatiNode[];
  readonly edges: readonly (readonly [number, number])[];
  readonly conditionalEdges: readonly {
    readonly edges: readonly { readonly from: string; readonly to: string }[];
    readonly risks: readonly Risk[];
  }[];
}

export function buildGraph(data: GraphData, params: { readonly channel: string; readonly arch: string }): CincinnatiGraph {
  const channelOf = (version: string) =>
    data.channels.filter((c) => c.versions.some((v) => sameVersion(v, version))).map((c) => c.name).sort();

  const kept = data.releases
    .filter((r) => r.architecture === params.arch)
    .map((r) => ({ release: r, version: stripArch(r.version, params.arch) }))
    .filter(({ version }) => channelOf(version).includes(params.channel))
    .sort((a, b) => compareSemVer(parseSemVer(a.version)!, parseSemVer(b.version)!));

  const nodes = kept.map(({ release, version }) => toNode(release, version, channelOf(version)));
  const indexOf = (version: string) => nodes.findIndex((n) => sameVersion(n.version, version));

  const edgeKeys = new Set<string>();
  const candidateEdges: [number, number][] = [];
  const addEdge = (from: number, to: number) => {
    if (from < 0 || to < 0 || from === to || edgeKeys.has(`${from}>${to}`)) return;
    edgeKeys.add(`${from}>${to}`);
    candidateEdges.push([from, to]);
  };
  kept.forEach(({ release }, i) => {
    for (const p of release.previous) addEdge(indexOf(p), i);
    for (const n of release.next) addEdge(i, indexOf(n));
  });

  const edges: [number, number][] = [];
  const risksByEdge = new Map<string, { from: string; to: string; risks: Risk[] }>();
  for (const [from, to] of candidateEdges) {
    const fromVersion = nodes[from].version;
    const toVersion = nodes[to].version;
    const blocks = data.blockedEdges.filter((b) => sameVersion(b.to, toVersion) && b.from.test(fromVersion));
    if (blocks.length === 0) edges.push([from, to]);
    else if (blocks.every((b) => b.risk)) {
      const risks = blocks.map((b) => b.risk!).sort((a, b) => a.name.localeCompare(b.name));
      risksByEdge.set(`${from}>${to}`, { from: fromVersion, to: toVersion, risks });
    }
    // else: at least one unconditional block, and the edge is gone
  }

  const groups = new Map<string, { edges: { from: string; to: string }[]; risks: Risk[] }>();
  for (const { from, to, risks } of risksByEdge.values()) {
    const key = JSON.stringify(risks);
    const group = groups.get(key) ?? { edges: [], risks };
    group.edges.push({ from, to });
    groups.set(key, group);
  }

  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { version: 1, nodes, edges, conditionalEdges: [...groups.values()] };
}

function toNode(release: ReleaseEntry, version: string, channels: readonly string[]): CincinnatiNode {
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(release.payload)?.[1];
  return {
    version,
    payload: release.payload,
    metadata: {
      ...release.metadata,
      [CHANNELS_METADATA_KEY]: channels.join(','),
      ...(digest ? { [MANIFESTREF_METADATA_KEY]: digest } : {}),
    },
  };
}

/** arch-filter: drop the build-metadata element naming the architecture. */
function stripArch(version: string, arch: string): string {
  const v = parseSemVer(version)!;
  return formatSemVer({ ...v, build: v.build.filter((b) => b !== arch) });
}
