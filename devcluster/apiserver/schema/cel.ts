// x-kubernetes-validations (CEL rules) of custom resources, as kube-apiserver 1.32 enforces them
// (apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go and compilation.go):
// - rules are compiled once per schema (CRD version) and cached; a schema without rules compiles to nothing, so
//   its writes pay one WeakMap lookup;
// - each rule runs with `self` bound to the value at its node, per item for array items and per value for maps,
//   never on an absent or null value;
// - a rule using `oldSelf` is a transition rule: it runs only on update, where the old object has a value at the
//   same path (object fields by name, map values by key, list items only in listType=map lists, by their keys);
// - ratcheting (CRDValidationRatcheting, on since 1.30): a failing non-transition rule is only a warning where the
//   value is unchanged from the old object (or, below a list that cannot be correlated, where the nearest
//   correlatable ancestor is unchanged), so status writes do not fail on objects older than a rule;
// - a failure is a cause at the node's path ("<nil>" at the root) `Invalid value: "<schema type>": <message>`,
//   the message being messageExpression's result, else message, else "failed rule: <rule>"; reason and fieldPath
//   change the cause's type and field.
// The work of one evaluation is bounded by counting comprehension iterations (see COST_LIMITS).
import { isCelError, type CelError, type CelInput } from '@bufbuild/cel';
import { fieldErrors, type FieldError } from '../status-errors.ts';
import type { Json, SchemaNode } from '../types.ts';
import { compileExpression, type Program } from './cel-check.ts';
import { meter, timeParsers } from './cel-library.ts';
import { declType, DYN, isEmbedded, toCelValue, type RuleType } from './cel-types.ts';
import { isObject, jsonEqual } from './json.ts';
import { child, index, key } from './paths.ts';
import { additionalPropertiesSchema, propertySchema } from './prune.ts';

/**
 * Iterations of comprehensions (all, exists, map, filter, ...) one rule may run, and all rules of one write. cel-go
 * counts cost units (per call 1,000,000, per object 10,000,000); counting iterations bounds the same loops at
 * roughly 0.1 s per rule and 1 s per object on this single-threaded server.
 */
export const COST_LIMITS = { perRule: 200_000, perObject: 2_000_000 } as const;

/** One entry of x-kubernetes-validations. */
export type ValidationRule = NonNullable<SchemaNode['x-kubernetes-validations']>[number];

interface CompiledRule {
  readonly rule: ValidationRule;
  readonly program: Program;
  readonly usesOldSelf: boolean;
  readonly messageProgram: Program | undefined;
  /** fieldPath, normalized to a field path below the node ("spec.x", "labels[a]"), or "". */
  readonly fieldPath: string;
}

/** The validator of one schema node: its rules and the nodes below it that (transitively) carry rules. */
interface RuleNode {
  readonly schema: SchemaNode;
  readonly resourceRoot: boolean;
  readonly rules: readonly CompiledRule[];
  readonly properties: ReadonlyMap<string, RuleNode>;
  readonly items: RuleNode | undefined;
  readonly additionalProperties: RuleNode | undefined;
  readonly allOf: readonly RuleNode[];
}

/** What CRD validation reports about one rule: its compile errors, by field of the rule. */
export interface RuleReport {
  readonly usesOldSelf: boolean;
  readonly issues: ReadonlyArray<{ readonly field: 'rule' | 'messageExpression' | 'fieldPath'; readonly detail: string }>;
}

export interface CompiledRules {
  /** Undefined when no rule can run: writes skip CEL entirely. */
  readonly validator: RuleNode | undefined;
  /** By the schema object that carries x-kubernetes-validations, one report per rule (index-aligned). */
  readonly reports: ReadonlyMap<object, readonly RuleReport[]>;
  /** Rules not evaluated because they need a CEL library this server lacks: where, which rule, what it needs. */
  readonly unsupported: ReadonlyArray<{ readonly path: string; readonly rule: string; readonly feature: string }>;
}

const compiledCache = new WeakMap<SchemaNode, CompiledRules>();

/** The compiled rules of a root schema (a CRD version's openAPIV3Schema), compiled on first use. */
export function compileCelRules(schema: SchemaNode): CompiledRules {
  let compiled = compiledCache.get(schema);
  if (!compiled) {
    const out = { reports: new Map<object, RuleReport[]>(), unsupported: [] as Array<CompiledRules['unsupported'][number]> };
    compiled = { validator: compileNode(schema, schema, true, '', out), ...out };
    compiledCache.set(schema, compiled);
  }
  return compiled;
}

