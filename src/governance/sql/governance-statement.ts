/**
 * The governance statements of Strata's SQL — GRANT, REVOKE and SHOW GRANTS — parsed into the
 * policy model (`Privilege`, `Securable`, `Grantee`). Hand-written like `src/sql/statements.ts`,
 * because DuckDB's parser has no such statements.
 *
 *   GRANT SELECT (msisdn, region) ON TABLE telco.calls TO GROUP analysts
 *   GRANT ALL PRIVILEGES ON DATABASE ads TO USER alice WITH GRANT OPTION
 *   GRANT SELECT ON TAGS domain=ads AND pii IN (none, low) TO ROLE reader
 *   REVOKE GRANT OPTION FOR INSERT ON ads.clicks FROM "etl-nightly"
 *   SHOW GRANTS TO USER alice ON DATABASE ads
 *
 * Names (databases, tables, columns, grantees) come back lowercased, quoted or not, because the
 * model compares them case-insensitively. Grantee names may contain `.`, `@` and `-` unquoted
 * (`TO alice@example.com`). Without USER/PRINCIPAL/GROUP/ROLE the grantee is a principal.
 *
 * Gotchas:
 * - `ALL [PRIVILEGES]` is every privilege except ADMIN: ADMIN also lets its holder grant and
 *   revoke, so it is never granted by accident.
 * - After `ON TAGS`, the text up to the grantee's `TO` (or `FROM`) is a tag expression, read by
 *   `parseTagExpression`. A tag key or value spelled `to`/`from`/`for` works next to `=` or
 *   inside `IN (…)`; elsewhere quote it (`'to'`).
 * - A column list is allowed with SELECT alone and a table target: `GRANT SELECT (a, b) ON db.t`
 *   returns one `column` securable per column.
 * - The parser checks syntax only. Whether the securable exists, whether a privilege makes sense
 *   on it (CREATE_TABLE on a table) and who may grant are the policy store's business.
 */
import { StrataError } from '../../core/index.ts';
import { identifierValue, significant, tokenize, type Token } from '../../core/index.ts';
import { validateName } from '../identity/index.ts';
import { PRIVILEGES, type Grantee, type Privilege, type Securable, type TagExpression } from '../model.ts';
import { parseTagExpression } from '../tags/tag-expression.ts';

export type GovernanceStatement =
  | { kind: 'grant'; privileges: Privilege[]; securables: Securable[]; grantee: Grantee; withGrantOption: boolean }
  | { kind: 'revoke'; privileges: Privilege[]; securables: Securable[]; grantee: Grantee; grantOptionOnly: boolean }
  | { kind: 'showGrants'; grantee?: Grantee; on?: Securable };

/** What `ALL [PRIVILEGES]` stands for. */
export const ALL_PRIVILEGES: readonly Privilege[] = PRIVILEGES.filter((p) => p !== 'ADMIN');

/**
 * Parses one statement (a trailing `;` is allowed). `undefined` when the text is not a
 * governance statement (does not start with GRANT, REVOKE or SHOW GRANTS); `SQL_ERROR` with
 * `details.position` when it is one but malformed.
 */
export function parseGovernanceStatement(sql: string): GovernanceStatement | undefined {
  return new GovernanceParser(sql).parse();
}

const PRIVILEGE_HINT = 'a privilege (SELECT, INSERT, DELETE, ALTER, DROP, CREATE TABLE, DESCRIBE, ADMIN or ALL)';
const TARGET_HINT = 'CATALOG, DATABASE db, SCHEMA db, [TABLE] db.table or TAGS <tag expression>';
const GRANTEE_KINDS: Readonly<Record<string, Grantee['kind']>> = { USER: 'principal', PRINCIPAL: 'principal', GROUP: 'group', ROLE: 'role' };
/** Words that end a clause; as bare names they would read as a typo, so they must be quoted. */
const CLAUSE_WORDS = new Set(['ON', 'TO', 'FROM', 'FOR', 'WITH']);
/** Punctuation a bare grantee name may contain (`etl-nightly`, `alice@example.com`). */
const NAME_PUNCT = new Set(['.', '@', '-']);

class GovernanceParser {
  readonly #sql: string;
  readonly #all: Token[];
  readonly #tokens: Token[];
  #at = 0;

