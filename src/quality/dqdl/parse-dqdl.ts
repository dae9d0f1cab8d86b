/**
 * The DQDL parser: ruleset text → `Ruleset` (./ast.ts), or a `DQDL_SYNTAX_ERROR` whose message
 * starts with `line L, column C:` and says what was expected and what was found.
 *
 *   ruleset    := section*                      (Rules required, each section at most once)
 *   section    := Metadata = dict | DataSources = dict | Rules = [ rules? ] | Analyzers = [ analyzers? ]
 *   rule       := operand (("and" | "or") operand)*      (one operator per level; operands parenthesized)
 *   operand    := "(" rule ")" | call
 *   call       := RuleType string* condition? ("where" string)? ("with" "threshold" condition)?
 *   condition  := ("=" | "!=" | ">" | ">=" | "<" | "<=") value
 *               | "not"? "between" arith "and" arith | "not"? "in" "[" value ("," value)* "]"
 *               | "not"? "matches" string
 *   value      := NULL | EMPTY | WHITESPACES_ONLY | arith
 *   arith      := term (("+" | "-") term)* ; term := unary (("*" | "/") unary)* ; unary := "-" unary | primary
 *   primary    := number (days|hours|minutes)? | string | "(" arith ")" | now() | fn "(" args ")"
 *
 * Gotchas:
 * - Mixing `and` and `or` at one level is an error, as in Glue: write `(A) and ((B) or (C))`.
 * - `*` and `/` bind tighter than `+` and `-` (Glue's grammar leaves this unspecified).
 * - `-x` for a non-literal `x` is represented as `0 - x`; `-5` is the number -5.
 * - Keywords follow Glue's case rules: `and`/`AND`, `or`/`OR`, `NULL`/`null` …, but `between`, `in`,
 *   `not`, `matches`, `where`, `with` are lowercase only; rule types are case-sensitive.
 *
 * @example
 *   const ruleset = parseDqdl('Rules = [ RowCount > 0, IsComplete "id" ]');
 *   ruleset.rules[1]; // { kind: 'rule', ruleType: 'IsComplete', params: ['id'], … }
 */
import { StrataError, closestName } from '../../core/index.ts';
import {
  RULE_TYPES,
  type CompareOperator,
  type CompositeRule,
  type Condition,
  type DurationUnit,
  type RuleCall,
  type RuleNode,
  type RuleType,
  type Ruleset,
  type ValueExpr,
} from './ast.ts';
import { tokenizeDqdl, type DqdlToken } from './lexer.ts';
import { RULE_SIGNATURES, describeParams } from './rule-signatures.ts';

/** Parses a DQDL ruleset. Throws `StrataError('DQDL_SYNTAX_ERROR')` with line/column details. */
export function parseDqdl(text: string): Ruleset {
  return new DqdlParser(text).parseRuleset();
}

const COMPARE_OPERATORS: readonly CompareOperator[] = ['=', '!=', '>', '>=', '<', '<='];
const SECTIONS = ['Metadata', 'DataSources', 'Rules', 'Analyzers'] as const;
const VALUE_KEYWORDS = ['NULL', 'EMPTY', 'WHITESPACES_ONLY'] as const;
const DURATION_UNITS: Readonly<Record<string, DurationUnit>> = {
  minute: 'minutes',
  minutes: 'minutes',
  hour: 'hours',
  hours: 'hours',
  day: 'days',
  days: 'days',
};
type CallName = Extract<ValueExpr, { kind: 'call' }>['name'];
/** Function name → [fewest, most] arguments. */
const CALLS: Readonly<Record<CallName, readonly [number, number]>> = {
  last: [1, 1],
  avg: [1, 1],
  min: [1, 1],
  max: [1, 1],
  sum: [1, 1],
  stdev: [1, 1],
  index: [2, 2],
  abs: [1, 1],
};
const LOWERCASE_KEYWORDS = new Set(['between', 'in', 'not', 'matches', 'where', 'with', 'and', 'or']);
const CONDITION_HINT = 'a condition (=, !=, >, >=, <, <=, between, in, matches)';

type Dictionary = Readonly<Record<string, string | readonly string[]>>;

interface Operand {
  readonly node: RuleNode;
  readonly parenthesized: boolean;
  readonly start: DqdlToken;
}

