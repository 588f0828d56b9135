// SemVer 2.0.0 (https://semver.org) as the CVO and Cincinnati use it: versions are strict `X.Y.Z[-pre][+build]`
// (blang/semver `Parse`, not `ParseTolerant`), and precedence ignores build metadata, so "4.16.3+amd64" and
// "4.16.3" are the same release (Cincinnati's arch-filter strips the `+arch` build element). Shared with the
// bundled update-graph server (devcluster/update-graph/), so both ends agree on what a version is.

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers; numeric ones as numbers (they compare numerically). */
  readonly prerelease: readonly (string | number)[];
  readonly build: readonly string[];
}

// The regular expression from semver.org, minus the named groups.
const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Parses a strict SemVer string; undefined when it is not one (or a number overflows). */
export function parseSemVer(text: string): SemVer | undefined {
  const m = SEMVER_RE.exec(text);
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined;
  const prerelease = m[4] === undefined ? [] : m[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id));
  if (prerelease.some((id) => typeof id === 'number' && !Number.isSafeInteger(id))) return undefined;
  return { major, minor, patch, prerelease, build: m[5] === undefined ? [] : m[5].split('.') };
}

export function isSemVer(text: string): boolean {
  return parseSemVer(text) !== undefined;
}

export function formatSemVer(v: SemVer): string {
  const pre = v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : '';
  const build = v.build.length > 0 ? `+${v.build.join('.')}` : '';
  return `${v.major}.${v.minor}.${v.patch}${pre}${build}`;
}

/** SemVer precedence: negative when a < b, 0 when equal (build metadata ignored), positive when a > b. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  // A pre-release sorts before its release: 4.17.0-rc.1 < 4.17.0.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return Math.sign(b.prerelease.length - a.prerelease.length);
  }
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return Math.sign(x - y);
    if (typeof x === 'number') return -1; // numeric identifiers sort before alphanumeric ones
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

/** Compares two version strings; throws when either is not SemVer (callers validate first). */
export function compareVersions(a: string, b: string): number {
  return compareSemVer(mustParse(a), mustParse(b));
}

/** True when both strings are SemVer with equal precedence ("4.16.3" equals "4.16.3+amd64"). */
export function sameVersion(a: string, b: string): boolean {
  const x = parseSemVer(a);
  const y = parseSemVer(b);
  return x !== undefined && y !== undefined && compareSemVer(x, y) === 0;
}

function mustParse(text: string): SemVer {
  const v = parseSemVer(text);
  if (!v) throw new TypeError(`"${text}" is not a semantic version`);
  return v;
}