  constructor(sql: string) {
    this.#sql = sql;
    this.#all = tokenize(sql);
    const tokens = significant(this.#all);
    if (tokens.at(-1)?.text === ';') tokens.pop();
    this.#tokens = tokens;
  }

  parse(): GovernanceStatement | undefined {
    const first = this.#upper(0);
    if (first === 'GRANT') return this.#grant();
    if (first === 'REVOKE') return this.#revoke();
    if (first === 'SHOW' && this.#upper(1) === 'GRANTS') return this.#showGrants();
    return undefined;
  }

  #grant(): GovernanceStatement {
    this.#at = 1;
    const { privileges, columns } = this.#privileges();
    this.#expectKeyword('ON', 'expected ON');
    const securables = this.#securables(columns, ['TO']);
    this.#expectKeyword('TO', 'expected TO and the grantee');
    const grantee = this.#grantee();
    const withGrantOption = this.#keywords('WITH');
    if (withGrantOption && !this.#keywords('GRANT', 'OPTION')) throw this.#error('expected GRANT OPTION after WITH');
    this.#end(withGrantOption ? 'expected the end of the statement' : 'expected WITH GRANT OPTION or the end of the statement');
    return { kind: 'grant', privileges, securables, grantee, withGrantOption };
  }

  #revoke(): GovernanceStatement {
    this.#at = 1;
    const grantOptionOnly = this.#keywords('GRANT');
    if (grantOptionOnly && !this.#keywords('OPTION', 'FOR')) throw this.#error('expected OPTION FOR after REVOKE GRANT');
    const { privileges, columns } = this.#privileges();
    this.#expectKeyword('ON', 'expected ON');
    const securables = this.#securables(columns, ['FROM']);
    this.#expectKeyword('FROM', 'expected FROM and the grantee');
    const grantee = this.#grantee();
    this.#end('expected the end of the statement');
    return { kind: 'revoke', privileges, securables, grantee, grantOptionOnly };
  }

  #showGrants(): GovernanceStatement {
    this.#at = 2;
    let grantee: Grantee | undefined;
    let on: Securable | undefined;
    for (;;) {
      const clause = this.#tokens[this.#at];
      if (this.#keywords('TO') || this.#keywords('FOR')) {
        if (grantee) throw this.#error('SHOW GRANTS names one grantee', clause);
        grantee = this.#grantee();
      } else if (this.#keywords('ON')) {
        if (on) throw this.#error('SHOW GRANTS names one securable', clause);
        on = this.#target(['TO', 'FOR'], false);
      } else break;
    }
    this.#end('expected TO <grantee>, ON <securable> or the end of the statement');
    return { kind: 'showGrants', ...(grantee ? { grantee } : {}), ...(on ? { on } : {}) };
  }

  /** `priv [, priv …] [(col, …)]`, privileges de-duplicated in order of first mention. */
  #privileges(): { privileges: Privilege[]; columns: string[] | undefined } {
    const privileges = new Set<Privilege>();
    do for (const p of this.#privilege()) privileges.add(p);
    while (this.#punct(','));
    let columns: string[] | undefined;
    const open = this.#tokens[this.#at];
    if (this.#punct('(')) {
      if (privileges.size !== 1 || !privileges.has('SELECT')) {
        throw this.#error('a column list is allowed only with SELECT alone; grant other privileges on the table', open);
      }
      const names: string[] = [];
      do names.push(this.#identifier('a column name'));
      while (this.#punct(','));
      this.#expectPunct(')', 'expected "," or ")" in the column list');
      columns = [...new Set(names)];
    } else if (this.#upper(this.#at) !== 'ON') {
      throw this.#error('expected ",", a column list "(…)" or ON');
    }
    return { privileges: [...privileges], columns };
  }

  #privilege(): readonly Privilege[] {
    const word = this.#upper(this.#at);
    if (word === 'ALL') {
      this.#at++;
      this.#keywords('PRIVILEGES');
      return ALL_PRIVILEGES;
    }
    if (word === 'CREATE') {
      this.#at++;
      if (!this.#keywords('TABLE')) throw this.#error('expected TABLE after CREATE (the privilege is CREATE TABLE or CREATE_TABLE)');
      return ['CREATE_TABLE'];
    }
    const privilege = PRIVILEGES.find((p) => p === word);
    if (privilege === undefined) throw this.#error(`expected ${PRIVILEGE_HINT}`);
    this.#at++;
    return [privilege];
  }

  /** The target, as one securable or (with a column list) one `column` securable per column. */
  #securables(columns: readonly string[] | undefined, terminators: readonly string[]): Securable[] {
    const start = this.#tokens[this.#at];
    const target = this.#target(terminators, true);
    if (columns === undefined) return [target];
    if (target.kind !== 'table') throw this.#error('a column list needs a table target: ON [TABLE] db.table', start);
    return columns.map((column) => ({ kind: 'column', database: target.database, table: target.table, column }));
  }

  /**
   * `CATALOG | DATABASE db | SCHEMA db | [TABLE] db.t | TAGS expr`. A keyword followed by `.` is
   * a name instead (`ON tags.events` is a table in the database `tags`).
   */
  #target(terminators: readonly string[], terminatorRequired: boolean): Securable {
    const keyword = this.#tokens[this.#at + 1]?.text === '.' ? '' : this.#upper(this.#at);
    switch (keyword) {
      case 'CATALOG':
        this.#at++;
        return { kind: 'catalog' };
      case 'DATABASE':
      case 'SCHEMA':
        this.#at++;
        return { kind: 'database', database: this.#identifier('a database name') };
      case 'TABLE':
        this.#at++;
        return this.#table();
      case 'TAGS':
        this.#at++;
        return { kind: 'tags', expression: this.#tagExpression(terminators, terminatorRequired) };
    }
    const name = this.#tokens[this.#at];
    if (!this.#isName(name)) throw this.#error(`expected ${TARGET_HINT}`);
    if (this.#tokens[this.#at + 1]?.text !== '.') {
      const value = identifierValue(name).toLowerCase();
      throw this.#error(`expected ${TARGET_HINT}; write DATABASE ${value} for the database or ${value}.table for a table`);
    }
    return this.#table();
  }

  #table(): Securable {
    const database = this.#identifier('a table name (db.table)');
    this.#expectPunct('.', 'expected "." and the table name (db.table)');
    const table = this.#identifier('a table name');
    if (this.#tokens[this.#at]?.text === '.') {
      throw this.#error('a table name has two parts (db.table); grant columns with SELECT (col, …) ON db.table');
    }
    return { kind: 'table', database, table };
  }

  /**
   * The tag expression after TAGS: the text up to the first terminator keyword at parenthesis
   * depth 0 that is not a key or value (not next to `=`, not before IN), comments blanked out so
   * positions stay aligned, parsed by `parseTagExpression`.
   */
  #tagExpression(terminators: readonly string[], terminatorRequired: boolean): TagExpression {
    const first = this.#at;
    let end = first;
    let depth = 0;
    for (; end < this.#tokens.length; end++) {
      const token = this.#tokens[end];
      if (token?.text === '(') depth++;
      else if (token?.text === ')') depth--;
      else if (depth === 0 && terminators.includes(this.#upper(end))) {
        const before = this.#tokens[end - 1]?.text;
        const after = this.#tokens[end + 1];
        if (before !== '=' && after?.text !== '=' && this.#upper(end + 1) !== 'IN') break;
      }
    }
    const startToken = this.#tokens[first];
    if (end === first || !startToken) throw this.#error('expected a tag expression after TAGS, e.g. TAGS domain=ads');
    const missing = end === this.#tokens.length && terminatorRequired;
    const expected = `${terminators.join(' or ')} and the grantee`;
    const lastToken = this.#tokens[end - 1] ?? startToken;
    const offset = startToken.start;
    let text = this.#sql.slice(offset, lastToken.end);
    for (const t of this.#all) {
      if (t.kind === 'comment' && t.start >= offset && t.end <= lastToken.end) {
        text = text.slice(0, t.start - offset) + ' '.repeat(t.end - t.start) + text.slice(t.end - offset);
      }
    }
    let expression: TagExpression;
    try {
      expression = parseTagExpression(text);
    } catch (error) {
      if (!StrataError.is(error, 'INVALID_ARGUMENT')) throw error;
      const inner = typeof error.details['position'] === 'number' ? error.details['position'] : 0;
      // Running out of expression points at what follows it (the TO), not at the gap before it.
      const position = inner >= text.length ? (this.#tokens[end]?.start ?? this.#sql.length) : offset + inner;
      const hint = missing ? `; after the expression, expected ${expected}` : '';
      throw new StrataError('SQL_ERROR', `${error.message}${hint} (statement position ${position})`, { position, errorType: 'Parser' });
    }
    if (missing) throw this.#error(`expected ${expected} after the tag expression`, undefined, this.#sql.length);
    this.#at = end;
    return expression;
  }

  /** `[USER|PRINCIPAL|GROUP|ROLE] name`; a kind word followed by nothing (or WITH GRANT) is the name. */
  #grantee(): Grantee {
    let kind: Grantee['kind'] = 'principal';
    const word = this.#upper(this.#at);
    const kindWord = GRANTEE_KINDS[word];
    const next = this.#tokens[this.#at + 1];
    const nameFollows = this.#isName(next) && !(this.#upper(this.#at + 1) === 'WITH' && this.#upper(this.#at + 2) === 'GRANT');
    if (kindWord !== undefined && nameFollows) {
      kind = kindWord;
      this.#at++;
    }
    const start = this.#tokens[this.#at];
    const name = this.#granteeName();
    try {
      validateName(kind === 'principal' ? 'principal' : kind, name);
    } catch (error) {
      if (!StrataError.is(error, 'INVALID_ARGUMENT')) throw error;
      throw this.#error(error.message, start);
    }
    return { kind, name };
  }

  /** A quoted name, or a bare run of words joined by `.`, `@`, `-` with no space between. */
  #granteeName(): string {
    const first = this.#tokens[this.#at];
    if (!this.#isName(first) || (first.kind === 'word' && CLAUSE_WORDS.has(first.text.toUpperCase()))) {
      throw this.#error('expected a grantee: [USER|PRINCIPAL|GROUP|ROLE] name');
    }
    this.#at++;
    if (first.kind === 'quoted') return this.#nonEmpty(identifierValue(first), first).toLowerCase();
    let name = first.text;
    let end = first.end;
    for (;;) {
      const t = this.#tokens[this.#at];
      if (!t || t.start !== end) break;
      if (!(t.kind === 'word' || t.kind === 'number' || (t.kind === 'punct' && NAME_PUNCT.has(t.text)))) break;
      name += t.text;
      end = t.end;
      this.#at++;
    }
    return name.toLowerCase();
  }

  #identifier(what: string): string {
    const t = this.#tokens[this.#at];
    if (!this.#isName(t) || (t.kind === 'word' && CLAUSE_WORDS.has(t.text.toUpperCase()))) throw this.#error(`expected ${what}`);
    this.#at++;
    return this.#nonEmpty(identifierValue(t), t).toLowerCase();
  }

  #nonEmpty(value: string, token: Token): string {
    if (value.length === 0) throw this.#error('expected a name, not an empty quoted identifier', token);
    return value;
  }

  #isName(token: Token | undefined): token is Token {
    return token !== undefined && (token.kind === 'word' || (token.kind === 'quoted' && token.text.length >= 2 && token.text.endsWith('"')));
  }

  #upper(at: number): string {
    const t = this.#tokens[at];
    return t?.kind === 'word' ? t.text.toUpperCase() : '';
  }

  /** Consume the keyword sequence if it is next; true when it was. */
  #keywords(...words: string[]): boolean {
    if (words.every((w, i) => this.#upper(this.#at + i) === w)) {
      this.#at += words.length;
      return true;
    }
    return false;
  }

  #expectKeyword(word: string, message: string): void {
    if (!this.#keywords(word)) throw this.#error(message);
  }

  #punct(p: string): boolean {
    if (this.#tokens[this.#at]?.text === p) {
      this.#at++;
      return true;
    }
    return false;
  }

  #expectPunct(p: string, message: string): void {
    if (!this.#punct(p)) throw this.#error(message);
  }

  #end(message: string): void {
    if (this.#at < this.#tokens.length) throw this.#error(message);
  }

  /** SQL_ERROR at `token` (default: the current one) or at `position`; says what is there. */
  #error(message: string, token: Token | undefined = this.#tokens[this.#at], position?: number): StrataError {
    const at = position ?? token?.start ?? this.#sql.length;
    const near = token && position === undefined ? ` near "${token.text}"` : ' at the end';
    return new StrataError('SQL_ERROR', `${message}${near} (position ${at})`, { position: at, errorType: 'Parser' });
  }
}
