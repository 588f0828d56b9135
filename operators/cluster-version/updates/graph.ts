// The Cincinnati graph document and what a cluster at one version reads from it
// (shared/reference/cluster-version.md §4 "Response" and "Client algorithm"; pkg/cincinnati/cincinnati.go).
// Pure: parsing turns any shape error into ResponseInvalid with the path of the offending field, and
// selection finds the current node, its outgoing edges and its conditional edges.
import type { ConditionalUpdate, ConditionalUpdateRisk, GraphRelease } from '../contracts.ts';
import { UpdateRetrievalError } from './errors.ts';
import { compareVersions, isSemVer, sameVersion } from './semver.ts';

/** Node metadata key listing the channels a release is in, comma-separated. */
export const CHANNELS_METADATA_KEY = 'io.openshift.upgrades.graph.release.channels';
/** Node metadata key of the errata URL. */
export const URL_METADATA_KEY = 'url';

/** The matching-rule types this CVO knows (pkg/clusterconditions: `Always`, `PromQL`). */
export const KNOWN_RULE_TYPES: readonly string[] = ['Always', 'PromQL'];

export interface GraphNode {
  readonly version: string;
  readonly payload: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ConditionalEdgeGroup {
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  readonly risks: readonly ConditionalUpdateRisk[];
}

export interface UpdateGraph {
  readonly nodes: readonly GraphNode[];
  /** `[fromIndex, toIndex]` into `nodes`, each checked to be in range. */
  readonly edges: readonly (readonly [number, number])[];
  readonly conditionalEdges: readonly ConditionalEdgeGroup[];
}

/** What a cluster at one version reads from a graph. */
export interface GraphSelection {
  /** The node of the current version: its url and channels fill gaps in `status.desired`. */
  readonly current: GraphRelease;
  /** Unconditional next hops, newest first, without targets that are also conditional. */
  readonly updates: readonly GraphRelease[];
  /** Conditional next hops, newest first, with unrecognised matching rules pruned. */
  readonly conditionalUpdates: readonly ConditionalUpdate[];
  /** What was dropped or pruned and why, for the log (the CVO logs these as warnings). */
  readonly warnings: readonly string[];
}

type Json = unknown;

/** Parses a response body; throws UpdateRetrievalError(ResponseInvalid) naming what is wrong. */
export function parseUpdateGraph(body: string): UpdateGraph {
  let doc: Json;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw new UpdateRetrievalError('ResponseInvalid', `response is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const problems: string[] = [];
  const graph = readGraph(doc, problems);
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).join('; ');
    const more = problems.length > MAX_PROBLEMS_SHOWN ? ` (and ${problems.length - MAX_PROBLEMS_SHOWN} more)` : '';
    throw new UpdateRetrievalError('ResponseInvalid', `invalid update graph: ${shown}${more}`);
  }
  return graph;
}

/** A large broken graph would otherwise produce a condition message of megabytes. */
const MAX_PROBLEMS_SHOWN = 5;

function readGraph(doc: Json, problems: string[]): UpdateGraph {
  if (!isObject(doc)) {
    problems.push('the response is not a JSON object');
    return { nodes: [], edges: [], conditionalEdges: [] };
  }
  const nodes = readArray(doc.nodes, 'nodes', problems, true).map((n, i) => readNode(n, `nodes[${i}]`, problems));
  const edges = readArray(doc.edges, 'edges', problems, false).flatMap((e, i) => {
    const edge = readEdge(e, `edges[${i}]`, nodes.length, problems);
    return edge ? [edge] : [];
  });
  const conditionalEdges = readArray(doc.conditionalEdges, 'conditionalEdges', problems, false).map((g, i) =>
    readConditionalEdgeGroup(g, `conditionalEdges[${i}]`, problems),
  );
  return { nodes, edges, conditionalEdges };
}

function readNode(n: Json, path: string, problems: string[]): GraphNode {
  if (!isObject(n)) {
    problems.push(`${path}: must be an object`);
    return { version: '', payload: '', metadata: {} };
  }
  const version = readVersion(n.version, `${path}.version`, problems);
  const payload = readString(n.payload, `${path}.payload`, problems);
  const metadata: Record<string, string> = {};
  if (n.metadata !== undefined && n.metadata !== null) {
    if (!isObject(n.metadata)) problems.push(`${path}.metadata: must be an object of strings`);
    else {
      for (const [key, value] of Object.entries(n.metadata)) {
        if (typeof value === 'string') metadata[key] = value;
        else problems.push(`${path}.metadata[${JSON.stringify(key)}]: must be a string`);
      }
    }
  }
  return { version, payload, metadata };
}

function readEdge(e: Json, path: string, nodeCount: number, problems: string[]): [number, number] | undefined {
  if (!Array.isArray(e) || e.length !== 2) {
    problems.push(`${path}: must be a [from, to] pair of node indexes`);
    return undefined;
  }
  let ok = true;
  for (const index of e) {
    if (!Number.isInteger(index) || index < 0 || index >= nodeCount) {
      problems.push(`${path}: node index ${JSON.stringify(index)} is out of range (${nodeCount} nodes)`);
      ok = false;
    }
  }
  return ok ? [e[0] as number, e[1] as number] : undefined;
}

function readConditionalEdgeGroup(g: Json, path: string, problems: string[]): ConditionalEdgeGroup {
  if (!isObject(g)) {
    problems.push(`${path}: must be an object`);
    return { edges: [], risks: [] };
  }
  const edges = readArray(g.edges, `${path}.edges`, problems, true).map((e, i) => {
    const p = `${path}.edges[${i}]`;
    if (!isObject(e)) {
      problems.push(`${p}: must be an object with from and to`);
      return { from: '', to: '' };
    }
    return { from: readVersion(e.from, `${p}.from`, problems), to: readVersion(e.to, `${p}.to`, problems) };
  });
  const risks = readArray(g.risks, `${path}.risks`, problems, true).map((r, i) => readRisk(r, `${path}.risks[${i}]`, problems));
  return { edges, risks };
}

function readRisk(r: Json, path: string, problems: string[]): ConditionalUpdateRisk {
  if (!isObject(r)) {
    problems.push(`${path}: must be an object`);
    return { name: '', message: '', url: '', matchingRules: [] };
  }
  const matchingRules = readArray(r.matchingRules, `${path}.matchingRules`, problems, true).map((rule, i) => {
    const p = `${path}.matchingRules[${i}]`;
    if (!isObject(rule)) {
      problems.push(`${p}: must be an object`);
      return { type: '' };
    }
    const type = readString(rule.type, `${p}.type`, problems);
    if (rule.promql === undefined || rule.promql === null) return { type };
    if (!isObject(rule.promql) || typeof rule.promql.promql !== 'string') {
      problems.push(`${p}.promql: must be an object with a string promql`);
      return { type };
    }
    return { type, promql: { promql: rule.promql.promql } };
  });
  return {
    name: readString(r.name, `${path}.name`, problems),
    message: readString(r.message, `${path}.message`, problems),
    url: readString(r.url, `${path}.url`, problems),
    matchingRules,
  };
}

/**
 * What a cluster at `version` may update to (cincinnati.go `GetUpdates` steps 2-5): the targets of edges
 * leaving its node, the conditional edges from it, a target listed both ways kept as conditional only,
 * unrecognised matching rules pruned (a risk left without rules drops the target), and conditional targets
 * declared more than once dropped altogether. Throws VersionNotFound when the version has no node.
 */
export function selectUpdates(graph: UpdateGraph, version: string, channel: string): GraphSelection {
  const currentIndex = graph.nodes.findIndex((n) => sameVersion(n.version, version));
  if (currentIndex < 0) {
    throw new UpdateRetrievalError(
      'VersionNotFound',
      `currently reconciling cluster version ${version} not found in the "${channel}" channel`,
    );
  }
  const current = toRelease(graph.nodes[currentIndex], 'current node');
  const warnings: string[] = [];

  const targetIndexes = new Set(graph.edges.filter(([from]) => from === currentIndex).map(([, to]) => to));
  let updates = [...targetIndexes].map((i) => toRelease(graph.nodes[i], 'recommended update node'));

  let conditionalUpdates: ConditionalUpdate[] = [];
  for (const group of graph.conditionalEdges) {
    for (const edge of group.edges) {
      if (!sameVersion(edge.from, version)) continue;
      const target = graph.nodes.find((n) => sameVersion(n.version, edge.to));
      if (!target) throw new UpdateRetrievalError('ResponseInvalid', `no node for conditional update ${edge.to}`);
      conditionalUpdates.push({ release: toRelease(target, 'conditional update node'), risks: group.risks });
    }
  }

  const conditionalImages = new Set(conditionalUpdates.map((c) => c.release.image));
  updates = updates.filter((u) => {
    if (!conditionalImages.has(u.image)) return true;
    warnings.push(`Update to ${u.version} listed as both a conditional and unconditional update; preferring the conditional update`);
    return false;
  });

  conditionalUpdates = conditionalUpdates.flatMap((c) => {
    const risks = c.risks.map((risk) => ({ ...risk, matchingRules: risk.matchingRules.filter(isValidRule) }));
    const emptied = risks.find((risk) => risk.matchingRules.length === 0);
    if (emptied) {
      warnings.push(`Conditional update to ${c.release.version}, risk "${emptied.name}", has no recognised matchingRules; dropping this target`);
      return [];
    }
    return [{ release: c.release, risks }];
  });

  const perImage = new Map<string, number>();
  for (const c of conditionalUpdates) perImage.set(c.release.image, (perImage.get(c.release.image) ?? 0) + 1);
  conditionalUpdates = conditionalUpdates.filter((c) => {
    const count = perImage.get(c.release.image) ?? 0;
    if (count > 1) warnings.push(`Upstream declares ${count} conditional updates to ${c.release.version}; dropping them all`);
    return count <= 1;
  });

  const newestFirst = (a: GraphRelease, b: GraphRelease) => compareVersions(b.version, a.version);
  return {
    current,
    updates: updates.sort(newestFirst),
    conditionalUpdates: conditionalUpdates.sort((a, b) => newestFirst(a.release, b.release)),
    warnings: [...new Set(warnings)],
  };
}

/** `clusterconditions.PruneInvalid`: a known type, and PromQL rules need their query. */
function isValidRule(rule: ConditionalUpdateRisk['matchingRules'][number]): boolean {
  if (!KNOWN_RULE_TYPES.includes(rule.type)) return false;
  return rule.type !== 'PromQL' || (rule.promql !== undefined && rule.promql.promql.trim() !== '');
}

/** `convertRetrievedUpdateToRelease`: the errata URL must be a URL, and channels are sorted. */
function toRelease(node: GraphNode, what: string): GraphRelease {
  const url = node.metadata[URL_METADATA_KEY];
  if (url !== undefined && !URL.canParse(url)) {
    throw new UpdateRetrievalError('ResponseInvalid', `invalid ${what}: invalid URL for ${node.version}: ${JSON.stringify(url)}`);
  }
  const channels = node.metadata[CHANNELS_METADATA_KEY];
  return {
    version: node.version,
    image: node.payload,
    ...(url !== undefined ? { url } : {}),
    ...(channels !== undefined ? { channels: channels.split(',').map((c) => c.trim()).filter(Boolean).sort() } : {}),
  };
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readArray(v: Json, path: string, problems: string[], required: boolean): Json[] {
  if (v === undefined || v === null) {
    if (required) problems.push(`${path}: required`);
    return [];
  }
  if (!Array.isArray(v)) {
    problems.push(`${path}: must be an array`);
    return [];
  }
  return v;
}

function readString(v: Json, path: string, problems: string[]): string {
  if (typeof v !== 'string' || v === '') {
    problems.push(`${path}: must be a non-empty string`);
    return '';
  }
  return v;
}

function readVersion(v: Json, path: string, problems: string[]): string {
  if (typeof v !== 'string' || !isSemVer(v)) {
    problems.push(`${path}: ${JSON.stringify(v)} is not a semantic version`);
    return '';
  }
  return v;
}
