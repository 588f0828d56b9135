// Field selectors (shared/reference/apiserver.md §7.5), after k8s.io/apimachinery/pkg/fields/selector.go
// (parsing, escaping, matching) and the per-kind field-label conversion functions that reject unknown fields.
import { badRequest } from '../status-errors.ts';

export interface FieldSelector {
  /** All terms must hold. A field the getter does not know reads as "" (fields.Set.Get). */
  matches(get: (field: string) => string | undefined): boolean;
  /** The name a `metadata.name=` / `==` term requires, for name-scoped watches (RequiresExactMatch). */
  requiredName(): string | undefined;
  /** RequiresExactMatch(field): the value an equality term requires; `!=` terms never count. */
  requiresExactMatch(field: string): string | undefined;
  empty(): boolean;
  /** "f=v,g!=w" with values unescaped, like fields.Selector.String(). */
  toString(): string;
}

interface Term {
  field: string;
  equal: boolean;
  value: string;
}

/** Fields every kind accepts when it registers no conversion function of its own (DefaultMetaV1FieldSelectorConversion). */
export const DEFAULT_FIELD_SELECTORS: readonly string[] = ['metadata.name', 'metadata.namespace'];

/**
 * How an unknown field is reported. kube-apiserver has two wordings:
 * - 'default': kinds without a field-label conversion function (ConfigMap, Deployment, Lease, ...) answer
 *   `"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"` (runtime/conversion.go).
 * - 'field-label': kinds with one (Pod, Node, Event, Secret, Namespace, ...) and every custom resource
 *   (apiextensions crConverter) answer `field label not supported: spec.foo`.
 * When omitted, 'default' is used if `supported` lists nothing beyond DEFAULT_FIELD_SELECTORS, else 'field-label';
 * custom resources must pass 'field-label' explicitly.
 */
export type UnknownFieldWording = 'default' | 'field-label';

const OPERATORS = ['!=', '==', '='] as const;

/** fields.splitTerms: commas split terms unless backslash-escaped (the backslash stays for unescaping). */
function splitTerms(text: string): string[] {
  if (text.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** fields.splitTerm: the first operator occurrence splits; "!=" and "==" are tried before "=" at each position. */
function splitTerm(term: string): { lhs: string; op: (typeof OPERATORS)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are the only escapes; a bare `,` or `=` is an error. */
function unescapeValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Upstream prints the rune with %v, i.e. its code point.
      throw badRequest(`invalid field selector: unescapedRune character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue, for building selectors (e.g. a name containing "," or "="). */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function unknownFieldMessage(field: string, wording: UnknownFieldWording): string {
  return wording === 'default'
    ? `${JSON.stringify(field)} is not a known field selector: only "metadata.name", "metadata.namespace"`
    : `field label not supported: ${field}`;
}

/**
 * Parses a `fieldSelector` query parameter. Operators `=`, `==`, `!=`; comma is AND; no set operators.
 * Syntax errors and fields outside `supported` → StatusError 400 BadRequest with upstream's messages.
 */
export function parseFieldSelector(text: string, supported: readonly string[], wording?: UnknownFieldWording): FieldSelector {
  // Upstream sorts the raw terms before parsing, which decides which error is reported first.
  const parts = splitTerms(text).sort();
  const terms: Term[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    terms.push({ field: split.lhs, equal: split.op !== '!=', value: unescapeValue(split.rhs) });
  }
  const effectiveWording = wording ?? (supported.every((f) => DEFAULT_FIELD_SELECTORS.includes(f)) ? 'default' : 'field-label');
  for (const term of terms) {
    if (!supported.includes(term.field)) throw badRequest(unknownFieldMessage(term.field, effectiveWording));
  }
  const requiresExactMatch = (field: string): string | undefined => terms.find((t) => t.field === field && t.equal)?.value;
  return {
    matches: (get) => terms.every((t) => ((get(t.field) ?? '') === t.value) === t.equal),
    requiredName: () => requiresExactMatch('metadata.name'),
    requiresExactMatch,
    empty: () => terms.length === 0,
    toString: () => terms.map((t) => `${t.field}${t.equal ? '=' : '!='}${t.value}`).join(','),
  };
}