export function hasCelRules(schema: SchemaNode): boolean {
  return compileCelRules(schema).reports.size > 0;
}

interface CompileOutput {
  reports: Map<object, RuleReport[]>;
  unsupported: Array<CompiledRules['unsupported'][number]>;
}

/**
 * Pairs the schema that carries the rules (validation: a node or one of its allOf entries) with the node whose
 * data and type they see, as upstream's validator() does.
 */
function compileNode(validation: SchemaNode, node: SchemaNode, resourceRoot: boolean, dataPath: string, out: CompileOutput): RuleNode | undefined {
  const rules = compileRules(validation, node, resourceRoot, dataPath, out);
  const properties = new Map<string, RuleNode>();
  for (const [k, prop] of Object.entries(validation.properties ?? {})) {
    const nodeProp = propertySchema(node, k);
    // Rules of fields whose type CEL cannot see (untyped, preserve-unknown-fields) are never evaluated.
    if (!nodeProp || !declType(nodeProp, isEmbedded(nodeProp))) continue;
    const sub = compileNode(prop, nodeProp, isEmbedded(nodeProp), child(dataPath, k), out);
    if (sub) properties.set(k, sub);
  }
  const items = validation.items && node.items
    ? compileNode(validation.items, node.items, isEmbedded(node.items), `${dataPath}[*]`, out) : undefined;
  const additional = additionalPropertiesSchema(validation);
  const nodeAdditional = additionalPropertiesSchema(node);
  const additionalProperties = additional && nodeAdditional
    ? compileNode(additional, nodeAdditional, isEmbedded(nodeAdditional), `${dataPath}[*]`, out) : undefined;
  const allOf = (validation.allOf ?? []).flatMap((sub) => compileNode(sub, node, resourceRoot, dataPath, out) ?? []);
  if (rules.length === 0 && properties.size === 0 && !items && !additionalProperties && allOf.length === 0) return undefined;
  return { schema: node, resourceRoot, rules, properties, items, additionalProperties, allOf };
}

function compileRules(validation: SchemaNode, node: SchemaNode, resourceRoot: boolean, dataPath: string, out: CompileOutput): CompiledRule[] {
  // Entries that are not objects are ignored here as by the static checks, so reports stay index-aligned with them.
  const declared: unknown = validation['x-kubernetes-validations'];
  const rules = Array.isArray(declared) ? declared.filter((r): r is ValidationRule => isObject(r)) : [];
  if (rules.length === 0) return [];
  const self = declType(node, resourceRoot) ?? DYN;
  const variables = new Map<string, RuleType>([['self', self], ['oldSelf', self]]);
  const compiled: CompiledRule[] = [];
  const reports = rules.map((declaredRule): RuleReport => {
    const rule = normalized(declaredRule);
    const text = rule.rule;
    if (text.trim() === '') return { usesOldSelf: false, issues: [] }; // reported by the static checks
    const issues: Array<RuleReport['issues'][number]> = [];
    const result = compileExpression(text, variables);
    const unsupported = (feature: string): RuleReport => {
      out.unsupported.push({ path: dataPath || '<root>', rule: text, feature });
      return { usesOldSelf: false, issues };
    };
    if (result.kind === 'unsupported') return unsupported(result.feature);
    if (result.kind === 'error') issues.push({ field: 'rule', detail: `compilation failed: ${result.issues}` });
    else if (result.type.kind !== 'bool' && result.type.kind !== 'dyn') issues.push({ field: 'rule', detail: 'cel expression must evaluate to a bool' });
    const messageProgram = compileMessageExpression(rule, variables, issues);
    const fieldPath = rule.fieldPath ? validFieldPath(rule.fieldPath, node) : '';
    if (fieldPath instanceof Error) issues.push({ field: 'fieldPath', detail: 'fieldPath must be a valid path' });
    if (result.kind !== 'ok') return { usesOldSelf: false, issues };
    // optionalOldSelf makes oldSelf an optional value, and this CEL library has no optional values.
    if (rule.optionalOldSelf === true && result.usesOldSelf) return unsupported('optionalOldSelf (optional types)');
    // CRD validation refuses a rule with issues; one stored before rules were compiled is skipped, not failed on every write.
    if (issues.length === 0 && typeof fieldPath === 'string') {
      compiled.push({ rule, program: result.program, usesOldSelf: result.usesOldSelf, messageProgram, fieldPath });
    }
    return { usesOldSelf: result.usesOldSelf, issues };
  });
  out.reports.set(validation, reports);
  return compiled;
}

