// What `npm run upgrade` prints, as pure functions of the ClusterVersion (after oc's pkg/cli/admin/upgrade
// upgrade.go): the current version, channel, conditions worth attention and the updates table, and the progress
// bar drawn from Progressing's "N of M done (P% complete)".
import type { ClusterOperatorStatusCondition, ClusterVersion, Release } from '../../api/config-v1.ts';
import { currentVersion } from '../clusterversion/history.ts';
import { AUTO_UPDATE_CONDITION } from '../updates/auto-update.ts';
import { parseProgress, percentComplete } from '../task-graph/progress.ts';

const condition = (cv: ClusterVersion, type: string): ClusterOperatorStatusCondition | undefined => cv.status?.conditions?.find((c) => c.type === type);

/** The summary `oc adm upgrade` prints without arguments. */
export function renderSummary(cv: ClusterVersion): string {
  const lines: string[] = [];
  const current = currentVersion(cv.status?.history)?.version;
  const progressing = condition(cv, 'Progressing');
  if (progressing?.status === 'True') lines.push(`info: An upgrade is in progress. ${progressing.message ?? ''}`, '');
  lines.push(current ? `Cluster version is ${current}` : 'Cluster version is not yet known (the cluster is installing)', '');
  const attention = [['Failing', 'True'], ['ReleaseAccepted', 'False'], ['Upgradeable', 'False'], ['RetrievedUpdates', 'False'], ['Invalid', 'True'], [AUTO_UPDATE_CONDITION, 'True']] as const;
  for (const [type, bad] of attention) {
    const c = condition(cv, type);
    if (c?.status === bad && (type !== 'RetrievedUpdates' || c.reason)) lines.push(`${type}=${c.status}`, '', `  Reason: ${c.reason ?? ''}`, `  Message: ${indent(c.message ?? '')}`, '');
  }
  const upstream = cv.spec?.upstream;
  lines.push(upstream ? `Upstream: ${upstream}` : 'Upstream is unset, so the cluster will use an appropriate default.');
  lines.push(cv.spec?.channel ? `Channel: ${cv.spec.channel}` : 'Channel: (unset: no updates are retrieved; set one with kubectl patch clusterversion version --type merge -p \'{"spec":{"channel":"stable-4"}}\')');
  lines.push('');
  const updates = cv.status?.availableUpdates ?? [];
  if (updates.length === 0) {
    lines.push('No updates available. You may still upgrade to a specific release image with --to-image or wait for new updates to be available.');
  } else {
    lines.push('Recommended updates:', '', table(updates));
  }
  const conditional = (cv.status?.conditionalUpdates ?? []).filter((u) => u.conditions?.find((c) => c.type === 'Recommended')?.status !== 'True');
  if (conditional.length > 0) {
    lines.push('', 'Supported but not recommended updates:', '');
    for (const u of conditional) {
      const recommended = u.conditions?.find((c) => c.type === 'Recommended');
      lines.push(`  Version: ${u.release.version}`, `  Image: ${u.release.image}`, `  Recommended: ${recommended?.status ?? 'Unknown'}`, `  Reason: ${recommended?.reason ?? ''}`, `  Message: ${indent(recommended?.message ?? '')}`, '');
    }
  }
  return lines.join('\n').replace(/\n+$/, '') + '\n';
}

function table(updates: readonly Release[]): string {
  const width = Math.max('VERSION'.length, ...updates.map((u) => u.version.length)) + 5;
  return ['  ' + 'VERSION'.padEnd(width) + 'IMAGE', ...updates.map((u) => '  ' + u.version.padEnd(width) + u.image)].join('\n');
}

function indent(text: string): string {
  return text.replace(/\n/g, '\n  ');
}

export type WatchVerdict = { readonly done: false } | { readonly done: true; readonly exitCode: 0 | 1; readonly message: string };

/**
 * Whether an update to `target` (a version or an image) is over: Completed at the head of history with Progressing
 * False is success; Failing=True or ReleaseAccepted=False for the target is failure. Anything else: keep watching.
 */
export function watchVerdict(cv: ClusterVersion, target: { readonly version?: string; readonly image?: string }): WatchVerdict {
  const head = cv.status?.history?.[0];
  const isTarget = (r: { version?: string; image?: string } | undefined) =>
    r !== undefined && ((target.image !== undefined && r.image === target.image) || (target.version !== undefined && r.version === target.version));
  const failing = condition(cv, 'Failing');
  if (failing?.status === 'True') return { done: true, exitCode: 1, message: `Update failed: ${failing.reason ?? ''}: ${failing.message ?? ''}` };
  const accepted = condition(cv, 'ReleaseAccepted');
  // Only a refusal of this target counts: an older refusal stays False until the next acceptance is decided.
  const aboutTarget = [target.image, target.version].some((t) => t !== undefined && (accepted?.message ?? '').includes(`"${t}"`));
  if (accepted?.status === 'False' && aboutTarget && !isTarget(cv.status?.desired)) {
    return { done: true, exitCode: 1, message: `The update was not accepted: ${accepted.reason ?? ''}: ${accepted.message ?? ''}` };
  }
  if (head?.state === 'Completed' && isTarget(head) && condition(cv, 'Progressing')?.status === 'False') {
    return { done: true, exitCode: 0, message: `Cluster version is ${head.version ?? head.image}` };
  }
  return { done: false };
}

/** One line: a bar of `width` cells and the Progressing message, e.g. "[#####-----]  50%  Working towards 4.2.0: …". */
export function renderProgress(cv: ClusterVersion, width = 30): string {
  const progressing = condition(cv, 'Progressing');
  const message = progressing?.message ?? '';
  const progress = parseProgress(message);
  const complete = progressing?.status === 'False' && cv.status?.history?.[0]?.state === 'Completed';
  const percent = complete ? 100 : progress ? percentComplete(progress) : 0;
  const filled = Math.round((percent * width) / 100);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(percent).padStart(3)}%  ${message}`;
}
