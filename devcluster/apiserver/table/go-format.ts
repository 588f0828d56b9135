// How Go renders JSON values in string Table cells: client-go's JSONPath PrintResults marshals maps and slices with
// encoding/json and prints scalars with fmt's %v. The differences from JavaScript that matter are sorted map keys,
// HTML-escaped <, >, & in JSON, and %v's exponent form for floats (1.2345675e+06, 1.5e-05).

/** fmt.Sprint of a float64: %g with the shortest digits, exponent form when exp < -4 || exp >= 6 (strconv 'g', -1). */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/**
 * A JSON number as the unstructured decoder holds it: integral values that fit int64 are int64 (printed in full),
 * anything else is float64.
 */
export function goNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63 ? BigInt(n).toString() : goFloat(n);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c]);
}

/** encoding/json.Marshal of a decoded JSON value: compact, map keys sorted, HTML characters escaped. */
export function goJsonMarshal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goJsonString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(goJsonMarshal).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${goJsonString(k)}:${goJsonMarshal(v)}`).join(',')}}`;
}

/** One JSONPath result as PrintResults writes it; undefined when Go cannot print it (a null value). */
export function goPrintResult(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'object') return goJsonMarshal(value);
  if (typeof value === 'number') return goNumber(value);
  return String(value);
}
