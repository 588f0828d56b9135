// The spec.desiredUpdate `npm run upgrade -- --to …` writes, and why it refuses (oc adm upgrade's checks and
// messages): not while an update runs or the cluster fails unless told to, --to only for an offered version.
import type { ClusterVersion, Update } from '../../api/config-v1.ts';

/** A refusal caused by the command line or the cluster's state, not by a failure: exit code 2 with the usage. */
export class UsageError extends Error {}

export interface UpdateFlags {
  readonly to?: string;
  readonly toImage?: string;
  readonly allowNotRecommended: boolean;
  readonly force: boolean;
  readonly allowWithWarnings: boolean;
}

/** spec.desiredUpdate for the flags, or a UsageError saying why not (oc's messages). */
export function desiredUpdateFor(cv: ClusterVersion, flags: UpdateFlags): Update {
  const conditions = cv.status?.conditions ?? [];
  if (!flags.allowWithWarnings) {
    const progressing = conditions.find((c) => c.type === 'Progressing' && c.status === 'True');
    if (progressing) throw new UsageError(`already upgrading.\n\n  Reason: ${progressing.reason ?? ''}\n  Message: ${progressing.message ?? ''}\n\nIf you want to upgrade anyway, use --allow-upgrade-with-warnings.`);
    const failing = conditions.find((c) => c.type === 'Failing' && c.status === 'True');
    if (failing) throw new UsageError(`the cluster is failing.\n\n  Reason: ${failing.reason ?? ''}\n  Message: ${failing.message ?? ''}\n\nIf you want to upgrade anyway, use --allow-upgrade-with-warnings.`);
  }
  if (flags.toImage) return { image: flags.toImage, ...(flags.force ? { force: true } : {}) };
  const version = flags.to ?? '';
  const recommended = (cv.status?.availableUpdates ?? []).find((u) => u.version === version);
  const conditional = cv.status?.conditionalUpdates?.find((u) => u.release.version === version);
  const release = recommended ?? (conditional && flags.allowNotRecommended ? conditional.release : undefined);
  if (!release) {
    if (conditional) {
      const why = conditional.conditions?.find((c) => c.type === 'Recommended');
      throw new UsageError(`the update ${version} is not one of the recommended updates, but is available as a conditional update: ${why?.reason ?? ''}: ${why?.message ?? ''}\nTo accept the risks, use --allow-not-recommended.`);
    }
    const available = (cv.status?.availableUpdates ?? []).map((u) => u.version).join(', ') || 'none';
    throw new UsageError(`the update ${version} is not one of the available updates: ${available}\nTo update to a release that is not offered, give its image with --to-image.`);
  }
  return { version: release.version, image: release.image, ...(flags.force ? { force: true } : {}) };
}

