// Label selectors (shared/reference/apiserver.md §7.4), a port of the behaviour of
// k8s.io/apimachinery/pkg/labels/selector.go: the same lexer and parser (so the same 400 messages), the same
// Requirement validation (NewRequirement) and the same matching rules. `!=` and `notin` match objects without the key.
import { badRequest } from '../status-errors.ts';
import { aggregateMessage, invalidFieldMessage, labelValueErrors, qualifiedNameErrors } from './label-validation.ts';

/** selection.Operator values, spelled as upstream (they appear in error messages). */
export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'gt' | 'lt' | 'exists' | '!';

export interface Requirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

export interface LabelSelector {
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** True when the selector places no restriction (upstream Selector.Empty). */
  empty(): boolean;
  /** Canonical form, as labels.Selector.String(): requirements sorted by key, set values sorted. */
  toString(): string;
  readonly requirements: readonly Requirement[];
}

const BINARY_OPERATORS: readonly LabelOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

/**
 * labels.NewRequirement (called with no field path): validates and returns the requirement, or the aggregated
 * field-error message ("key: ...", "values[0][app]: ..."). The string parser validates keys itself first.
 */
export function newRequirement(key: string, operator: LabelOperator, values: string[]): Requirement | string {
  const errs: string[] = [];
  // Go renders the (nil) empty values slice as JSON null.
  const rendered = values.length === 0 ? 'null' : JSON.stringify(values);
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length > 0) errs.push(invalidFieldMessage('key', key, keyErrs.join('; ')));
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(`values: Invalid value: ${rendered}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(`values: Invalid value: ${rendered}: exact-match compatibility requires one single value`);
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(`values: Invalid value: ${rendered}: values set must be empty for exists and does not exist`);
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(`values: Invalid value: ${rendered}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidFieldMessage(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = labelValueErrors(v);
    if (valueErrs.length > 0) errs.push(invalidFieldMessage(`values[${i}][${key}]`, v, valueErrs.join('; ')));
  });
  return errs.length > 0 ? aggregateMessage(errs) : { key, operator, values };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64). */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

function requirementMatches(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(labels[r.key]);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(labels[r.key]);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const actual = parseInt64(labels[r.key]);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** Requirement.String(): "!k", "k", "k=v", "k in (a,b)" with set values sorted. */
function requirementToString(r: Requirement): string {
  if (r.operator === '!') return `!${r.key}`;
  if (r.operator === 'exists') return r.key;
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'in': return `${r.key} in (${values})`;
    case 'notin': return `${r.key} notin (${values})`;
    case 'gt': return `${r.key}>${values}`;
    case 'lt': return `${r.key}<${values}`;
    default: return `${r.key}${r.operator}${values}`;
  }
}

/** A selector over validated requirements; sorted by key like internalSelector.Add. */
export function selectorFromRequirements(requirements: readonly Requirement[]): LabelSelector {
  const sorted = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    requirements: sorted,
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels ?? {})),
    empty: () => sorted.length === 0,
    toString: () => sorted.map(requirementToString).join(','),
  };
}

/** labels.Nothing(): matches no object; prints as the empty string. */
export const NOTHING: LabelSelector = {
  requirements: [],
  matches: () => false,
  empty: () => false,
  toString: () => '',
};

/** labels.Everything(). */
export const EVERYTHING: LabelSelector = selectorFromRequirements([]);

// ---- lexer (labels.Lexer) ----

type Token =
  | 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';

const KEYWORDS: Readonly<Record<string, Token>> = {
  ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(',
};

interface Scanned { token: Token; literal: string }

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean => '=!(),><'.includes(ch);

function lex(input: string): Scanned[] {
  const items: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos])) pos++;
    if (pos >= input.length) {
      items.push({ token: 'eos', literal: '' });
      return items;
    }
    if (isSpecialSymbol(input[pos])) {
      // Longest run of symbols that still forms an operator: "!=" beats "!", "==" beats "=".
      let buffer = '';
      let last: Scanned | undefined;
      while (pos < input.length && isSpecialSymbol(input[pos])) {
        buffer += input[pos];
        const token = KEYWORDS[buffer];
        if (token) {
          last = { token, literal: buffer };
        } else if (last) {
          break;
        }
        pos++;
      }
      items.push(last ?? { token: 'error', literal: `error expected: keyword found '${buffer}'` });
      continue;
    }
    const start = pos;
    while (pos < input.length && !isSpecialSymbol(input[pos]) && !isWhitespace(input[pos])) pos++;
    const word = input.slice(start, pos);
    const keyword = KEYWORDS[word];
    items.push({ token: keyword === 'in' || keyword === 'notin' ? keyword : 'identifier', literal: word });
  }
}

// ---- parser (labels.Parser) ----

class Parser {
  private readonly items: Scanned[];
  private position = 0;
  constructor(input: string) {
    this.items = lex(input);
  }