/** A rule with its fields as the Go struct has them: a client may have sent anything in the JSON. */
function normalized(rule: ValidationRule): ValidationRule {
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return {
    rule: text(rule.rule), message: text(rule.message), messageExpression: text(rule.messageExpression), fieldPath: text(rule.fieldPath),
    reason: typeof rule.reason === 'string' ? rule.reason : undefined,
    optionalOldSelf: typeof rule.optionalOldSelf === 'boolean' ? rule.optionalOldSelf : undefined,
  };
}

function compileMessageExpression(rule: ValidationRule, variables: ReadonlyMap<string, RuleType>, issues: Array<RuleReport['issues'][number]>): Program | undefined {
  const text = rule.messageExpression ?? '';
  if (text.trim() === '') return undefined;
  const result = compileExpression(text, variables);
  if (result.kind === 'error') issues.push({ field: 'messageExpression', detail: `messageExpression compilation failed: ${result.issues}` });
  else if (result.kind === 'ok' && result.type.kind !== 'string' && result.type.kind !== 'dyn') {
    issues.push({ field: 'messageExpression', detail: 'messageExpression must evaluate to a string' });
  }
  // A messageExpression needing an unsupported library falls back to message, as a failing one does upstream.
  return result.kind === 'ok' ? result.program : undefined;
}

/**
 * ValidFieldPath: a JSON path of field names (".a.b", ".a['b.c']") and map keys, resolved against the schema;
 * returns it as a field path relative to the rule's node ("a.b", "labels[key]").
 */
export function validFieldPath(jsonPath: string, schema: SchemaNode): string | Error {
  const tokens = jsonPath.match(/'(?:\\.|[^'\\])*'|[.[\]]|[^.[\]']+/g) ?? [];
  let path = '';
  let s: SchemaNode | undefined = schema;
  const append = (name: string): Error | undefined => {
    if (s?.properties) {
      s = propertySchema(s, name);
      if (!s) return new Error('does not refer to a valid field');
      path = child(path, name);
    } else if (s && additionalPropertiesSchema(s)) {
      s = additionalPropertiesSchema(s);
      path = key(path, name);
    } else {
      return new Error('does not refer to a valid field');
    }
    return undefined;
  };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    let err: Error | undefined;
    if (tok === '.') {
      if (i + 1 >= tokens.length) return new Error('unexpected end of JSON path');
      err = append(tokens[++i]);
    } else if (tok === '[') {
      const quoted = tokens[++i];
      if (!quoted || quoted.length < 2 || !quoted.startsWith("'") || !quoted.endsWith("'")) return new Error(`expected single quoted string but got ${quoted ?? ''}`);
      err = append(quoted.slice(1, -1).replace(/\\(.)/g, '$1')) ?? (tokens[++i] === ']' ? undefined : new Error(`expected ] but got ${tokens[i] ?? ''}`));
    } else {
      return new Error(`expected [ or . but got: ${tok}`);
    }
    if (err) return err;
  }
  return path;
}

// ---- evaluation ----------------------------------------------------------------------------------------------

export interface CelOutcome {
  readonly errors: FieldError[];
  /** Failures of unchanged values, returned as Warning headers instead (ratcheting). */
  readonly warnings: string[];
}

/** A value and its old counterpart at the same path (common.CorrelatedObject), with the schema below it. */
class Correlation {
  readonly value: Json;
  readonly old: Json;
  readonly schema: SchemaNode | undefined;
  private equal: boolean | undefined;

  constructor(value: Json, old: Json, schema: SchemaNode | undefined) {
    this.value = value;
    this.old = old;
    this.schema = schema;
  }

  unchanged(): boolean {
    this.equal ??= jsonEqual(this.value, this.old);
    return this.equal;
  }

