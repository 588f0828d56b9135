// Run level and component from a release manifest's file name (shared/reference/cluster-version.md §2.4): the
// graph builder's regex `^0000_(\d+)_([a-zA-Z0-9]+(-[a-zA-Z0-9]+)*?)_` (pkg/payload/task_graph.go). A name that
// does not match has neither, and the task graph runs it serially.

const MANIFEST_NAME = /^0000_(\d+)_([a-zA-Z0-9]+(-[a-zA-Z0-9]+)*?)_/;

export interface ManifestName {
  /** The run level as written, e.g. "30" (kept as a string: "05" and "5" sort differently). */
  readonly runLevel: string;
  /** The dash-separated component, e.g. "machine-api". */
  readonly component: string;
}

/** Run level and component of `0000_<runlevel>_<component>_<rest>`, or undefined when the name does not follow it. */
export function parseManifestFileName(fileName: string): ManifestName | undefined {
  const match = MANIFEST_NAME.exec(fileName);
  return match ? { runLevel: match[1], component: match[2] } : undefined;
}
