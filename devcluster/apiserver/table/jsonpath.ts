// The kubectl/client-go JSONPath dialect used by CRD additionalPrinterColumns and selectableFields
// (k8s.io/client-go/util/jsonpath parser.go + jsonpath.go), evaluated with AllowMissingKeys(true) like the CRD
// table convertor. Supported: `.a.b`, `.a\.b` (escaped dot), `.*`, `..a`, `[0]`, `[-1]`, `[1:3]`, `[*]`,
// `['key']`, unions `[0,1]`, filters `[?(@.type=="Ready")]`, `[?(@.x)]`, `<`, `>`, `<=`, `>=`, `!=`.
//
// Upstream quirk kept on purpose: `['x.y']` is re-parsed as `.x.y` (two fields); write `['x\.y']` or `.x\.y` for a
// key that contains dots, e.g. `.metadata.labels.app\.kubernetes\.io/name`.

type PathNode =
  | { kind: 'list'; nodes: PathNode[] }
  | { kind: 'field'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'recursive' }
  | { kind: 'array'; start?: number; end?: number; endDerived: boolean; step?: number }
  | { kind: 'union'; lists: PathNode[] }
  | { kind: 'filter'; left: PathNode; right: PathNode; operator: string }
  | { kind: 'text'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'identifier'; name: string };

type ListNode = Extract<PathNode, { kind: 'list' }>;

export interface CompiledJsonPath {
  readonly path: string;
  /** All matches, in document order. Evaluation errors (index out of range, bad comparison) yield []. */
  evaluate(data: unknown): unknown[];
}

class JsonPathSyntaxError extends Error {}

const isSpace = (c: string): boolean => c === ' ' || c === '\t';
const isEndOfLine = (c: string): boolean => c === '\r' || c === '\n';
const isTerminator = (c: string | undefined): boolean =>
  c === undefined || isSpace(c) || isEndOfLine(c) || '.,[]$@{}'.includes(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlphaNumeric = (c: string): boolean => c === '_' || /[\p{L}\p{Nd}]/u.test(c);

const DICT_KEY = /^'([^']*)'$/;
const SLICE = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
const FILTER = /^([^!<>=]+)([!<>=]+)(.+?)$/;

/** Parses the text inside `{...}` into a list node (parser.go parseInsideAction and friends). */
function parseAction(text: string): ListNode {
  const nodes: PathNode[] = [];
  let pos = 0;
  while (pos < text.length) {
    if (text.startsWith('[?(', pos)) {
      pos = parseFilter(text, pos, nodes);
      continue;
    }
    if (text.startsWith('..', pos)) {
      if (nodes.at(-1)?.kind === 'recursive') throw new JsonPathSyntaxError('invalid multiple recursive descent');
      nodes.push({ kind: 'recursive' });
      pos += 2;
      // "..name" reads the name as a field; "..[0]" and "..*" continue normally.
      if (pos < text.length && isAlphaNumeric(text[pos])) pos = parseField(text, pos, nodes);
      continue;
    }
    const c = text[pos];
    if (isEndOfLine(c)) throw new JsonPathSyntaxError('unclosed action');
    if (c === ' ' || c === '@' || c === '$') {
      pos++;
    } else if (c === '[') {
      pos = parseArray(text, pos, nodes);
    } else if (c === '"' || c === "'") {
      pos = parseQuote(text, pos, nodes);
    } else if (c === '.') {
      pos = parseField(text, pos + 1, nodes);
    } else if (c === '+' || c === '-' || isDigit(c)) {
      pos = parseNumber(text, pos, nodes);
    } else if (isAlphaNumeric(c)) {
      let end = pos;
      while (!isTerminator(text[end])) end++;
      const word = text.slice(pos, end);
      nodes.push(word === 'true' || word === 'false' ? { kind: 'bool', value: word === 'true' } : { kind: 'identifier', name: word });
      pos = end;
    } else {
      throw new JsonPathSyntaxError(`unrecognized character in action: ${JSON.stringify(c)}`);
    }
  }
  return { kind: 'list', nodes };
}

/** A field name runs to the next unescaped terminator; backslashes are then dropped ("a\.b" → "a.b"). */
function parseField(text: string, pos: number, nodes: PathNode[]): number {
  let end = pos;
  while (end < text.length) {
    if (text[end] === '\\') end += 2;
    else if (isTerminator(text[end])) break;
    else end++;
  }
  const raw = text.slice(pos, Math.min(end, text.length));
  nodes.push(raw === '*' ? { kind: 'wildcard' } : { kind: 'field', name: raw.replaceAll('\\', '') });
  return Math.min(end, text.length);
}