  key(field: string): Correlation | undefined {
    if (!isObject(this.value) || !isObject(this.old) || !Object.hasOwn(this.value, field) || !Object.hasOwn(this.old, field)) return undefined;
    return new Correlation(this.value[field], this.old[field], propertySchema(this.schema, field) ?? additionalPropertiesSchema(this.schema));
  }

  index(i: number): Correlation | undefined {
    if (!Array.isArray(this.value) || !Array.isArray(this.old) || i >= this.value.length) return undefined;
    const old = mapListItem(this.schema, this.old, this.value[i]);
    return old === undefined ? undefined : new Correlation(this.value[i], old, this.schema?.items);
  }
}

/** The old item with the same list-map keys as item, for x-kubernetes-list-type=map; none for other lists. */
function mapListItem(schema: SchemaNode | undefined, old: Json | undefined, item: Json): Json | undefined {
  const keys = schema?.['x-kubernetes-list-type'] === 'map' ? schema['x-kubernetes-list-map-keys'] ?? [] : [];
  if (keys.length === 0 || !Array.isArray(old) || !isObject(item)) return undefined;
  return old.find((o) => isObject(o) && keys.every((k) => jsonEqual(o[k], item[k])));
}

/** The correlation of the node being validated, or where it has none the nearest correlatable ancestor. */
class Ratchet {
  readonly current: Correlation | undefined;
  readonly nearestParent: Correlation | undefined;

  constructor(current?: Correlation, nearestParent?: Correlation) {
    this.current = current;
    this.nearestParent = nearestParent;
  }

  shouldRatchet(): boolean {
    return this.current ? this.current.unchanged() : this.nearestParent?.unchanged() ?? false;
  }

  key(field: string): Ratchet {
    if (!this.current) return this;
    // apiVersion and kind are rewritten to the served version on both sides, so their changes are invisible.
    if (!this.nearestParent && (field === 'apiVersion' || field === 'kind')) return new Ratchet();
    return new Ratchet(this.current.key(field), this.current);
  }

  index(i: number): Ratchet {
    return this.current ? new Ratchet(this.current.index(i), this.current) : this;
  }
}

/** Stops the walk: upstream runs no further rule once a cost limit is hit. */
class Stop extends Error {}

/**
 * Evaluates every rule of a custom resource. old is the stored object on update (undefined on create): it feeds
 * oldSelf and ratcheting.
 */
export function validateCelRules(compiled: CompiledRules, obj: Json, old: Json | undefined): CelOutcome {
  const outcome: CelOutcome = { errors: [], warnings: [] };
  if (!compiled.validator) return outcome;
  const evaluation = new Evaluation(outcome);
  const ratchet = old === undefined ? new Ratchet() : new Ratchet(new Correlation(obj, old, compiled.validator.schema));
  try {
    evaluation.node(compiled.validator, '', obj, old, ratchet);
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
  }
  return outcome;
}

