// Compiles one CEL expression of a CRD: parse, a static check against the schema's declared types, and a plan.
// @bufbuild/cel's own check() only types constants and identifiers, so this module does what cel-go's checker does
// for CRD rules (compilation.go): undeclared identifiers and functions, undefined fields of schema objects, field
// selection on scalars, comprehension ranges, and overloads of the library's own function signatures. Where a type
// is not known statically it is dyn and any error is left to evaluation, as cel-go does for int-or-string.
// Errors read like cel-go's ("ERROR: <input>:1:6: undefined field 'foo'" with the source line and a caret).
import { CelScalar, parse, plan, type CelInput, type CelResult, type CelType } from '@bufbuild/cel';
import { APPEND_FUNCTION, env, METER_FUNCTION, UNSUPPORTED_FUNCTIONS } from './cel-library.ts';
import { DYN, fieldType, typeName, type RuleType } from './cel-types.ts';

type Expr = ReturnType<typeof parse>['expr'];
type ExprKind = Expr['exprKind'];
type Of<C extends ExprKind['case']> = Extract<ExprKind, { case: C }>['value'];
type Call = Of<'callExpr'>;
type Comprehension = Of<'comprehensionExpr'>;

export type Program = (bindings: Record<string, CelInput>) => CelResult;

export type Compiled =
  | { readonly kind: 'ok'; readonly program: Program; readonly type: RuleType; readonly usesOldSelf: boolean }
  /** cel-go's issues text, e.g. "ERROR: <input>:1:6: undefined field 'foo'\n | self.foo\n | .....^". */
  | { readonly kind: 'error'; readonly issues: string }
  /** The expression needs a CEL library this server does not implement (named). */
  | { readonly kind: 'unsupported'; readonly feature: string };

const BOOL: RuleType = { kind: 'bool' };
const TYPE_DENOTATIONS = new Set(['bool', 'int', 'uint', 'double', 'string', 'bytes', 'list', 'map', 'null_type', 'type']);

/** Compiles an expression over the given variables (self, oldSelf). Never throws. */
export function compileExpression(text: string, variables: ReadonlyMap<string, RuleType>): Compiled {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(text);
  } catch (err) {
    if (usesOptionalSyntax(text)) return { kind: 'unsupported', feature: 'optional types' };
    const e = err as { rawMessage?: string; message?: string; location?: { start?: { offset?: number } } };
    return { kind: 'error', issues: render(text, e.location?.start?.offset ?? 0, `Syntax error: ${e.rawMessage ?? e.message ?? String(err)}`) };
  }
  rewriteBind(parsed.expr);
  const checker = new Checker(parsed.sourceInfo?.positions ?? {}, variables);
  const type = checker.check(parsed.expr, new Map());
  if (checker.unsupported) return { kind: 'unsupported', feature: checker.unsupported };
  if (checker.issues.length > 0) return { kind: 'error', issues: checker.issues.map((i) => render(text, i.offset, i.message)).join('\n') };
  instrumentComprehensions(parsed.expr);
  const program = plan(env, parsed) as unknown as Program;
  return { kind: 'ok', program, type, usesOldSelf: checker.usesOldSelf };
}

