// Time arithmetic shared by the Machine API's pure decisions: Kubernetes timestamps arrive as RFC 3339 strings
// from the cache (or as Date from @kubernetes/client-node models), and every "look again later" has a floor so a
// decision can never ask for a tight loop (MAO's MachineHealthCheck requeues after 1 ms: shared/STYLE.md "In this
// project", shared/reference/machine-api.md §1.9).

/** The smallest requeue any decision here asks for, in milliseconds. */
export const MIN_REQUEUE_MS = 1000;

/** A metav1.Time as milliseconds since the epoch; undefined when absent or unparseable. */
export function toMillis(time: string | Date | undefined | null): number | undefined {
  if (time === undefined || time === null) return undefined;
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `ms` raised to MIN_REQUEUE_MS and rounded up to a whole millisecond. */
export function floorRequeue(ms: number): number {
  return Math.max(MIN_REQUEUE_MS, Math.ceil(ms));
}

/** The smallest of the defined values, or undefined when there is none. */
export function minDefined(values: Iterable<number | undefined>): number | undefined {
  let min: number | undefined;
  for (const v of values) if (v !== undefined && (min === undefined || v < min)) min = v;
  return min;
}