/** The cause replacing rule evaluation when the object already breaks its schema in a way rules cannot cope with. */
const BLOCKING = new Set(['FieldValueNotSupported', 'FieldValueRequired', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueTypeInvalid']);
export function celBlockedBy(schemaErrors: readonly FieldError[]): FieldError | undefined {
  if (!schemaErrors.some((e) => BLOCKING.has(e.reason))) return undefined;
  return { field: '<nil>', reason: 'FieldValueInvalid', detail: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' };
}

function ruleErrorString(rule: ValidationRule): string {
  return rule.message?.trim() || rule.rule.trim();
}

/** Evaluation errors in cel-go's words where the two libraries word them differently. */
function runtimeErrorDetail(err: CelError, rule: ValidationRule): string {
  const message = err.message;
  if (message.startsWith('found no matching overload') || message.startsWith('no such overload')) {
    return `'no such overload': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule)}`;
  }
  const text = message.replace(/^field not found: /, 'no such key: ')
    .replace(/^u?int divide by zero$/, 'division by zero').replace(/^u?int modulus by zero$/, 'modulus by zero');
  return `${text} evaluating rule: ${ruleErrorString(rule)}`;
}

/** Reasons a rule may give its failures, and the cause each makes. */
function failure(path: string, type: string, detail: string, reason: string | undefined): FieldError {
  switch (reason) {
    case 'FieldValueForbidden': return fieldErrors.forbidden(path, detail);
    case 'FieldValueRequired': return fieldErrors.required(path, detail);
    case 'FieldValueDuplicate': return fieldErrors.duplicate(path, type);
    default: return fieldErrors.invalid(path, type, detail);
  }
}

class Evaluation {
  private readonly outcome: CelOutcome;
  private budget: number = COST_LIMITS.perObject;

  constructor(outcome: CelOutcome) {
    this.outcome = outcome;
  }

  node(n: RuleNode, path: string, value: Json | undefined, old: Json | undefined, ratchet: Ratchet): void {
    if (value === undefined || value === null) return;
    this.expressions(n, path, value, old, ratchet);
    // allOf rules are not ratcheted by their own correlation, as upstream.
    for (const sub of n.allOf) this.node(sub, path, value, old, new Ratchet(undefined, ratchet.nearestParent));
    if (Array.isArray(value)) {
      if (!n.items) return;
      value.forEach((item, i) => this.node(n.items as RuleNode, index(path, i), item, mapListItem(n.schema, old, item), ratchet.index(i)));
    } else if (isObject(value)) {
      const oldObject = isObject(old) ? old : undefined;
      for (const [k, v] of Object.entries(value)) {
        const sub = n.additionalProperties ?? n.properties.get(k);
        if (!sub) continue;
        const subPath = n.additionalProperties ? key(path, k) : child(path, k);
        this.node(sub, subPath, v, oldObject?.[k], ratchet.key(k));
      }
    }
  }

  private expressions(n: RuleNode, path: string, value: Json, old: Json | undefined, ratchet: Ratchet): void {
    if (n.rules.length === 0) return;
    const field = path || '<nil>';
    const type = n.schema.type ?? '';
    if (this.budget <= 0) this.stop(field, type, 'validation failed due to running out of cost budget, no further validation rules will be run');
    let self: CelInput | undefined;
    let oldSelf: CelInput | undefined;
    for (const rule of n.rules) {
      if (rule.usesOldSelf && (old === undefined || old === null)) continue; // transition rules need an old value
      self ??= toCelValue(value, n.schema, n.resourceRoot, timeParsers) ?? null;
      const bindings: Record<string, CelInput> = { self };
      if (rule.usesOldSelf) bindings.oldSelf = oldSelf ??= toCelValue(old as Json, n.schema, n.resourceRoot, timeParsers) ?? null;
      const result = this.run(rule.program, bindings, field, type, rule.rule);
      if (isCelError(result)) {
        this.outcome.errors.push(fieldErrors.invalid(field, type, runtimeErrorDetail(result, rule.rule)));
        continue;
      }
      if (result === true) continue;
      const target = rule.fieldPath ? child(path, rule.fieldPath) : field;
      const error = failure(target, type, this.message(rule, bindings, field, type), rule.rule.reason);
      if (!rule.usesOldSelf && ratchet.shouldRatchet()) this.outcome.warnings.push(`${error.field}: ${error.detail}`);
      else this.outcome.errors.push(error);
    }
  }

  /** messageExpression's string when it evaluates to a usable one (upstream only logs its failures), else message. */
  private message(rule: CompiledRule, bindings: Record<string, CelInput>, field: string, type: string): string {
    if (rule.messageProgram) {
      const result = this.run(rule.messageProgram, bindings, field, type, rule.rule);
      const text = typeof result === 'string' ? result.trim() : '';
      if (text !== '' && !text.includes('\n') && Buffer.byteLength(text) <= 5000) return text;
    }
    return rule.rule.message?.trim() || `failed rule: ${ruleErrorString(rule.rule)}`;
  }

  /** Runs a program under the meter; a run over a limit ends all rule evaluation with upstream's cause. */
  private run(program: Program, bindings: Record<string, CelInput>, field: string, type: string, rule: ValidationRule): ReturnType<Program> {
    meter.steps = 0;
    meter.limit = Math.min(COST_LIMITS.perRule, this.budget);
    const result = program(bindings);
    this.budget -= meter.steps;
    if (meter.steps > meter.limit) {
      this.stop(field, type, meter.limit === COST_LIMITS.perRule
        ? `'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: ${ruleErrorString(rule)}`
        : 'validation failed due to running out of cost budget, no further validation rules will be run');
    }
    return result;
  }

  private stop(field: string, type: string, detail: string): never {
    this.outcome.errors.push(fieldErrors.invalid(field, type, detail));
    throw new Stop();
  }
}
