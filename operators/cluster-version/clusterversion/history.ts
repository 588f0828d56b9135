// status.history as the CVO keeps it (§1.4; pkg/cvo/status.go mergeOperatorHistory, status_history.go prune).
// Newest first. The first sight of a target puts a Partial entry in front and closes the previous head (its
// state stays what it was, so a retarget leaves a Partial entry with a completion time behind); the first full
// apply of the head's image makes it Completed. Pure: time comes in.
import { MAX_HISTORY_ENTRIES, type Release, type UpdateHistory } from '../../api/config-v1.ts';
import { parseSemVer } from '../updates/semver.ts';

export interface HistoryInput {
  /** The release being applied (status.desired). Without an image there is nothing reproducible to record. */
  readonly desired: Pick<Release, 'version' | 'image'>;
  /** Its signature verified. Only ever sets verified, never clears it. */
  readonly verified: boolean;
  /** At least one full apply of `desired` succeeded. */
  readonly completed: boolean;
  /** What force let through for this release; '' for nothing. */
  readonly acceptedRisks: string;
  /** The release came from the operator itself, unchecked: keep the head's acceptedRisks as they are. */
  readonly local: boolean;
  /** metav1.Time. */
  readonly now: string;
}

export function mergeHistory(history: readonly UpdateHistory[] | undefined, input: HistoryInput, max = MAX_HISTORY_ENTRIES): UpdateHistory[] {
  const { desired, now } = input;
  if (!desired.image) return [...(history ?? [])];
  const risks = input.acceptedRisks ? { acceptedRisks: input.acceptedRisks } : {};
  const entries = [...(history ?? [])];
  const head = entries[0];
  if (head && isSameRelease(head, desired)) {
    const merged: UpdateHistory = {
      ...head,
      version: head.version || desired.version,
      image: head.image || desired.image,
      ...(input.completed ? { state: 'Completed' as const, completionTime: head.completionTime ?? now } : {}),
    };
    entries[0] = input.local ? merged : withRisks(merged, input.acceptedRisks);
  } else {
    if (head && !head.completionTime) entries[0] = { ...head, completionTime: now };
    entries.unshift({
      state: input.completed ? 'Completed' : 'Partial',
      startedTime: now,
      completionTime: input.completed ? now : null,
      version: desired.version,
      image: desired.image,
      verified: false,
      ...risks,
    });
  }
  if (input.verified) entries[0] = { ...entries[0], verified: true };
  return pruneHistory(entries, max);
}

/** The version users call "current": the newest Completed entry (GetCurrentVersion). */
export function currentVersion(history: readonly UpdateHistory[] | undefined): UpdateHistory | undefined {
  return history?.find((h) => h.state === 'Completed');
}

/** mergeEqualVersions: same image (versions agree or one is unknown), or same version (images agree or one is unknown). */
function isSameRelease(entry: UpdateHistory, desired: Pick<Release, 'version' | 'image'>): boolean {
  if (desired.image && desired.image === entry.image) return !desired.version || !entry.version || desired.version === entry.version;
  if (desired.version && desired.version === entry.version) return !entry.image || desired.image === entry.image;
  return false;
}

function withRisks(entry: UpdateHistory, acceptedRisks: string): UpdateHistory {
  const { acceptedRisks: _dropped, ...rest } = entry;
  return acceptedRisks ? { ...rest, acceptedRisks } : rest;
}

/**
 * Drops entries until at most `max` remain, least informative first (status_history.go): the initial install,
 * the five newest, the newest Completed, and the first and last Completed entry of every minor version are kept
 * as long as anything else can go; among the rest the oldest goes first.
 */
export function pruneHistory(entries: readonly UpdateHistory[], max: number): UpdateHistory[] {
  const kept = [...entries];
  while (kept.length > max) {
    const protectedIndexes = protectedEntries(kept);
    let drop = -1;
    for (let i = kept.length - 1; i >= 0; i--) {
      if (!protectedIndexes.has(i)) {
        drop = i;
        break;
      }
    }
    kept.splice(drop >= 0 ? drop : kept.length - 2, 1);
  }
  return kept;
}

function protectedEntries(entries: readonly UpdateHistory[]): Set<number> {
  const keep = new Set<number>([entries.length - 1, 0, 1, 2, 3, 4]);
  const newestCompleted = entries.findIndex((h) => h.state === 'Completed');
  if (newestCompleted >= 0) keep.add(newestCompleted);
  const byMinor = new Map<string, number[]>();
  entries.forEach((h, i) => {
    const v = h.state === 'Completed' ? parseSemVer(h.version ?? '') : undefined;
    if (!v) return;
    const key = `${v.major}.${v.minor}`;
    byMinor.set(key, [...(byMinor.get(key) ?? []), i]);
  });
  for (const indexes of byMinor.values()) {
    keep.add(indexes[0]);
    keep.add(indexes[indexes.length - 1]);
  }
  return keep;
}