function parseNumber(text: string, pos: number, nodes: PathNode[]): number {
  let end = pos;
  if (text[end] === '+' || text[end] === '-') end++;
  while (end < text.length && (text[end] === '.' || isDigit(text[end]))) end++;
  const raw = text.slice(pos, end);
  if (/^[+-]?\d+$/.test(raw)) nodes.push({ kind: 'int', value: Number(raw) });
  else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw)) nodes.push({ kind: 'float', value: Number(raw) });
  else throw new JsonPathSyntaxError(`cannot parse number ${raw}`);
  return end;
}

function parseQuote(text: string, pos: number, nodes: PathNode[]): number {
  const quote = text[pos];
  let end = pos + 1;
  for (;;) {
    if (end >= text.length || text[end] === '\n') throw new JsonPathSyntaxError('unterminated quoted string');
    if (text[end] === quote && text[end - 1] !== '\\') break;
    end++;
  }
  nodes.push({ kind: 'text', value: unquote(text.slice(pos + 1, end)) });
  return end + 1;
}

/** UnquoteExtend: Go escape sequences inside single or double quotes. */
function unquote(body: string): string {
  return body.replace(/\\(["'\\abfnrtv]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})/g, (_, esc: string) => {
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (esc.length === 1) return simple[esc] ?? esc;
    return String.fromCharCode(parseInt(esc.slice(1), 16));
  });
}

function parseArray(text: string, pos: number, nodes: PathNode[]): number {
  const close = text.indexOf(']', pos);
  const newline = text.indexOf('\n', pos);
  if (close < 0 || (newline >= 0 && newline < close)) throw new JsonPathSyntaxError('unterminated array');
  let inner = text.slice(pos + 1, close);
  if (inner === '*') inner = ':';
  const parts = inner.split(',');
  if (parts.length > 1) {
    nodes.push({ kind: 'union', lists: parts.map((p) => parseAction(`[${p.trim()}]`)) });
    return close + 1;
  }
  const dictKey = DICT_KEY.exec(inner);
  if (dictKey) {
    nodes.push(...parseAction(`.${dictKey[1]}`).nodes);
    return close + 1;
  }
  const slice = SLICE.exec(inner);
  if (!slice) throw new JsonPathSyntaxError(`invalid array index ${inner}`);
  const bound = (group: string | undefined, leading: boolean): number | undefined => {
    const digits = group === undefined ? undefined : leading ? group : group.slice(1);
    return digits === undefined || digits === '' ? undefined : Number(digits);
  };
  const start = bound(slice[1], true);
  const explicitEnd = slice[2] !== undefined;
  nodes.push({
    kind: 'array',
    start,
    // "[i]" selects one element: end is derived as i+1.
    end: explicitEnd ? bound(slice[2], false) : (start ?? 0) + 1,
    endDerived: !explicitEnd,
    step: bound(slice[3], false),
  });
  return close + 1;
}

function parseFilter(text: string, pos: number, nodes: PathNode[]): number {
  let end = pos + 3;
  let begin = false;
  let closed = false;
  let pair = '';
  for (;;) {
    const c = text[end];
    if (c === undefined || c === '\n') throw new JsonPathSyntaxError('unterminated filter');
    end++;
    if (c === '"' || c === "'") {
      if (!begin) {
        begin = true;
        pair = c;
      } else if (text[end - 2] !== '\\' && c === pair) {
        closed = true;
      }
    } else if (c === ')' && begin === closed) {
      break;
    }
  }
  if (text[end] !== ']') throw new JsonPathSyntaxError('unclosed array expect ]');
  const inner = text.slice(pos + 3, end - 1);
  const match = FILTER.exec(inner);
  nodes.push(match
    ? { kind: 'filter', left: parseAction(match[1]), right: parseAction(match[3]), operator: match[2] }
    : { kind: 'filter', left: parseAction(inner), right: { kind: 'list', nodes: [] }, operator: 'exists' });
  return end + 1;
}

// ---- evaluation (jsonpath.go walk) ----

class JsonPathEvalError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Children of a container, as evalWildcard/evalRecursive see them. */
function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObject(value)) return Object.values(value);
  return [];
}

function walk(input: unknown[], node: PathNode): unknown[] {
  switch (node.kind) {
    case 'list':
      return node.nodes.reduce<unknown[]>((current, child) => walk(current, child), input);
    case 'text':
      return [node.value];
    case 'int':
    case 'float':
    case 'bool':
      return input.map(() => node.value);
    case 'identifier':
      throw new JsonPathEvalError(`unrecognized identifier ${node.name}`);
    case 'field':
      // Missing keys are skipped (AllowMissingKeys); a key holding null is a match whose value is null.
      return input.filter(isObject).filter((v) => Object.hasOwn(v, node.name)).map((v) => v[node.name]);
    case 'wildcard':
      return input.flatMap(children);
    case 'recursive':
      return input.flatMap(function descend(value: unknown): unknown[] {
        const kids = children(value);
        return kids.length === 0 ? [] : [value, ...kids.flatMap(descend)];
      });
    case 'union':
      return node.lists.flatMap((list) => walk(input, list));
    case 'array':
      return input.flatMap((value) => sliceArray(value, node));
    case 'filter':
      return input.flatMap((value) => filterArray(value, node));
  }
}

