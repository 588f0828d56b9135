// Reads the update-graph directory (README.md in this folder): `releases/` (one release-metadata document per
// payload, plus its pull spec), `channels/` (which versions each channel offers) and the optional
// `blocked-edges/` (edges removed, or turned into conditional edges when they carry a risk), the layout of
// openshift/cincinnati-graph-data. Files are re-read only when their mtime or size changes, so a request
// costs a directory listing and a stat per file, and edits show up on the next request without any timer.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isSemVer } from '../../operators/cluster-version/updates/semver.ts';

export interface MatchingRule {
  readonly type: string;
  readonly promql?: { readonly promql: string };
}

export interface Risk {
  readonly name: string;
  readonly message: string;
  readonly url: string;
  readonly matchingRules: readonly MatchingRule[];
}

export interface ReleaseEntry {
  /** Path relative to the directory, for error messages. */
  readonly file: string;
  /** As written; build metadata equal to the architecture ("4.16.3+arm64") is stripped when served. */
  readonly version: string;
  readonly payload: string;
  readonly architecture: string;
  readonly previous: readonly string[];
  readonly next: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ChannelEntry {
  readonly file: string;
  readonly name: string;
  readonly versions: readonly string[];
}

export interface BlockedEdge {
  readonly file: string;
  readonly to: string;
  /** `from` compiled as an anchored regular expression over the source version. */
  readonly from: RegExp;
  /** Present: the edge becomes conditional with this risk. Absent: the edge is removed. */
  readonly risk?: Risk;
}

export interface GraphData {
  readonly releases: readonly ReleaseEntry[];
  readonly channels: readonly ChannelEntry[];
  readonly blockedEdges: readonly BlockedEdge[];
}

/** The directory holds something the server cannot serve; the message names the file and field. */
export class GraphDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphDataError';
  }
}

/** Cincinnati's channel-name rule (channel_filter.rs). */
export const CHANNEL_NAME_RE = /^[0-9a-z\-.]+$/;
/** Cincinnati's architecture rule (arch_filter.rs). */
export const ARCH_RE = /^[0-9a-z]+$/;
/** Cincinnati's default architecture when a request gives none. */
export const DEFAULT_ARCH = 'amd64';

const DATA_EXTENSIONS = /\.(json|ya?ml)$/;

interface CachedFile {
  readonly mtimeMs: number;
  readonly size: number;
  readonly value: unknown;
}

type Parser<T> = (doc: unknown, file: string, problems: string[]) => T | undefined;

export class GraphDataLoader {
  readonly #dir: string;
  #cache = new Map<string, CachedFile>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Loads the directory, re-parsing only changed files; throws GraphDataError listing every problem. */
  async load(): Promise<GraphData> {
    const problems: string[] = [];
    const seen = new Map<string, CachedFile>();
    const releases = await this.#loadFolder('releases', true, parseRelease, problems, seen);
    const channels = await this.#loadFolder('channels', true, parseChannel, problems, seen);
    const blockedEdges = await this.#loadFolder('blocked-edges', false, parseBlockedEdge, problems, seen);
    this.#cache = seen; // forget deleted files
    checkDuplicates(releases, problems);
    if (problems.length > 0) throw new GraphDataError(problems.join('; '));
    return { releases, channels, blockedEdges };
  }

