// The CEL environment of CRD validation rules: @bufbuild/cel's standard library and cel-go's string extensions,
// plus what kube-apiserver adds (k8s.io/apiserver/pkg/cel/library: lists.go, regex.go; cel-go ext/sets.go) and a
// comprehension meter that bounds the work of one rule (the library has no cost tracking of its own).
import { celEnv, celFunc, celList, celMethod, CelScalar, isCelError, listType, parse, plan, type CelEnv, type CelInput, type CelList, type CelResult, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { TimeParsers } from './cel-types.ts';
import { compilePattern } from './validate.ts';

const { BOOL, DYN, INT, STRING } = CelScalar;
const LIST = listType(DYN);

/** Name of the function wrapped around every comprehension's loop condition to count iterations. */
export const METER_FUNCTION = '@meter';

/**
 * Iterations the expression being evaluated has run, and how many it may: module state, as the server evaluates one
 * expression at a time, synchronously. Past the limit every loop condition fails, so evaluation unwinds at once.
 */
export const meter = { steps: 0, limit: 0 };

const meterFunction = celFunc(METER_FUNCTION, [DYN], DYN, (condition) => {
  if (++meter.steps > meter.limit) throw new Error('operation cancelled: actual cost limit exceeded');
  return condition;
});

/** Name of the function map() and filter() accumulate with, replacing `accumulator + [item]`. */
export const APPEND_FUNCTION = '@append';

// The library concatenates lists lazily, one level per `+`, so iterating the result of map() over some thousand
// items exhausts the stack. A comprehension's accumulator is private to it (its name starts with '@'), so appending
// in place to an array owned here is safe and linear.
const appendable = new WeakMap<CelList, CelValue[]>();
const appendFunction = celFunc(APPEND_FUNCTION, [LIST, DYN], LIST, (list, item) => {
  const owned = appendable.get(list);
  if (owned) {
    owned.push(item);
    return list;
  }
  const array = [...list, item];
  const created = celList(array);
  appendable.set(created, array);
  return created;
});

/** Calls an operator of the standard library, so list functions compare and add exactly as CEL does. */
function operator(name: string, a: CelValue, b: CelValue): CelValue {
  const result: CelResult | undefined = env.funcs.find(name)?.call(0, undefined, [a, b]);
  if (result === undefined) throw new Error(`no such overload: ${name}`);
  if (isCelError(result)) throw result;
  return result;
}

function elements(list: CelList): CelValue[] {
  return [...list];
}

function extreme(list: CelList, name: 'min' | 'max'): CelValue {
  const items = elements(list);
  if (items.length === 0) throw new Error(`${name} called on empty list`);
  const better = name === 'min' ? '_<_' : '_>_';
  return items.reduce((best, v) => (operator(better, v, best) === true ? v : best));
}

function indexOf(list: CelList, value: CelValue, last: boolean): bigint {
  const items = elements(list);
  const order = last ? items.map((_, i) => items.length - 1 - i) : items.map((_, i) => i);
  return BigInt(order.find((i) => operator('_==_', items[i], value) === true) ?? -1);
}

function contains(list: CelList, value: CelValue): boolean {
  return elements(list).some((v) => operator('_==_', v, value) === true);
}

/** k8s lists library (lists.go): isSorted, sum, min, max, indexOf, lastIndexOf. */
const lists = [
  celMethod('isSorted', LIST, [], BOOL, function () {
    const items = elements(this);
    return items.every((v, i) => i === 0 || operator('_<=_', items[i - 1], v) === true);
  }),
  celMethod('sum', LIST, [], DYN, function () {
    const items = elements(this);
    return (items.length === 0 ? 0n : items.reduce((a, b) => operator('_+_', a, b))) as CelInput;
  }),
  celMethod('min', LIST, [], DYN, function () { return extreme(this, 'min') as CelInput; }),
  celMethod('max', LIST, [], DYN, function () { return extreme(this, 'max') as CelInput; }),
  celMethod('indexOf', LIST, [DYN], INT, function (value) { return indexOf(this, value, false); }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (value) { return indexOf(this, value, true); }),
];

/** cel-go ext sets (enabled for CRD rules): sets.contains, sets.equivalent, sets.intersects. */
const sets = [
  celFunc('sets.contains', [LIST, LIST], BOOL, (a, b) => elements(b).every((v) => contains(a, v))),
  celFunc('sets.equivalent', [LIST, LIST], BOOL, (a, b) => elements(b).every((v) => contains(a, v)) && elements(a).every((v) => contains(b, v))),
  celFunc('sets.intersects', [LIST, LIST], BOOL, (a, b) => elements(b).some((v) => contains(a, v))),
];

function regex(pattern: string): RegExp {
  const re = compilePattern(pattern);
  if (re instanceof Error) throw new Error(`error parsing regexp: ${re.message}`);
  return re;
}

/** k8s regex library (regex.go): find, findAll; and the global form of matches() that cel-go also has. */
const regexes = [
  celMethod('find', STRING, [STRING], STRING, function (pattern) { return regex(pattern).exec(this)?.[0] ?? ''; }),
  celMethod('findAll', STRING, [STRING], LIST, function (pattern) { return findAll(this, pattern, -1n); }),
  celMethod('findAll', STRING, [STRING, INT], LIST, function (pattern, limit) { return findAll(this, pattern, limit); }),
  celFunc('matches', [STRING, STRING], BOOL, (text, pattern): boolean => env.funcs.find('matches')?.call(0, text, [pattern]) === true),
];

function findAll(text: string, pattern: string, limit: bigint): string[] {
  const re = regex(pattern);
  const global = new RegExp(re.source, `${re.flags}g`);
  const all = [...text.matchAll(global)].map((m) => m[0]);
  return limit < 0n ? all : all.slice(0, Number(limit));
}

export const env: CelEnv = celEnv({ funcs: [...strings, ...lists, ...sets, ...regexes, meterFunction, appendFunction] });

/**
 * Functions of the Kubernetes CEL libraries this server does not implement, by name (a prefix ends with '.'):
 * rules calling them are accepted on CRD create with a warning and not evaluated, rather than refused as upstream
 * would accept them. Optional types come first: @bufbuild/cel's parser has no `.?` syntax and no optional values.
 */
export const UNSUPPORTED_FUNCTIONS: ReadonlyArray<[name: string, feature: string]> = [
  ['optional.', 'optional types'], ['hasValue', 'optional types'], ['orValue', 'optional types'], ['value', 'optional types'],
  ['quantity', 'the quantity library'], ['isQuantity', 'the quantity library'],
  ['url', 'the URL library'], ['isURL', 'the URL library'],
  ['ip', 'the IP library'], ['isIP', 'the IP library'], ['cidr', 'the CIDR library'], ['isCIDR', 'the CIDR library'],
  ['format.', 'the format library'], ['math.', 'the math extension'], ['semver', 'the semver library'], ['isSemver', 'the semver library'],
];

// timestamp() and duration() of the standard library give the values schema formats date-time and duration
// convert to, so both agree on what parses.
const parseTimestamp = plan(env, parse('timestamp(text)'));
const parseDuration = plan(env, parse('duration(text)'));

export const timeParsers: TimeParsers = {
  timestamp(text) {
    const value = parseTimestamp({ text } as never);
    return isCelError(value) ? undefined : (value as CelInput);
  },
  duration(text) {
    const value = parseDuration({ text } as never);
    return isCelError(value) ? undefined : (value as CelInput);
  },
};
