// Writes update-graph directories for tests (this folder's and operators/cluster-version/updates/), in the
// layout README.md describes, with deterministic payload digests.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface ReleaseSpec {
  readonly version: string;
  readonly previous?: readonly string[];
  readonly next?: readonly string[];
  readonly architecture?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface GraphDirSpec {
  readonly releases: readonly ReleaseSpec[];
  /** Channel name → versions. */
  readonly channels: Readonly<Record<string, readonly string[]>>;
  /** File name (without .yaml) → blocked-edge document. */
  readonly blockedEdges?: Readonly<Record<string, unknown>>;
}

/** The pull spec a fixture release gets: a registry path by a digest derived from version and architecture. */
export function payloadFor(version: string, architecture = 'amd64'): string {
  const digest = createHash('sha256').update(`${version} ${architecture}`).digest('hex');
  return `registry.local:5000/ocp/release@sha256:${digest}`;
}

export async function makeTempDir(): Promise<{ readonly dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'update-graph-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeGraphDir(dir: string, spec: GraphDirSpec): Promise<void> {
  await Promise.all(['releases', 'channels', 'blocked-edges'].map((d) => mkdir(join(dir, d), { recursive: true })));
  for (const r of spec.releases) {
    const arch = r.architecture ?? 'amd64';
    const doc = {
      kind: 'cincinnati-metadata-v0',
      version: r.version,
      payload: payloadFor(r.version.split('+')[0], arch),
      ...(r.architecture ? { architecture: r.architecture } : {}),
      previous: r.previous ?? [],
      ...(r.next ? { next: r.next } : {}),
      ...(r.metadata ? { metadata: r.metadata } : {}),
    };
    await writeFile(join(dir, 'releases', `${r.version.replace('+', '-')}.json`), JSON.stringify(doc, null, 2));
  }
  for (const [name, versions] of Object.entries(spec.channels)) {
    await writeChannel(dir, name, versions);
  }
  for (const [name, doc] of Object.entries(spec.blockedEdges ?? {})) {
    await writeFile(join(dir, 'blocked-edges', `${name}.yaml`), stringify(doc));
  }
}

export async function writeChannel(dir: string, name: string, versions: readonly string[]): Promise<void> {
  await writeFile(join(dir, 'channels', `${name}.yaml`), stringify({ name, versions }));
}