  async #loadFolder<T>(folder: string, required: boolean, parser: Parser<T>, problems: string[], seen: Map<string, CachedFile>): Promise<T[]> {
    let names: string[];
    try {
      names = (await readdir(join(this.#dir, folder))).filter((n) => DATA_EXTENSIONS.test(n)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) return [];
      problems.push(`${folder}/: ${(err as Error).message}`);
      return [];
    }
    const out: T[] = [];
    for (const name of names) {
      const file = `${folder}/${name}`;
      const path = join(this.#dir, file);
      try {
        const st = await stat(path);
        let cached = this.#cache.get(path);
        if (!cached || cached.mtimeMs !== st.mtimeMs || cached.size !== st.size) {
          const fileProblems: string[] = [];
          const value = parseDocument(await readFile(path, 'utf8'), file, parser, fileProblems);
          cached = { mtimeMs: st.mtimeMs, size: st.size, value: fileProblems.length > 0 ? new GraphDataError(fileProblems.join('; ')) : value };
        }
        seen.set(path, cached);
        if (cached.value instanceof GraphDataError) problems.push(cached.value.message);
        else out.push(cached.value as T);
      } catch (err) {
        // Deleted between readdir and stat, or unreadable: report it rather than serve a partial graph.
        problems.push(`${file}: ${(err as Error).message}`);
      }
    }
    return out;
  }
}

function parseDocument<T>(text: string, file: string, parser: Parser<T>, problems: string[]): T | undefined {
  let doc: unknown;
  try {
    // JSON is YAML, so one parser serves both; `uniqueKeys` catches a key written twice.
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (err) {
    problems.push(`${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  }
  return parser(doc, file, problems);
}

const RELEASE_FIELDS = ['kind', 'version', 'payload', 'architecture', 'previous', 'next', 'metadata'];

function parseRelease(doc: unknown, file: string, problems: string[]): ReleaseEntry | undefined {
  if (!isObject(doc)) return void problems.push(`${file}: must be an object with version and payload`);
  const before = problems.length;
  unknownFields(doc, RELEASE_FIELDS, file, problems);
  if (doc.kind !== undefined && doc.kind !== 'cincinnati-metadata-v0') {
    problems.push(`${file}: kind: ${JSON.stringify(doc.kind)} must be "cincinnati-metadata-v0" when given`);
  }
  const version = versionField(doc.version, `${file}: version`, problems);
  if (typeof doc.payload !== 'string' || doc.payload === '') {
    problems.push(`${file}: payload: required, the release image pull spec (by digest) or URL`);
  }
  const architecture = doc.architecture ?? DEFAULT_ARCH;
  if (typeof architecture !== 'string' || !ARCH_RE.test(architecture)) {
    problems.push(`${file}: architecture: ${JSON.stringify(architecture)} does not match ${ARCH_RE}`);
  }
  const previous = versionList(doc.previous, `${file}: previous`, problems);
  const next = versionList(doc.next, `${file}: next`, problems);
  const metadata = stringMap(doc.metadata, `${file}: metadata`, problems);
  if (problems.length > before) return undefined;
  return { file, version, payload: doc.payload as string, architecture: architecture as string, previous, next, metadata };
}

function parseChannel(doc: unknown, file: string, problems: string[]): ChannelEntry | undefined {
  const name = file.slice('channels/'.length).replace(DATA_EXTENSIONS, '');
  if (!CHANNEL_NAME_RE.test(name)) return void problems.push(`${file}: channel name ${JSON.stringify(name)} does not match ${CHANNEL_NAME_RE}`);
  if (!isObject(doc)) return void problems.push(`${file}: must be an object with a versions list`);
  const before = problems.length;
  unknownFields(doc, ['name', 'versions'], file, problems);
  if (doc.name !== undefined && doc.name !== name) {
    problems.push(`${file}: name: ${JSON.stringify(doc.name)} differs from the file name's channel ${JSON.stringify(name)}`);
  }
  if (!Array.isArray(doc.versions)) problems.push(`${file}: versions: required, a list of versions`);
  const versions = versionList(doc.versions, `${file}: versions`, problems);
  return problems.length > before ? undefined : { file, name, versions };
}

function parseBlockedEdge(doc: unknown, file: string, problems: string[]): BlockedEdge | undefined {
  if (!isObject(doc)) return void problems.push(`${file}: must be an object with to and from`);
  const before = problems.length;
  unknownFields(doc, ['to', 'from', 'url', 'name', 'message', 'matchingRules'], file, problems);
  const to = versionField(doc.to, `${file}: to`, problems);
  let from: RegExp | undefined;
  if (typeof doc.from !== 'string' || doc.from === '') problems.push(`${file}: from: required, a regular expression over source versions`);
  else {
    try {
      from = new RegExp(`^(?:${doc.from})$`);
    } catch (err) {
      problems.push(`${file}: from: ${(err as Error).message}`);
    }
  }
  let risk: Risk | undefined;
  if (doc.matchingRules !== undefined) {
    for (const field of ['name', 'message', 'url'] as const) {
      if (typeof doc[field] !== 'string' || doc[field] === '') problems.push(`${file}: ${field}: required when matchingRules is given`);
    }
    if (typeof doc.url === 'string' && !URL.canParse(doc.url)) problems.push(`${file}: url: ${JSON.stringify(doc.url)} is not a URL`);
    const matchingRules = parseMatchingRules(doc.matchingRules, `${file}: matchingRules`, problems);
    risk = { name: doc.name as string, message: doc.message as string, url: doc.url as string, matchingRules };
  }
  if (problems.length > before || !from) return undefined;
  return { file, to, from, ...(risk ? { risk } : {}) };
}

function parseMatchingRules(v: unknown, path: string, problems: string[]): MatchingRule[] {
  if (!Array.isArray(v) || v.length === 0) {
    problems.push(`${path}: must be a non-empty list such as [{type: Always}] or [{type: PromQL, promql: {promql: "…"}}]`);
    return [];
  }
  return v.map((rule: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(rule) || (rule.type !== 'Always' && rule.type !== 'PromQL')) {
      problems.push(`${p}: type must be Always or PromQL`);
      return { type: '' };
    }
    if (rule.type === 'Always') return { type: 'Always' };
    const promql = isObject(rule.promql) ? rule.promql.promql : undefined;
    if (typeof promql !== 'string' || promql.trim() === '') {
      problems.push(`${p}: promql.promql: required for type PromQL`);
      return { type: 'PromQL' };
    }
    return { type: 'PromQL', promql: { promql } };
  });
}

function checkDuplicates(releases: readonly ReleaseEntry[], problems: string[]): void {
  const byKey = new Map<string, string>();
  for (const r of releases) {
    const key = `${r.version.split('+')[0]} ${r.architecture}`;
    const other = byKey.get(key);
    if (other) problems.push(`${r.file}: version ${r.version} for ${r.architecture} is already defined by ${other}`);
    else byKey.set(key, r.file);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A typo ("prevous") would otherwise silently drop edges. */
function unknownFields(obj: Record<string, unknown>, known: readonly string[], file: string, problems: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) problems.push(`${file}: ${key}: unknown field (known: ${known.join(', ')})`);
  }
}

function versionField(v: unknown, path: string, problems: string[]): string {
  if (typeof v === 'string' && isSemVer(v)) return v;
  // YAML reads an unquoted 4.16 as a number: say so, it is the usual mistake.
  const hint = typeof v === 'number' ? ' (a number: quote it)' : '';
  problems.push(`${path}: ${JSON.stringify(v)} is not a semantic version${hint}`);
  return '';
}

function versionList(v: unknown, path: string, problems: string[]): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problems.push(`${path}: must be a list of versions`);
    return [];
  }
  return v.map((item: unknown, i) => versionField(item, `${path}[${i}]`, problems));
}

function stringMap(v: unknown, path: string, problems: string[]): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) {
    problems.push(`${path}: must be a map of strings`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    if (typeof value === 'string') out[key] = value;
    else problems.push(`${path}.${key}: must be a string`);
  }
  return out;
}