function sliceArray(value: unknown, node: Extract<PathNode, { kind: 'array' }>): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new JsonPathEvalError('not array or slice');
  const length = value.length;
  let start = node.start ?? 0;
  if (start < 0) start += length;
  let end = node.end ?? length;
  if (end < 0 || (end === 0 && node.endDerived)) end += length;
  if (start === end) return [];
  if (start >= length || start < 0 || end > length || end < 0 || start > end) {
    throw new JsonPathEvalError(`array index out of bounds: index ${start}, length ${length}`);
  }
  const step = node.step ?? 1;
  if (step <= 0) throw new JsonPathEvalError('step must be > 0');
  return value.slice(start, end).filter((_, i) => i % step === 0);
}

type Comparable = { kind: 'int' | 'float' | 'string' | 'bool'; value: number | string | boolean };

/** The forked text/template basicKind: numbers split into int and float, anything else is not comparable. */
function comparable(value: unknown, literalKind?: 'int' | 'float'): Comparable {
  if (typeof value === 'number') return { kind: literalKind ?? (Number.isInteger(value) ? 'int' : 'float'), value };
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  throw new JsonPathEvalError('invalid type for comparison');
}

function compare(operator: string, left: Comparable, right: Comparable): boolean {
  if (left.kind !== right.kind) throw new JsonPathEvalError('incompatible types for comparison');
  const [a, b] = [left.value, right.value];
  switch (operator) {
    case '==': return a === b;
    case '!=': return a !== b;
    default:
      if (left.kind === 'bool') throw new JsonPathEvalError('invalid type for comparison');
      if (operator === '<') return a < b;
      if (operator === '>') return a > b;
      if (operator === '<=') return a <= b;
      if (operator === '>=') return a >= b;
      throw new JsonPathEvalError(`unrecognized filter operator ${operator}`);
  }
}

/** The literal kind of a filter's right side: `1` is an int, `1.0` a float, whatever the data holds. */
function literalKind(node: PathNode): 'int' | 'float' | undefined {
  const only = node.kind === 'list' && node.nodes.length === 1 ? node.nodes[0] : undefined;
  return only?.kind === 'int' || only?.kind === 'float' ? only.kind : undefined;
}

function filterArray(value: unknown, node: Extract<PathNode, { kind: 'filter' }>): unknown[] {
  if (!Array.isArray(value)) throw new JsonPathEvalError('not array or slice and cannot be filtered');
  return value.filter((element) => {
    if (node.operator === 'exists') {
      try {
        return walk([element], node.left).length > 0;
      } catch {
        return false;
      }
    }
    const lefts = walk([element], node.left);
    if (lefts.length !== 1) throw new JsonPathEvalError('can only compare one element at a time');
    const rights = walk([element], node.right);
    if (rights.length !== 1) throw new JsonPathEvalError('can only compare one element at a time');
    return compare(node.operator, comparable(lefts[0], literalKind(node.left)), comparable(rights[0], literalKind(node.right)));
  });
}

const cache = new Map<string, CompiledJsonPath>();

/** Parses a CRD-style path (".spec.replicas"), as upstream's `jsonpath.Parse("{" + path + "}")`. Throws on bad syntax. */
export function compileJsonPath(path: string): CompiledJsonPath {
  const cached = cache.get(path);
  if (cached) return cached;
  if (path.includes('{') || path.includes('}')) throw new JsonPathSyntaxError('braces are not allowed in a column JSONPath');
  const root = parseAction(path);
  const compiled: CompiledJsonPath = {
    path,
    evaluate(data) {
      try {
        return walk([data], root);
      } catch (err) {
        if (err instanceof JsonPathEvalError) return [];
        throw err;
      }
    },
  };
  cache.set(path, compiled);
  return compiled;
}

/** All matches of `path` in `obj` (compiled once per path and cached). An unparsable path matches nothing. */
export function evaluateJsonPath(obj: unknown, path: string): unknown[] {
  let compiled: CompiledJsonPath;
  try {
    compiled = compileJsonPath(path);
  } catch (err) {
    if (err instanceof JsonPathSyntaxError) return [];
    throw err;
  }
  return compiled.evaluate(obj);
}