  /** In the value context "in"/"notin" are plain identifiers ("x in (in)"). */
  private view(item: Scanned, valueContext: boolean): Scanned {
    if (valueContext && (item.token === 'in' || item.token === 'notin')) return { token: 'identifier', literal: item.literal };
    return item;
  }
  private lookahead(valueContext = true): Scanned {
    return this.view(this.items[Math.min(this.position, this.items.length - 1)], valueContext);
  }
  private consume(valueContext = true): Scanned {
    const item = this.lookahead(valueContext);
    this.position++;
    return item;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { token, literal } = this.lookahead();
      if (token === 'eos') return requirements;
      if (token !== 'identifier' && token !== '!') throw new Error(`found '${literal}', expected: !, identifier, or 'end of string'`);
      let requirement: Requirement;
      try {
        requirement = this.parseRequirement();
      } catch (err) {
        throw new Error(`unable to parse requirement: ${(err as Error).message}`);
      }
      requirements.push(requirement);
      const next = this.consume();
      if (next.token === 'eos') return requirements;
      if (next.token !== ',') throw new Error(`found '${next.literal}', expected: ',' or 'end of string'`);
      const after = this.lookahead();
      if (after.token !== 'identifier' && after.token !== '!') throw new Error(`found '${after.literal}', expected: identifier after ','`);
    }
  }

  private parseRequirement(): Requirement {
    let { token, literal } = this.consume();
    let operator: LabelOperator | undefined;
    if (token === '!') {
      operator = '!';
      ({ token, literal } = this.consume());
    }
    if (token !== 'identifier') throw new Error(`found '${literal}', expected: identifier`);
    const keyErrs = qualifiedNameErrors(literal);
    // The parser validates the key against a nil field path, hence upstream's "<nil>: Invalid value: ...".
    if (keyErrs.length > 0) throw new Error(invalidFieldMessage('<nil>', literal, keyErrs.join('; ')));
    const key = literal;
    const next = this.lookahead().token;
    if (operator === '!' || next === 'eos' || next === ',') {
      return this.validated(key, operator ?? 'exists', []);
    }
    operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    // sets.String.List(): deduplicated and sorted.
    return this.validated(key, operator, [...new Set(values)].sort());
  }

  private validated(key: string, operator: LabelOperator, values: string[]): Requirement {
    const result = newRequirement(key, operator, values);
    if (typeof result === 'string') throw new Error(result);
    return result;
  }

  private parseOperator(): LabelOperator {
    const { token, literal } = this.consume(false);
    switch (token) {
      case 'in': return 'in';
      case 'notin': return 'notin';
      case '=': return '=';
      case '==': return '==';
      case '!=': return '!=';
      case '>': return 'gt';
      case '<': return 'lt';
      default: throw new Error(`found '${literal}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume();
    if (open.token !== '(') throw new Error(`found '${open.literal}' expected: '('`);
    const { token, literal } = this.lookahead();
    if (token === ')') {
      this.consume();
      return [''];
    }
    if (token !== 'identifier' && token !== ',') throw new Error(`found '${literal}', expected: ',', ')' or identifier`);
    const values = this.parseIdentifiersList();
    // Upstream reports the literal looked at before the list, not the offending token.
    if (this.consume().token !== ')') throw new Error(`found '${literal}', expected: ')'`);
    return values;
  }

  /** "(a,b)", "(,a)", "(a,)" and "(a,,b)" all allowed; empty entries mean the empty value. */
  private parseIdentifiersList(): string[] {
    const values: string[] = [];
    for (;;) {
      const { token, literal } = this.consume();
      if (token === 'identifier') {
        values.push(literal);
        const next = this.lookahead();
        if (next.token === ',') continue;
        if (next.token === ')') return values;
        throw new Error(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (token !== ',') throw new Error(`found '${literal}', expected: ',', or identifier`);
      if (values.length === 0) values.push('');
      const next = this.lookahead().token;
      if (next === ')') {
        values.push('');
        return values;
      }
      if (next === ',') {
        this.consume();
        values.push('');
      }
    }
  }

  private parseExactValue(): string[] {
    const { token } = this.lookahead();
    if (token === 'eos' || token === ',') return [''];
    const value = this.consume();
    if (value.token === 'identifier') return [value.literal];
    throw new Error(`found '${value.literal}', expected: identifier`);
  }
}

/**
 * Parses a `labelSelector` query parameter. The empty string selects everything.
 * Invalid input → StatusError 400 BadRequest with apimachinery's message.
 */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    return selectorFromRequirements(new Parser(text).parse());
  } catch (err) {
    throw badRequest((err as Error).message);
  }
}

/**
 * labels.SelectorFromSet: a map selector (Service.spec.selector, ReplicationController.spec.selector).
 * A missing or empty map selects everything. Not validated, like upstream.
 */
export function labelSelectorFromSet(set: Readonly<Record<string, string>> | undefined): LabelSelector {
  return selectorFromRequirements(Object.entries(set ?? {}).map(([key, value]) => ({ key, operator: '=' as const, values: [value] })));
}