/** `.?field` and `[?index]` outside string literals: optional syntax, which the parser does not know. */
function usesOptionalSyntax(text: string): boolean {
  const code = text.replace(/[rRbB]{0,2}('''[\s\S]*?'''|"""[\s\S]*?"""|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")/g, '""');
  return /\.\s*\?|\[\s*\?/.test(code);
}

/** cel-go's Error.ToDisplayString: position 1-based in the message, the line, and a caret under the column. */
function render(text: string, offset: number, message: string): string {
  const before = [...text.slice(0, offset)];
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.filter((c) => c === '\n').length + 1;
  const column = before.length - lineStart;
  const snippet = (text.split('\n')[line - 1] ?? '').replace(/\t/g, ' ');
  return `ERROR: <input>:${line}:${column + 1}: ${message}\n | ${snippet}\n | ${'.'.repeat(column)}^`;
}

function children(e: Expr): Expr[] {
  const k = e.exprKind;
  const all: Array<Expr | undefined> = (() => {
    switch (k.case) {
      case 'selectExpr': return [k.value.operand];
      case 'callExpr': return [k.value.target, ...k.value.args];
      case 'listExpr': return k.value.elements;
      case 'structExpr': return k.value.entries.flatMap((en) => [en.keyKind.case === 'mapKey' ? en.keyKind.value : undefined, en.value]);
      case 'comprehensionExpr': return [k.value.iterRange, k.value.accuInit, k.value.loopCondition, k.value.loopStep, k.value.result];
      default: return [];
    }
  })();
  return all.filter((c): c is Expr => c !== undefined);
}

function walk(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  for (const c of children(e)) walk(c, visit);
}

/**
 * cel.bind(name, init, body) is a cel-go macro the parser does not expand; this is its expansion: a comprehension
 * over an empty list whose accumulator is the bound name (ext/bindings.go).
 */
function rewriteBind(root: Expr): void {
  walk(root, (e) => {
    if (e.exprKind.case !== 'callExpr') return;
    const { target, function: fn, args } = e.exprKind.value;
    const name = args[0]?.exprKind.case === 'identExpr' ? args[0].exprKind.value.name : undefined;
    if (fn !== 'bind' || args.length !== 3 || name === undefined || target?.exprKind.case !== 'identExpr' || target.exprKind.value.name !== 'cel') return;
    const emptyList = { ...args[0], exprKind: { case: 'listExpr', value: { $typeName: 'cel.expr.Expr.CreateList', elements: [], optionalIndices: [] } } } as Expr;
    const never = { ...args[0], exprKind: { case: 'constExpr', value: { $typeName: 'cel.expr.Constant', constantKind: { case: 'boolValue', value: false } } } } as Expr;
    const value: Comprehension = {
      $typeName: 'cel.expr.Expr.Comprehension', iterVar: '#unused', iterVar2: '', iterRange: emptyList,
      accuVar: name, accuInit: args[1], loopCondition: never, loopStep: args[0], result: args[2],
    };
    e.exprKind = { case: 'comprehensionExpr', value };
  });
}

function callOf(like: Expr, fn: string, args: Expr[]): Expr {
  const call: Call = { $typeName: 'cel.expr.Expr.Call', function: fn, args };
  return { ...like, exprKind: { case: 'callExpr', value: call } };
}

/**
 * Wraps every loop condition in the meter, so evaluation stops once a rule has iterated too often, and makes the
 * steps of map() and filter() (`accumulator + [item]`) append in place.
 */
function instrumentComprehensions(root: Expr): void {
  walk(root, (e) => {
    if (e.exprKind.case !== 'comprehensionExpr' || !e.exprKind.value.loopCondition) return;
    const c = e.exprKind.value;
    c.loopCondition = callOf(c.loopCondition as Expr, METER_FUNCTION, [c.loopCondition as Expr]);
    if (c.loopStep) {
      walk(c.loopStep, (step) => {
        if (step.exprKind.case !== 'callExpr' || step.exprKind.value.function !== '_+_') return;
        const [accu, items] = step.exprKind.value.args;
        if (accu?.exprKind.case !== 'identExpr' || accu.exprKind.value.name !== c.accuVar) return;
        if (items?.exprKind.case !== 'listExpr' || items.exprKind.value.elements.length !== 1) return;
        step.exprKind = callOf(step, APPEND_FUNCTION, [accu, items.exprKind.value.elements[0]]).exprKind;
      });
    }
  });
}

function unsupportedFeature(name: string): string | undefined {
  return UNSUPPORTED_FUNCTIONS.find(([n]) => (n.endsWith('.') ? name.startsWith(n) : name === n))?.[1];
}

/** The dotted name an expression spells (a.b.c), as the planner resolves qualified function names. */
function qualifiedName(e: Expr): string | undefined {
  if (e.exprKind.case === 'identExpr') return e.exprKind.value.name;
  if (e.exprKind.case !== 'selectExpr' || e.exprKind.value.testOnly || !e.exprKind.value.operand) return undefined;
  const parent = qualifiedName(e.exprKind.value.operand);
  return parent === undefined ? undefined : `${parent}.${e.exprKind.value.field}`;
}

/** Whether a value of type arg may be passed where the library declares param. */
function assignable(param: CelType, arg: RuleType): boolean {
  if (arg.kind === 'dyn') return true;
  switch (param.kind) {
    case 'scalar': return param.name === 'dyn' || param.name === arg.kind;
    case 'list': return arg.kind === 'list' && assignable(param.element, arg.elem);
    case 'map': return arg.kind === 'map' && assignable(param.key, arg.key) && assignable(param.value, arg.value);
    case 'object': return typeName(arg) === param.name;
  }
}

function fromCelType(t: CelType): RuleType {
  switch (t.kind) {
    case 'list': return { kind: 'list', elem: fromCelType(t.element) };
    case 'map': return { kind: 'map', key: fromCelType(t.key), value: fromCelType(t.value) };
    case 'object':
      return t.name === 'google.protobuf.Timestamp' ? { kind: 'timestamp' } : t.name === 'google.protobuf.Duration' ? { kind: 'duration' } : DYN;
    case 'scalar': return t === CelScalar.DYN ? DYN : ({ kind: t.name } as RuleType);
  }
}

function sameType(a: RuleType, b: RuleType): boolean {
  return typeName(a) === typeName(b) && a.kind !== 'object';
}

/** The common type of literal elements or branches, dyn when they differ. */
function join(types: RuleType[]): RuleType {
  const known = types.filter((t) => t.kind !== 'null_type');
  return known.length > 0 && known.every((t) => sameType(t, known[0])) ? known[0] : DYN;
}

class Checker {
  readonly issues: Array<{ offset: number; message: string }> = [];
  usesOldSelf = false;
  unsupported: string | undefined;
  private readonly positions: Record<string, number>;
  private readonly variables: ReadonlyMap<string, RuleType>;

  constructor(positions: Record<string, number>, variables: ReadonlyMap<string, RuleType>) {
    this.positions = positions;
    this.variables = variables;
  }

  private issue(e: Expr, message: string): RuleType {
    this.issues.push({ offset: this.positions[String(e.id)] ?? 0, message });
    return DYN;
  }

  check(e: Expr, scope: ReadonlyMap<string, RuleType>): RuleType {
    const k = e.exprKind;
    switch (k.case) {
      case 'constExpr': {
        const c = k.value.constantKind.case;
        const kinds: Record<string, RuleType['kind']> = {
          boolValue: 'bool', int64Value: 'int', uint64Value: 'uint', doubleValue: 'double', stringValue: 'string', bytesValue: 'bytes', nullValue: 'null_type',
          durationValue: 'duration', timestampValue: 'timestamp',
        };
        return c && kinds[c] ? ({ kind: kinds[c] } as RuleType) : DYN;
      }
      case 'identExpr': return this.ident(e, k.value.name, scope);
      case 'selectExpr': {
        const operand = k.value.operand ? this.check(k.value.operand, scope) : DYN;
        const field = this.field(e, operand, k.value.field);
        return k.value.testOnly ? BOOL : field;
      }
      case 'callExpr': return this.call(e, k.value, scope);
      case 'listExpr': return { kind: 'list', elem: join(k.value.elements.map((x) => this.check(x, scope))) };
      case 'structExpr': {
        if (k.value.messageName !== '') return this.issue(e, `undeclared reference to '${k.value.messageName}' (in container '')`);
        const keys = k.value.entries.map((en) => (en.keyKind.case === 'mapKey' ? this.check(en.keyKind.value, scope) : DYN));
        const values = k.value.entries.map((en) => (en.value ? this.check(en.value, scope) : DYN));
        return { kind: 'map', key: join(keys), value: join(values) };
      }
      case 'comprehensionExpr': return this.comprehension(e, k.value, scope);
      default: return DYN;
    }
  }

  private ident(e: Expr, name: string, scope: ReadonlyMap<string, RuleType>): RuleType {
    const local = scope.get(name);
    if (local) return local;
    const global = this.variables.get(name);
    if (global) {
      if (name === 'oldSelf') this.usesOldSelf = true;
      return global;
    }
    if (TYPE_DENOTATIONS.has(name)) return { kind: 'type' };
    return this.issue(e, `undeclared reference to '${name}' (in container '')`);
  }

  private field(e: Expr, t: RuleType, name: string): RuleType {
    switch (t.kind) {
      case 'dyn': return DYN;
      case 'map': return t.value;
      case 'object': return fieldType(t.schema, name) ?? this.issue(e, `undefined field '${name}'`);
      default: return this.issue(e, `type '${typeName(t)}' does not support field selection`);
    }
  }

  private call(e: Expr, call: Call, scope: ReadonlyMap<string, RuleType>): RuleType {
    const { target, function: fn, args } = call;
    const qualified = target ? qualifiedName(target) : undefined;
    const root = qualified?.split('.')[0];
    if (qualified !== undefined && root !== undefined && !scope.has(root) && !this.variables.has(root)) {
      const name = `${qualified}.${fn}`;
      if (env.funcs.find(name)) return this.overload(e, name, undefined, args.map((a) => this.check(a, scope)));
      const feature = unsupportedFeature(name);
      if (feature) return this.markUnsupported(feature);
    }
    const types = args.map((a) => this.check(a, scope));
    switch (fn) {
      case '_&&_':
      case '_||_':
      case '@not_strictly_false':
        if (types.some((t) => t.kind !== 'bool' && t.kind !== 'dyn')) this.noOverload(e, fn, undefined, types);
        return BOOL;
      case '_?_:_':
        if (types[0].kind !== 'bool' && types[0].kind !== 'dyn') this.noOverload(e, fn, undefined, types);
        return join(types.slice(1));
      case '_[_]': return this.index(e, types);
    }
    const targetType = target ? this.check(target, scope) : undefined;
    if (!env.funcs.find(fn)) {
      const feature = unsupportedFeature(fn);
      return feature ? this.markUnsupported(feature) : this.issue(e, `undeclared reference to '${fn}' (in container '')`);
    }
    return this.overload(e, fn, targetType, types);
  }

  private markUnsupported(feature: string): RuleType {
    this.unsupported ??= feature;
    return DYN;
  }

  private noOverload(e: Expr, fn: string, target: RuleType | undefined, args: RuleType[]): RuleType {
    return this.issue(e, `found no matching overload for '${fn}' applied to '${target ? `${typeName(target)}.` : ''}(${args.map(typeName).join(', ')})'`);
  }

  /** Resolves a call against the library's signatures; the result type is known when all matches agree. */
  private overload(e: Expr, fn: string, target: RuleType | undefined, args: RuleType[]): RuleType {
    const matching = [...(env.funcs.find(fn) ?? [])].filter((f) =>
      (f.target === undefined) === (target === undefined) && f.arguments.length === args.length
      && (f.target === undefined || target === undefined || assignable(f.target, target))
      && f.arguments.every((p, i) => assignable(p, args[i])));
    if (matching.length === 0) return this.noOverload(e, fn, target, args);
    const results = matching.map((f) => fromCelType(f.result));
    return results.every((r) => sameType(r, results[0])) ? results[0] : DYN;
  }

  private index(e: Expr, [container, key]: RuleType[]): RuleType {
    switch (container.kind) {
      case 'list':
        return ['int', 'uint', 'dyn'].includes(key.kind) ? container.elem : this.noOverload(e, '_[_]', undefined, [container, key]);
      case 'map': return container.value;
      case 'dyn':
      case 'object': return DYN;
      default: return this.noOverload(e, '_[_]', undefined, [container, key]);
    }
  }

  private comprehension(e: Expr, c: Comprehension, scope: ReadonlyMap<string, RuleType>): RuleType {
    const range = c.iterRange ? this.check(c.iterRange, scope) : DYN;
    let item: RuleType = DYN;
    if (range.kind === 'list') item = range.elem;
    else if (range.kind === 'map') item = range.key;
    else if (range.kind !== 'dyn') this.issue(e, `expression of type '${typeName(range)}' cannot be range of a comprehension (must be list, map, or dynamic)`);
    const accu = c.accuInit ? this.check(c.accuInit, scope) : DYN;
    const loop = new Map(scope).set(c.accuVar, accu).set(c.iterVar, item);
    if (c.loopCondition) this.check(c.loopCondition, loop);
    const step = c.loopStep ? this.check(c.loopStep, loop) : DYN;
    return c.result ? this.check(c.result, new Map(scope).set(c.accuVar, join([accu, step]))) : DYN;
  }
}
