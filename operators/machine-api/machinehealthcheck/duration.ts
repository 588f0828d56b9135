// Go's time.ParseDuration, for the MachineHealthCheck's metav1.Duration fields (spec.nodeStartupTimeout,
// spec.unhealthyConditions[].timeout): "300s", "10m", "1h30m", "1.5h", "0". Results are in milliseconds and may
// be fractional (ns, us).

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

// One component: digits with an optional fraction (either side may be empty, not both), then a unit.
const COMPONENT = /(\d*)(?:\.(\d*))?([^\d.]+)/y;

/** Milliseconds, or undefined when `text` is not a Go duration. */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  // "0" is the one unitless duration Go accepts.
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < rest.length) {
    const match = COMPONENT.exec(rest);
    if (!match) return undefined;
    const [, whole, fraction, unit] = match;
    if (whole === '' && (fraction === undefined || fraction === '')) return undefined;
    const scale = UNIT_MS[unit];
    if (scale === undefined) return undefined;
    total += Number(`${whole || '0'}.${fraction || '0'}`) * scale;
  }
  return sign * total;
}
