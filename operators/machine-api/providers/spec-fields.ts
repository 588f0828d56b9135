// Field readers for the providers' providerSpec parsers (aws/, gcp/, azure/ provider-spec.ts). Every reader takes
// the raw JSON value and its full field path, pushes a field error in Kubernetes' wording (apimachinery
// pkg/util/validation/field/errors.go) onto `errors` and returns undefined when the value is bad, so a parser
// collects everything wrong with a spec and one Failed Machine says it all. The installer writes Go zero values
// for unset fields, so "" reads as unset wherever Go's omitempty would have dropped it (strings, enums).
//
// The local provider keeps its own readers (local/provider-spec.ts): its spec is ours, never written by the
// installer, so it rejects "" and null instead of reading them as unset.
import { TerminalError } from '../../runtime/errors.ts';

/** Where a Machine's providerSpec sits; every field error's path starts with it. */
export const PROVIDER_SPEC_PATH = 'spec.providerSpec.value';

/** Absent, null or "" (Go's zero value for a string). */
export function absent(raw: unknown): boolean {
  return raw === undefined || raw === null || raw === '';
}

/** A JSON object (absent/null → undefined). With `known`, any other key is an unknown-field error. */
export function object(raw: unknown, path: string, errors: string[], known?: readonly string[]): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be an object`);
    return undefined;
  }
  const obj = raw as Record<string, unknown>;
  if (known) for (const key of Object.keys(obj)) if (!known.includes(key)) errors.push(`unknown field "${path}.${key}"`);
  return obj;
}

/** A JSON list (absent/null → []); `item` reads each entry at `path[i]`, and entries it reads as undefined are dropped. */
export function list<T>(raw: unknown, path: string, errors: string[], item: (value: unknown, path: string) => T | undefined): T[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be a list`);
    return [];
  }
  const out: T[] = [];
  raw.forEach((value, i) => {
    const parsed = item(value, `${path}[${i}]`);
    if (parsed !== undefined) out.push(parsed);
  });
  return out;
}

/** A string ("" reads as unset) that matches `pattern` when one is given. */
export function string(raw: unknown, path: string, errors: string[], pattern?: RegExp): string | undefined {
  if (absent(raw)) return undefined;
  if (typeof raw !== 'string') {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be a string`);
    return undefined;
  }
  if (pattern && !pattern.test(raw)) {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must match ${pattern.source}`);
    return undefined;
  }
  return raw;
}

export function boolean(raw: unknown, path: string, errors: string[]): boolean | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'boolean') {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be a boolean`);
    return undefined;
  }
  return raw;
}

/** An integer in [min, max]. */
export function integer(raw: unknown, path: string, min: number, max: number, errors: string[]): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    errors.push(`${path}: Invalid value: ${JSON.stringify(raw)}: must be an integer`);
    return undefined;
  }
  if (raw < min || raw > max) {
    errors.push(`${path}: Invalid value: ${raw}: must be between ${min} and ${max}, inclusive`);
    return undefined;
  }
  return raw;
}

/** One of `allowed` ("" reads as unset). */
export function oneOf<T extends string>(raw: unknown, path: string, allowed: readonly T[], errors: string[]): T | undefined {
  if (absent(raw)) return undefined;
  if (!allowed.includes(raw as T)) {
    errors.push(`${path}: Unsupported value: ${JSON.stringify(raw)}: supported values: ${quoteAll(allowed)}`);
    return undefined;
  }
  return raw as T;
}

/** `"a", "b"`: how field errors list supported values. */
export function quoteAll(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}

/**
 * The field errors as one TerminalError InvalidConfiguration (the Machine goes Failed), printed as apimachinery's
 * ToAggregate does: one alone, or several in brackets. No errors at all means there was no providerSpec.
 */
export function invalidConfiguration(errors: readonly string[]): TerminalError {
  const all = errors.length > 0 ? errors : [`${PROVIDER_SPEC_PATH}: Required value`];
  return new TerminalError('InvalidConfiguration', all.length === 1 ? all[0] : `[${all.join(', ')}]`);
}