class DqdlParser {
  private readonly tokens: DqdlToken[];
  private index = 0;
  /** How many `(` around the rule being parsed: `)` is then a valid follower. */
  private depth = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenizeDqdl(text);
  }

  parseRuleset(): Ruleset {
    let rules: RuleNode[] | undefined;
    let rulesToken: DqdlToken | undefined;
    let analyzers: RuleCall[] | undefined;
    let metadata: Dictionary | undefined;
    let dataSources: Dictionary | undefined;
    while (this.peek().kind !== 'eof') {
      const tok = this.peek();
      const section = tok.kind === 'identifier' ? SECTIONS.find((s) => s === tok.value) : undefined;
      if (section === undefined) {
        const suggestion = tok.kind === 'identifier' ? closestName(tok.value, SECTIONS) : undefined;
        if (suggestion !== undefined) {
          this.failAt(tok, `unknown section "${tok.value}"; did you mean "${suggestion}"? (sections: Metadata, DataSources, Rules, Analyzers)`);
        }
        this.fail(tok, 'a section such as Rules = [ … ]', rules === undefined ? '' : ' after the Rules list');
      }
      const seen = { Metadata: metadata, DataSources: dataSources, Rules: rules, Analyzers: analyzers }[section];
      if (seen !== undefined) this.failAt(tok, `the ${section} section appears twice: merge them into one`);
      this.next();
      this.expectSymbol('=', ` after ${section}`);
      switch (section) {
        case 'Metadata':
          metadata = this.parseDictionary(section);
          break;
        case 'DataSources':
          dataSources = this.parseDictionary(section);
          break;
        case 'Rules':
          rulesToken = tok;
          rules = this.parseList('a rule', () => this.parseRuleNode());
          break;
        case 'Analyzers':
          analyzers = this.parseList('an analyzer', () => this.parseCall('analyzer'));
          break;
      }
    }
    if (rules === undefined || rulesToken === undefined) {
      this.fail(this.peek(), 'a Rules = [ … ] section', '');
    }
    if (rules.length === 0 && (analyzers === undefined || analyzers.length === 0)) {
      this.failAt(rulesToken, 'the Rules list is empty: add at least one rule, e.g. Rules = [ RowCount > 0 ]');
    }
    return {
      rules,
      analyzers: analyzers ?? [],
      ...(metadata === undefined ? {} : { metadata }),
      ...(dataSources === undefined ? {} : { dataSources }),
    };
  }

  // ---- sections -------------------------------------------------------------------------------

  private parseList<T>(what: string, item: () => T): T[] {
    this.expectSymbol('[', ' after "="');
    const items: T[] = [];
    if (this.isSymbol(this.peek(), ']')) {
      this.next();
      return items;
    }
    while (true) {
      items.push(item());
      const tok = this.peek();
      if (this.isSymbol(tok, ',')) {
        this.next();
        continue;
      }
      if (this.isSymbol(tok, ']')) {
        this.next();
        return items;
      }
      this.fail(tok, '"," or "]"', ` after ${what}`);
    }
  }

  /** `{ "key": "value", "key": ["a", "b"] }`: Metadata and DataSources. */
  private parseDictionary(section: string): Dictionary {
    this.expectSymbol('{', ` after "${section} ="`);
    const entries: Record<string, string | readonly string[]> = {};
    if (this.isSymbol(this.peek(), '}')) {
      this.next();
      return entries;
    }
    while (true) {
      const key = this.expectString('a quoted key', ` in ${section}`);
      this.expectSymbol(':', ` after the key "${key}"`);
      if (this.isSymbol(this.peek(), '[')) {
        this.next();
        const values: string[] = [];
        while (true) {
          values.push(this.expectString('a quoted string', ` in the list of "${key}"`));
          if (this.isSymbol(this.peek(), ',')) {
            this.next();
            continue;
          }
          this.expectSymbol(']', ` in the list of "${key}"`, '"," or "]"');
          break;
        }
        entries[key] = values;
      } else {
        entries[key] = this.expectString('a quoted string or a [ … ] list', ` after "${key}":`);
      }
      if (this.isSymbol(this.peek(), ',')) {
        this.next();
        continue;
      }
      this.expectSymbol('}', ` in ${section}`, '"," or "}"');
      return entries;
    }
  }

  // ---- rules ----------------------------------------------------------------------------------

  /** A top-level rule or one inside parentheses: a call or a composite chain. */
  private parseRuleNode(): RuleNode {
    const first = this.parseOperand();
    const operator = this.logicalOperator(this.peek());
    if (operator === undefined) return first.node;
    const operands: Operand[] = [first];
    while (true) {
      const tok = this.peek();
      const next = this.logicalOperator(tok);
      if (next === undefined) break;
      if (next !== operator) {
        this.failAt(
          tok,
          `cannot mix "and" and "or" at one level: group with parentheses, e.g. (A) ${operator} ((B) ${next} (C))`,
        );
      }
      this.next();
      operands.push(this.parseOperand());
    }
    for (const operand of operands) {
      if (!operand.parenthesized) {
        this.failAt(
          operand.start,
          `each rule joined with "${operator}" must be in parentheses: write (${operand.node.text})`,
        );
      }
    }
    const composite: CompositeRule = {
      kind: 'composite',
      operator,
      operands: operands.map((o) => o.node),
      position: first.start.position,
      text: this.text.slice(first.start.position.offset, this.previousEnd()),
    };
    return composite;
  }

  private parseOperand(): Operand {
    const start = this.peek();
    if (!this.isSymbol(start, '(')) return { node: this.parseCall('rule'), parenthesized: false, start };
    this.next();
    this.depth++;
    const node = this.parseRuleNode();
    this.depth--;
    this.expectSymbol(')', ` to close the "(" at line ${start.position.line}, column ${start.position.column}`);
    return { node, parenthesized: true, start };
  }

  /** One rule (or analyzer): `RuleType "p"… condition? where? threshold?`. */
  private parseCall(mode: 'rule' | 'analyzer'): RuleCall {
    const tok = this.peek();
    if (tok.kind !== 'identifier') {
      this.fail(tok, mode === 'rule' ? 'a rule such as RowCount > 0' : 'an analyzer such as Completeness "email"', '');
    }
    const ruleType = RULE_TYPES.find((t) => t === tok.value);
    if (ruleType === undefined) {
      const suggestion = closestName(tok.value, RULE_TYPES);
      this.failAt(
        tok,
        `unknown rule type "${tok.value}"` +
          (suggestion === undefined ? ` (rule types: ${RULE_TYPES.join(', ')})` : `; did you mean "${suggestion}"?`),
        { expected: 'a rule type' },
      );
    }
    this.next();
    const sig = RULE_SIGNATURES[ruleType];
    if (mode === 'analyzer' && !sig.analyzer) {
      this.failAt(tok, `${ruleType} cannot be an analyzer (it has no metric to gather); move it to Rules`);
    }

    const params: string[] = [];
    while (this.peek().kind === 'string') {
      const param = this.next();
      if (params.length === sig.maxParams) {
        this.failAt(param, `${ruleType} takes ${describeParams(sig)} but got more, e.g. ${sig.example}`);
      }
      params.push(param.value);
    }
    if (params.length < sig.minParams) {
      const unquoted = this.peek().kind === 'identifier' && !this.isConditionStart(this.peek());
      this.failAt(
        unquoted ? this.peek() : tok,
        `${ruleType} takes ${describeParams(sig)} but got ${params.length}, e.g. ${sig.example}` +
          (unquoted ? ' (parameters are double-quoted)' : ''),
      );
    }
    const head = (): string => this.text.slice(tok.position.offset, this.previousEnd());

    let condition: Condition | undefined;
    if (this.isConditionStart(this.peek())) {
      const at = this.peek();
      if (mode === 'analyzer') this.failAt(at, `analyzers take no condition: write ${head()} in Analyzers, or move the rule to Rules`);
      if (sig.condition === 'forbidden') {
        this.failAt(at, `${ruleType} takes no condition (it passes or fails by itself), e.g. ${sig.example}`, {
          found: at.text,
        });
      }
      condition = this.parseCondition();
    } else if (mode === 'rule' && sig.condition === 'required') {
      this.fail(this.peek(), CONDITION_HINT, ` after ${head()}`, `; e.g. ${sig.example}`);
    }

    let where: string | undefined;
    let threshold: Condition | undefined;
    if (mode === 'rule' && this.isWord(this.peek(), 'where')) {
      const at = this.next();
      if (!sig.where) this.failAt(at, `${ruleType} does not take a where clause`);
      const predicate = this.expectString('a quoted SQL predicate', ' after "where"');
      if (predicate.trim() === '') this.failAt(at, 'the where clause is empty: write a SQL predicate, e.g. where "amount > 0"');
      where = predicate;
    }
    if (mode === 'rule' && this.isWord(this.peek(), 'with')) {
      const at = this.next();
      if (!sig.threshold) {
        this.failAt(at, `${ruleType} does not take "with threshold" (ColumnValues, ColumnLength, ColumnDataType and CustomSql do)`);
      }
      const word = this.peek();
      if (word.kind !== 'identifier' || word.value.toLowerCase() !== 'threshold') this.fail(word, '"threshold"', ' after "with"');
      this.next();
      if (ruleType === 'CustomSql' && condition !== undefined) {
        this.failAt(at, 'CustomSql takes either a condition or "with threshold" (row-level form), not both');
      }
      threshold = this.parseCondition();
    }

    this.expectRuleEnd(head(), ruleType, mode, params.length, condition !== undefined, where !== undefined, threshold !== undefined);
    return {
      kind: 'rule',
      ruleType,
      params,
      ...(condition === undefined ? {} : { condition }),
      ...(where === undefined ? {} : { where }),
      ...(threshold === undefined ? {} : { threshold }),
      position: tok.position,
      text: head(),
    };
  }

  /** After a rule only `,` `]` `)` `and` `or` may follow; otherwise say what could have. */
  private expectRuleEnd(
    head: string,
    ruleType: RuleType,
    mode: 'rule' | 'analyzer',
    paramCount: number,
    hasCondition: boolean,
    hasWhere: boolean,
    hasThreshold: boolean,
  ): void {
    const sig = RULE_SIGNATURES[ruleType];
    const tok = this.peek();
    if (this.isSymbol(tok, ',') || this.isSymbol(tok, ']') || (this.depth > 0 && this.isSymbol(tok, ')'))) return;
    if (mode === 'rule' && this.logicalOperator(tok) !== undefined) return;
    const options: string[] = [];
    if (paramCount < sig.maxParams && !hasCondition && !hasWhere && !hasThreshold) options.push('a quoted parameter');
    if (mode === 'rule') {
      if (!hasCondition && !hasWhere && !hasThreshold && sig.condition !== 'forbidden') options.push(CONDITION_HINT);
      if (!hasWhere && !hasThreshold && sig.where) options.push('"where"');
      if (!hasThreshold && sig.threshold && !(hasCondition && ruleType === 'CustomSql')) options.push('"with threshold"');
    }
    options.push('","', this.depth > 0 ? '")"' : '"]"');
    this.fail(tok, joinOr(options), ` after ${head}`);
  }

  // ---- conditions -----------------------------------------------------------------------------

  private isConditionStart(tok: DqdlToken): boolean {
    if (tok.kind === 'symbol') return COMPARE_OPERATORS.some((op) => op === tok.value);
    return this.isWord(tok, 'between', 'in', 'not', 'matches');
  }

  private parseCondition(): Condition {
    const tok = this.next();
    const op = COMPARE_OPERATORS.find((o) => tok.kind === 'symbol' && o === tok.value);
    if (op !== undefined) return { kind: 'compare', operator: op, value: this.parseValue(` after "${op}"`) };
    let negated = false;
    let word = tok;
    if (this.isWord(tok, 'not')) {
      negated = true;
      word = this.peek();
      if (!this.isWord(word, 'between', 'in', 'matches')) this.fail(word, '"between", "in" or "matches"', ' after "not"');
      this.next();
    }
    const after = negated ? `not ${word.value}` : word.value;
    if (this.isWord(word, 'between')) {
      const low = this.parseArithmetic(` after "${after}"`);
      const and = this.peek();
      if (!this.isWord(and, 'and', 'AND')) this.fail(and, '"and"', ` in "${after} … and …"`);
      this.next();
      const high = this.parseArithmetic(' after "and"');
      return { kind: 'between', negated, low, high };
    }
    if (this.isWord(word, 'in')) {
      this.expectSymbol('[', ` after "${after}"`);
      const values: ValueExpr[] = [];
      while (true) {
        values.push(this.parseValue(values.length === 0 ? ' after "["' : ' after ","'));
        if (this.isSymbol(this.peek(), ',')) {
          this.next();
          continue;
        }
        this.expectSymbol(']', ` in the list after "${after}"`, '"," or "]"');
        return { kind: 'in', negated, values };
      }
    }
    const pattern = this.expectString('a quoted regular expression', ` after "${after}"`);
    return { kind: 'matches', negated, pattern };
  }

  // ---- values ---------------------------------------------------------------------------------

  /** A condition operand: a keyword (NULL, EMPTY, WHITESPACES_ONLY) or an arithmetic expression. */
  private parseValue(context: string): ValueExpr {
    const tok = this.peek();
    const keyword = tok.kind === 'identifier' ? VALUE_KEYWORDS.find((k) => k === tok.value.toUpperCase()) : undefined;
    if (keyword !== undefined && (tok.value === keyword || tok.value === keyword.toLowerCase())) {
      this.next();
      return { kind: 'keyword', keyword };
    }
    return this.parseArithmetic(context);
  }

  private parseArithmetic(context: string): ValueExpr {
    let left = this.parseTerm(context);
    while (this.isSymbol(this.peek(), '+') || this.isSymbol(this.peek(), '-')) {
      const op = this.next().value as '+' | '-';
      left = { kind: 'binary', operator: op, left, right: this.parseTerm(` after "${op}"`) };
    }
    return left;
  }

  private parseTerm(context: string): ValueExpr {
    let left = this.parseUnary(context);
    while (this.isSymbol(this.peek(), '*') || this.isSymbol(this.peek(), '/')) {
      const op = this.next().value as '*' | '/';
      left = { kind: 'binary', operator: op, left, right: this.parseUnary(` after "${op}"`) };
    }
    return left;
  }

  private parseUnary(context: string): ValueExpr {
    if (!this.isSymbol(this.peek(), '-')) return this.parsePrimary(context);
    this.next();
    const operand = this.parseUnary(' after "-"');
    if (operand.kind === 'number') return { kind: 'number', value: -operand.value };
    return { kind: 'binary', operator: '-', left: { kind: 'number', value: 0 }, right: operand };
  }

  private parsePrimary(context: string): ValueExpr {
    const tok = this.peek();
    if (tok.kind === 'number') {
      this.next();
      const amount = Number(tok.value);
      const unitToken = this.peek();
      const unit = unitToken.kind === 'identifier' ? DURATION_UNITS[unitToken.value] : undefined;
      if (unit === undefined) return { kind: 'number', value: amount };
      this.next();
      return { kind: 'duration', amount, unit };
    }
    if (tok.kind === 'string') {
      this.next();
      return { kind: 'string', value: tok.value };
    }
    if (this.isSymbol(tok, '(')) {
      this.next();
      const inner = this.parseArithmetic(' after "("');
      this.expectSymbol(')', ` to close the "(" at line ${tok.position.line}, column ${tok.position.column}`);
      return inner;
    }
    if (tok.kind === 'identifier' && this.isSymbol(this.peek(1), '(')) return this.parseFunctionCall(tok);
    if (tok.kind === 'identifier' && VALUE_KEYWORDS.some((k) => k === tok.value.toUpperCase())) {
      this.failAt(tok, `${tok.value} can only be compared with = or != or listed in in [ … ], not used in arithmetic or between`);
    }
    return this.fail(tok, 'a number, a string or now()', context);
  }

  /** `now()`, `last(10)`, `avg(last(10))`, `index(last(5), 0)`, `abs(…)`. */
  private parseFunctionCall(nameToken: DqdlToken): ValueExpr {
    const name = nameToken.value;
    this.next();
    this.next(); // "("
    if (name === 'now') {
      this.expectSymbol(')', ' after "now("', '")" (now() takes no arguments)');
      return { kind: 'now' };
    }
    const callName = (Object.keys(CALLS) as CallName[]).find((n) => n === name);
    if (callName === undefined) {
      const suggestion = closestName(name, ['now', ...Object.keys(CALLS)]);
      this.failAt(
        nameToken,
        `unknown function "${name}"` +
          (suggestion === undefined ? '' : `; did you mean "${suggestion}"?`) +
          ' (functions: now, last, avg, min, max, sum, stdev, index, abs)',
      );
    }
    const args: ValueExpr[] = [];
    if (!this.isSymbol(this.peek(), ')')) {
      while (true) {
        args.push(this.parseArithmetic(args.length === 0 ? ` after "${name}("` : ' after ","'));
        if (!this.isSymbol(this.peek(), ',')) break;
        this.next();
      }
    }
    this.expectSymbol(')', ` to close "${name}("`, '"," or ")"');
    const [fewest, most] = CALLS[callName];
    if (args.length < fewest || args.length > most) {
      const usage = callName === 'index' ? 'index(last(10), 0)' : callName === 'last' ? 'last(10)' : `${callName}(last(10))`;
      this.failAt(nameToken, `${callName} takes ${fewest === 1 ? 'one argument' : `${fewest} arguments`} but got ${args.length}, e.g. ${usage}`);
    }
    const first = args[0];
    if (callName === 'last' && (first?.kind !== 'number' || !Number.isInteger(first.value) || first.value < 1)) {
      this.failAt(nameToken, 'last(k) needs a whole number of past runs k >= 1, e.g. last(10)');
    }
    return { kind: 'call', name: callName, args };
  }

  // ---- token helpers --------------------------------------------------------------------------

  private peek(ahead = 0): DqdlToken {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as DqdlToken;
  }

  private next(): DqdlToken {
    const tok = this.peek();
    if (tok.kind !== 'eof') this.index++;
    return tok;
  }

  private previousEnd(): number {
    return this.tokens[this.index - 1]?.end ?? 0;
  }

  private isSymbol(tok: DqdlToken, symbol: string): boolean {
    return tok.kind === 'symbol' && tok.value === symbol;
  }

  private isWord(tok: DqdlToken, ...words: string[]): boolean {
    return tok.kind === 'identifier' && words.includes(tok.value);
  }

  private logicalOperator(tok: DqdlToken): 'and' | 'or' | undefined {
    if (this.isWord(tok, 'and', 'AND')) return 'and';
    if (this.isWord(tok, 'or', 'OR')) return 'or';
    return undefined;
  }

  private expectSymbol(symbol: string, context: string, expected = `"${symbol}"`): DqdlToken {
    const tok = this.peek();
    if (!this.isSymbol(tok, symbol)) this.fail(tok, expected, context);
    return this.next();
  }

  private expectString(expected: string, context: string): string {
    const tok = this.peek();
    if (tok.kind !== 'string') this.fail(tok, expected, context);
    return this.next().value;
  }

  /** `line L, column C: expected <expected><context> but found <tok><hint>`. */
  private fail(tok: DqdlToken, expected: string, context: string, hint = ''): never {
    const lower = tok.value.toLowerCase();
    const caseHint =
      tok.kind === 'identifier' && lower !== tok.value && LOWERCASE_KEYWORDS.has(lower)
        ? ` (DQDL keywords are lowercase: "${lower}")`
        : '';
    const { line, column, offset } = tok.position;
    throw new StrataError(
      'DQDL_SYNTAX_ERROR',
      `line ${line}, column ${column}: expected ${expected}${context} but found ${describeToken(tok)}${caseHint}${hint}`,
      { line, column, offset, found: tok.kind === 'eof' ? '<end>' : tok.text, expected },
    );
  }

  private failAt(tok: DqdlToken, message: string, extra: Record<string, unknown> = {}): never {
    const { line, column, offset } = tok.position;
    throw new StrataError('DQDL_SYNTAX_ERROR', `line ${line}, column ${column}: ${message}`, {
      line,
      column,
      offset,
      found: tok.kind === 'eof' ? '<end>' : tok.text,
      ...extra,
    });
  }
}

function describeToken(tok: DqdlToken): string {
  if (tok.kind === 'eof') return 'the end of the ruleset';
  if (tok.kind === 'string') return `the string ${tok.text.length > 40 ? `${tok.text.slice(0, 37)}…"` : tok.text}`;
  return `"${tok.text}"`;
}

function joinOr(options: readonly string[]): string {
  if (options.length <= 1) return options.join('');
  return `${options.slice(0, -1).join(', ')} or ${options[options.length - 1] ?? ''}`;
}
