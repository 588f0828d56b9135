// Human-readable ages as kube-apiserver renders them in Table cells
// (k8s.io/apimachinery/pkg/util/duration/duration.go HumanDuration; printers.go translateTimestampSince).

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Go's int(x): truncation toward zero. */
const trunc = (x: number): number => Math.trunc(x);

/**
 * duration.HumanDuration: ~2-3 significant figures. "<invalid>" below -1s (clock skew tolerance), "0s" for
 * small negatives, seconds up to 2 minutes ("119s"), "XmYs" under 10 minutes, minutes under 3 hours, "XhYm" under
 * 8 hours, hours under 2 days, "XdYh" under 8 days, days under 2 years, "XyYd" under 8 years, then years.
 */
export function formatHumanDuration(ms: number): string {
  const seconds = trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${trunc(hours / 24)}d` : `${trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${trunc(hours / 24)}d`;
  const years = trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const dy = trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

/** Milliseconds since the epoch for a metav1.Time / MicroTime string; undefined when absent or unparsable. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** printers.go translateTimestampSince: "<unknown>" for a zero (absent) time, else the age at `now`. */
export function translateTimestampSince(value: unknown, now: Date): string {
  const ms = parseTimestamp(value);
  return ms === undefined ? '<unknown>' : formatHumanDuration(now.getTime() - ms);
}
