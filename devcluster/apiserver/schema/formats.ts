// String formats checked by CRD validation: strfmt.Default of kube-openapi (pkg/validation/strfmt) restricted to the
// formats apiextensions-apiserver keeps (pkg/apiserver/validation/formats.go, StripUnsupportedFormatsPostProcess).
// Any other format is ignored, as upstream strips it before validating.
import { isIP, isIPv4, isIPv6 } from 'node:net';

type Check = (value: string) => boolean;

const hostnameRe = /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z0-9\p{S}\p{L}])(-?[a-zA-Z0-9\p{S}\p{L}]){1,62})$/u;
const uuidRe = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuid3Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const uuid4Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const uuid5Re = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const timeOfDayRe = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;
const goDurationRe = /^[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
const looseDurationRe = /(\d+)\s*([A-Za-zµ]+)/g;
const octet = '(0|[1-9]\\d?|1\\d\\d?|2[0-4]\\d|25[0-5])';
const rgbRe = new RegExp(`^rgb\\(\\s*${octet}\\s*,\\s*${octet}\\s*,\\s*${octet}\\s*\\)$`);

function isHostname(s: string): boolean {
  return hostnameRe.test(s) && s.length <= 255 && s.split('.').every((p) => p.length <= 63);
}

/** strfmt IsDate: a real calendar day written as 2006-01-02. */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** strfmt IsDateTime: full-date "T" time with seconds and a zone (case-insensitive). */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = timeOfDayRe.exec(parts[1]);
  return m !== null && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

/** strfmt ParseDuration: Go durations, or any "<n> <unit>" run with units such as "3 days" or "1 week". */
function isDuration(s: string): boolean {
  if (goDurationRe.test(s)) return true;
  const units = [['ns', 'nanos'], ['us', 'µs', 'micros'], ['ms', 'millis'], ['s', 'sec'], ['m', 'min'], ['h', 'hr', 'hour'], ['d', 'day'], ['w', 'wk', 'week']];
  for (const match of s.matchAll(looseDurationRe)) {
    const unit = match[2].toLowerCase();
    if (units.some((variants) => variants.some((v, i) => v === unit || (i === variants.length - 1 && unit.startsWith(v))))) return true;
  }
  return false;
}

function isCidr(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const family = isIP(m[1]);
  return family !== 0 && Number(m[2]) <= (family === 4 ? 32 : 128);
}

/** net.ParseMAC: 6, 8 or 20 octets separated by ':' or '-', or dotted groups of four hex digits. */
function isMac(s: string): boolean {
  const sizes = [6, 8, 20];
  for (const sep of [':', '-']) {
    const parts = s.split(sep);
    if (sizes.includes(parts.length) && parts.every((p) => /^[0-9a-fA-F]{2}$/.test(p))) return true;
  }
  const groups = s.split('.');
  return sizes.includes(groups.length * 2) && groups.every((g) => /^[0-9a-fA-F]{4}$/.test(g));
}

function isIsbn10(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^(?:[0-9]{9}X|[0-9]{10})$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (i + 1) * Number(v[i]);
  sum += v[9] === 'X' ? 100 : 10 * Number(v[9]);
  return sum % 11 === 0;
}

function isIsbn13(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^(?:[0-9]{13})$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(v[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === Number(v[12]);
}

function isCreditCard(s: string): boolean {
  const v = s.replace(/[^0-9]/g, '');
  if (!/^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$/.test(v)) return false;
  let sum = 0;
  let double = false;
  for (let i = v.length - 1; i >= 0; i--) {
    let d = Number(v[i]);
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** url.ParseRequestURI: an absolute URI or an absolute path, without spaces. */
function isRequestUri(s: string): boolean {
  if (/\s/.test(s)) return false;
  if (s.startsWith('/')) return true;
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s) && URL.canParse(s);
}

/** mail.ParseAddress, approximated: "local@domain" or "Name <local@domain>". */
function isEmail(s: string): boolean {
  const addr = /<([^<>]+)>\s*$/.exec(s)?.[1] ?? s;
  return /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/.test(addr.trim());
}

/** Keyed by the normalized name (dashes removed), as the strfmt registry looks formats up. */
const checks: Record<string, Check> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: isRequestUri,
  email: isEmail,
  hostname: isHostname,
  ipv4: (s) => isIPv4(s) || (isIPv6(s) && s.includes('.')),
  ipv6: (s) => isIP(s) !== 0 && s.includes(':'),
  cidr: isCidr,
  mac: isMac,
  uuid: (s) => uuidRe.test(s),
  uuid3: (s) => uuid3Re.test(s),
  uuid4: (s) => uuid4Re.test(s),
  uuid5: (s) => uuid5Re.test(s),
  isbn: (s) => isIsbn10(s) || isIsbn13(s),
  isbn10: isIsbn10,
  isbn13: isIsbn13,
  creditcard: isCreditCard,
  ssn: (s) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(s),
  hexcolor: (s) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(s),
  rgbcolor: (s) => rgbRe.test(s),
  byte: (s) => base64Re.test(s),
  password: () => true,
  date: isDate,
  datetime: isDateTime,
  duration: isDuration,
};

/**
 * The format that validation honours for a schema node, or '' when upstream strips it:
 * strings keep the formats above, integers int32/int64, numbers float/double, other types none.
 */
export function effectiveFormat(type: string | undefined, format: string | undefined): string {
  if (!format) return '';
  switch (type ?? '') {
    case '':
    case 'string':
      return Object.hasOwn(checks, format.replaceAll('-', '')) ? format : '';
    case 'integer':
      return format === 'int32' || format === 'int64' ? format : '';
    case 'number':
      return format === 'float' || format === 'double' ? format : '';
    default:
      return '';
  }
}

/** Whether a string satisfies a string format; formats without a check (numeric ones) pass. */
export function matchesFormat(format: string, value: string): boolean {
  const name = format.replaceAll('-', '');
  return !Object.hasOwn(checks, name) || checks[name](value);
}
