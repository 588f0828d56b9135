// Summarises a V8 .cpuprofile (node --cpu-prof; BENCH_CPU_PROF=DIR for the bench server children):
//   npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]
// prints the functions and files with the most self time, and the project functions with the most total
// (inclusive) time, as % of the non-idle samples.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Hotspot {
  /** `function file:line`, or V8's pseudo-frames such as `(garbage collector)`. */
  readonly name: string;
  readonly file: string;
  readonly ms: number;
  /** Share of the non-idle time. */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly selfByFunction: readonly Hotspot[];
  readonly selfByFile: readonly Hotspot[];
  /** Time with the function anywhere on the stack; only code under `projectRoot` (node_modules included). */
  readonly totalByProjectFunction: readonly Hotspot[];
}

const PSEUDO_FRAME = /^\(.*\)$/;

function fileOf(url: string, projectRoot: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(projectRoot) ? path.slice(projectRoot.length) : path;
}

function frameName(node: CpuProfileNode, projectRoot: string): { name: string; file: string } {
  const { functionName, url, lineNumber } = node.callFrame;
  if (PSEUDO_FRAME.test(functionName)) return { name: functionName, file: functionName };
  const file = url ? fileOf(url, projectRoot) : '(native)';
  return { name: `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`, file };
}

function ranked(totals: Map<string, { file: string; ms: number }>, busyMs: number, top: number): Hotspot[] {
  return [...totals].map(([name, { file, ms }]) => ({ name, file, ms, percent: (ms / busyMs) * 100 }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
}

function add(totals: Map<string, { file: string; ms: number }>, name: string, file: string, ms: number): void {
  const entry = totals.get(name);
  if (entry) entry.ms += ms;
  else totals.set(name, { file, ms });
}

/** `projectRoot` ends with a slash; files under it are shown relative to it. */
export function summarizeProfile(profile: CpuProfile, projectRoot: string, top: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfByFunction = new Map<string, { file: string; ms: number }>();
  const selfByFile = new Map<string, { file: string; ms: number }>();
  const totalByFunction = new Map<string, { file: string; ms: number }>();
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    const { name, file } = frameName(node, projectRoot);
    add(selfByFunction, name, file, ms);
    add(selfByFile, file, file, ms);
    // A recursive function counts once per sample.
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = frameName(byId.get(at)!, projectRoot);
      if (!onStack.has(frame.name) && !frame.file.startsWith('/') && !frame.file.startsWith('node:') && !frame.file.startsWith('(')) {
        onStack.add(frame.name);
        add(totalByFunction, frame.name, frame.file, ms);
      }
    }
  });
  return {
    busyMs,
    idleMs,
    selfByFunction: ranked(selfByFunction, busyMs, top),
    selfByFile: ranked(selfByFile, busyMs, top),
    totalByProjectFunction: ranked(totalByFunction, busyMs, top),
  };
}

function formatHotspots(title: string, spots: readonly Hotspot[]): string {
  return [`${title}:`, ...spots.map((s) => `  ${s.percent.toFixed(1).padStart(5)}%  ${s.ms.toFixed(0).padStart(7)} ms  ${s.name}`)].join('\n');
}

function main(): void {
  const [file, topText] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('Usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const summary = summarizeProfile(profile, `${process.cwd()}/`, Number(topText ?? 25));
  process.stdout.write([
    `Busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms`,
    formatHotspots('Self time by function (% of busy)', summary.selfByFunction),
    formatHotspots('Self time by file', summary.selfByFile),
    formatHotspots('Total time by project function', summary.totalByProjectFunction),
  ].join('\n\n') + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
