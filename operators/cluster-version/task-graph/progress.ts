// Progress in manifests, as Progressing says it: "57 of 120 done (47% complete)" (pkg/cvo/status.go syncStatus:
// the percentage is truncated, never rounded up, so 100% means every manifest applied). The CLI parses the same
// text back for its progress bar.

export interface Progress {
  readonly done: number;
  readonly total: number;
}

export function formatProgress({ done, total }: Progress): string {
  return `${done} of ${total} done (${percentComplete({ done, total })}% complete)`;
}

export function percentComplete({ done, total }: Progress): number {
  return total > 0 ? Math.trunc((done * 100) / total) : 0;
}

const PROGRESS_PATTERN = /(\d+) of (\d+) done \((\d+)% complete\)/;

/** The progress in a Progressing message, if it carries one. */
export function parseProgress(message: string | undefined): Progress | undefined {
  const match = message ? PROGRESS_PATTERN.exec(message) : null;
  return match ? { done: Number(match[1]), total: Number(match[2]) } : undefined;
}
