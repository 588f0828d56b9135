// Typed reads from stored objects for the built-in printers. Objects are plain JSON; a missing or mistyped field
// reads as Go's zero value, which is what the upstream printers see after decoding.

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function obj(value: unknown): Obj {
  return isObj(value) ? value : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function int(value: unknown): number {
  return typeof value === 'number' ? Math.trunc(value) : 0;
}

/** Nested read: at(pod, 'status', 'phase'). */
export function at(root: unknown, ...path: string[]): unknown {
  let current: unknown = root;
  for (const key of path) current = obj(current)[key];
  return current;
}

/** intstr.IntOrString.String(): numbers in decimal, strings as is. */
export function intOrString(value: unknown): string {
  return typeof value === 'number' ? String(Math.trunc(value)) : str(value);
}

/** labels.FormatLabels for a map selector: "k=v,k2=v2" sorted by key, "<none>" when empty. */
export function formatLabels(value: unknown): string {
  const entries = Object.entries(obj(value)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${str(v)}`).join(',');
}

/** layoutContainerCells: container names and images, comma-joined in spec order. */
export function containerCells(containers: unknown): [string, string] {
  const list = arr(containers).map(obj);
  return [list.map((c) => str(c.name)).join(','), list.map((c) => str(c.image)).join(',')];
}
