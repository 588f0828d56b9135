// Wire formats of Kubernetes timestamps. metav1.Time marshals to whole seconds (RFC 3339), while
// metav1.MicroTime (Lease renewTime/acquireTime, Event eventTime) needs exactly six fractional digits:
// kube-apiserver parses it with "2006-01-02T15:04:05.000000Z07:00" and rejects JavaScript's
// millisecond `toISOString()` (shared/reference/ts-ecosystem.md §1.5).

/** `2006-01-02T15:04:05Z`: the metav1.Time format (conditions, Event timestamps). */
export function formatTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2006-01-02T15:04:05.000000Z`: the metav1.MicroTime format (Lease times). */
export function formatMicroTime(date: Date): string {
  return date.toISOString().replace(/Z$/, '000Z');
}
