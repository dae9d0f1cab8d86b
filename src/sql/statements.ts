/**
 * The statement classifier: recognises Strata's own (non-SELECT) statements from their leading
 * keywords and pulls out their parts; everything else is a `query` that DuckDB runs after table
 * references are resolved. Hand-written because DuckDB's `json_serialize_sql` serialises SELECT
 * statements only, and these forms (PARTITIONED BY, INSERT OVERWRITE, PURGE) are not DuckDB's.
 */
import { StrataError } from '../core/index.ts';
import type { PartitionFieldInput } from '../catalog/index.ts';
import { identifierValue, significant, tokenize, type Token } from '../core/index.ts';

export interface TableName {
  readonly database: string;
  readonly table: string;
  /** Offset of the name in the statement. */
  readonly position: number;
}

export interface ColumnDef {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
}

export type AlterAction =
  | { readonly kind: 'add'; readonly column: ColumnDef }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string }
  | { readonly kind: 'drop'; readonly column: string }
  | { readonly kind: 'type'; readonly column: string; readonly type: string };

export type Statement =
  | { readonly kind: 'query'; readonly sql: string }
  /** EXPLAIN [ANALYZE] of a query: the plan of the rewritten statement, with the rewrite shown. */
  | { readonly kind: 'explain'; readonly analyze: boolean; readonly query: { readonly sql: string; readonly offset: number } }
  | { readonly kind: 'createDatabase'; readonly name: string; readonly ifNotExists: boolean }
  | { readonly kind: 'dropDatabase'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'showDatabases' }
  | { readonly kind: 'showTables'; readonly database?: string }
  | { readonly kind: 'describe'; readonly table: TableName }
  | {
      readonly kind: 'createTable';
      readonly table: TableName;
      readonly ifNotExists: boolean;
      readonly columns?: readonly ColumnDef[];
      readonly partitionBy: readonly PartitionFieldInput[];
      /** CTAS source query text and its offset in the statement. */
      readonly asSelect?: { readonly sql: string; readonly offset: number };
    }
  | {
      readonly kind: 'insert';
      readonly table: TableName;
      readonly overwrite: boolean;
      readonly columns?: readonly string[];
      readonly source: { readonly sql: string; readonly offset: number };
    }
  | { readonly kind: 'delete'; readonly table: TableName; readonly where?: { readonly sql: string; readonly offset: number } }
  | { readonly kind: 'alterTable'; readonly table: TableName; readonly action: AlterAction }
  | { readonly kind: 'dropTable'; readonly table: TableName; readonly ifExists: boolean; readonly purge: boolean };

/** Classify and parse one statement (no trailing `;`). */
export function parseStatement(sql: string): Statement {
  return new StatementParser(sql).parse();
}

class StatementParser {
  readonly #sql: string;
  readonly #tokens: Token[];
  #at = 0;

  constructor(sql: string) {
    this.#sql = sql;
    this.#tokens = significant(tokenize(sql));
  }

  parse(): Statement {
    const first = this.#upper(0);
    const second = this.#upper(1);
    if (first === 'CREATE' && (second === 'DATABASE' || second === 'SCHEMA')) {
      this.#at = 2;
      const ifNotExists = this.#keywords('IF', 'NOT', 'EXISTS');
      return this.#end({ kind: 'createDatabase', name: this.#identifier('a database name'), ifNotExists });
    }
    if (first === 'DROP' && (second === 'DATABASE' || second === 'SCHEMA')) {
      this.#at = 2;
      const ifExists = this.#keywords('IF', 'EXISTS');
      return this.#end({ kind: 'dropDatabase', name: this.#identifier('a database name'), ifExists });
    }
    if (first === 'SHOW' && (second === 'DATABASES' || second === 'SCHEMAS')) {
      this.#at = 2;
      return this.#end({ kind: 'showDatabases' });
    }
    if (first === 'SHOW' && second === 'TABLES') {
      this.#at = 2;
      if (this.#keywords('IN') || this.#keywords('FROM')) return this.#end({ kind: 'showTables', database: this.#identifier('a database name') });
      return this.#end({ kind: 'showTables' });
    }
    if ((first === 'DESCRIBE' || first === 'DESC') && this.#isTableName(this.#upper(1) === 'TABLE' ? 2 : 1)) {
      this.#at = this.#upper(1) === 'TABLE' ? 2 : 1;
      return this.#end({ kind: 'describe', table: this.#tableName() });
    }
    if (first === 'EXPLAIN') {
      this.#at = 1;
      const analyze = this.#keywords('ANALYZE');
      return { kind: 'explain', analyze, query: this.#rest() };
    }
    if (first === 'CREATE' && second === 'TABLE') return this.#createTable();
    if (first === 'INSERT') return this.#insert();
    if (first === 'DELETE' && second === 'FROM') {
      this.#at = 2;
      const table = this.#tableName();
      if (this.#at >= this.#tokens.length) return { kind: 'delete', table };
      this.#expectKeyword('WHERE');
      return { kind: 'delete', table, where: this.#rest() };
    }
    if (first === 'ALTER' && second === 'TABLE') return this.#alter();
    if (first === 'DROP' && second === 'TABLE') {
      this.#at = 2;
      const ifExists = this.#keywords('IF', 'EXISTS');
      const table = this.#tableName();
      const purge = this.#keywords('PURGE');
      return this.#end({ kind: 'dropTable', table, ifExists, purge });
    }
    return { kind: 'query', sql: this.#sql };
  }

  #createTable(): Statement {
    this.#at = 2;
    const ifNotExists = this.#keywords('IF', 'NOT', 'EXISTS');
    const table = this.#tableName();
    let columns: ColumnDef[] | undefined;
    if (this.#punct('(')) columns = this.#columnDefs();
    const partitionBy = this.#keywords('PARTITIONED', 'BY') ? this.#partitionFields() : [];
    if (this.#keywords('AS')) {
      if (columns) throw this.#error('CREATE TABLE … AS SELECT takes its columns from the query; drop the column list');
      return { kind: 'createTable', table, ifNotExists, partitionBy, asSelect: this.#rest() };
    }
    if (!columns) throw this.#error('CREATE TABLE needs a column list (col type, …) or AS SELECT …');
    return this.#end({ kind: 'createTable', table, ifNotExists, columns, partitionBy });
  }

  #insert(): Statement {
    this.#at = 1;
    let overwrite = false;
    if (this.#keywords('OVERWRITE')) {
      overwrite = true;
      this.#keywords('TABLE');
    } else if (!this.#keywords('INTO')) throw this.#error('expected INSERT INTO or INSERT OVERWRITE');
    const table = this.#tableName();
    let columns: string[] | undefined;
    if (this.#punct('(') && !['SELECT', 'WITH', 'VALUES', 'FROM'].includes(this.#upper(this.#at))) {
      columns = [];
      do columns.push(this.#identifier('a column name'));
      while (this.#punct(','));
      this.#expectPunct(')');
    } else if (this.#tokens[this.#at - 1]?.text === '(' && this.#at > 0) {
      this.#at--; // `INSERT INTO t (SELECT …)`: the parenthesis belongs to the query
    }
    return { kind: 'insert', table, overwrite, ...(columns ? { columns } : {}), source: this.#rest() };
  }

  #alter(): Statement {
    this.#at = 2;
    const table = this.#tableName();
    let action: AlterAction;
    if (this.#keywords('ADD')) {
      this.#keywords('COLUMN');
      action = { kind: 'add', column: this.#columnDef() };
    } else if (this.#keywords('RENAME')) {
      this.#keywords('COLUMN');
      const from = this.#identifier('a column name');
      this.#expectKeyword('TO');
      action = { kind: 'rename', from, to: this.#identifier('the new column name') };
    } else if (this.#keywords('DROP')) {
      this.#keywords('COLUMN');
      action = { kind: 'drop', column: this.#identifier('a column name') };
    } else if (this.#keywords('ALTER')) {
      this.#keywords('COLUMN');
      const column = this.#identifier('a column name');
      if (!this.#keywords('SET', 'DATA', 'TYPE')) this.#expectKeyword('TYPE');
      action = { kind: 'type', column, type: this.#typeText() };
    } else {
      throw this.#error('ALTER TABLE supports ADD COLUMN, RENAME COLUMN, DROP COLUMN and ALTER COLUMN … TYPE');
    }
    return this.#end({ kind: 'alterTable', table, action });
  }

  #columnDefs(): ColumnDef[] {
    const columns: ColumnDef[] = [];
    do columns.push(this.#columnDef());
    while (this.#punct(','));
    this.#expectPunct(')');
    return columns;
  }

  #columnDef(): ColumnDef {
    const name = this.#identifier('a column name');
    const type = this.#typeText();
    const required = this.#keywords('NOT', 'NULL');
    return { name, type, required };
  }

  /** The text of a type, up to a top-level `,`, `)`, NOT NULL or the end. */
  #typeText(): string {
    const start = this.#tokens[this.#at];
    if (!start) throw this.#error('expected a type');
    let depth = 0;
    let end = start.end;
    while (this.#at < this.#tokens.length) {
      const t = this.#tokens[this.#at];
      if (!t) break;
      if (depth === 0 && (t.text === ',' || t.text === ')')) break;
      if (depth === 0 && t.kind === 'word' && t.text.toUpperCase() === 'NOT' && this.#upper(this.#at + 1) === 'NULL') break;
      if (t.text === '(' || t.text === '[') depth++;
      if (t.text === ')' || t.text === ']') depth--;
      end = t.end;
      this.#at++;
    }
    return this.#sql.slice(start.start, end);
  }

  #partitionFields(): PartitionFieldInput[] {
    this.#expectPunct('(');
    const fields: PartitionFieldInput[] = [];
    do {
      const name = this.#identifier('a column or transform');
      if (this.#punct('(')) {
        const transform = name.toLowerCase().replace(/s$/, '');
        if (transform === 'bucket' || transform === 'truncate') {
          const width = this.#tokens[this.#at];
          if (width?.kind !== 'number') throw this.#error(`${transform}(N, column) needs a number N`);
          this.#at++;
          this.#expectPunct(',');
          fields.push({ source: this.#identifier('a column name'), transform: `${transform}[${width.text}]` });
        } else if (['year', 'month', 'day', 'hour', 'identity'].includes(transform)) {
          fields.push({ source: this.#identifier('a column name'), transform });
        } else {
          throw this.#error(`unknown partition transform ${name}; use identity, year, month, day, hour, bucket(N, col) or truncate(N, col)`);
        }
        this.#expectPunct(')');
      } else {
        fields.push({ source: name, transform: 'identity' });
      }
    } while (this.#punct(','));
    this.#expectPunct(')');
    return fields;
  }

  #isTableName(at: number): boolean {
    return this.#tokens[at + 1]?.text === '.';
  }

  #tableName(): TableName {
    const first = this.#tokens[this.#at];
    const database = this.#identifier('a table name (db.table)');
    if (!this.#punct('.')) {
      throw new StrataError(
        'INVALID_ARGUMENT',
        `Name the database of table ${database} (at position ${first?.start ?? 0}): write db.${database}`,
        { table: database, position: first?.start ?? 0 },
      );
    }
    const table = this.#identifier('a table name');
    return { database, table, position: first?.start ?? 0 };
  }

  #identifier(what: string): string {
    const t = this.#tokens[this.#at];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted')) throw this.#error(`expected ${what}`);
    this.#at++;
    return identifierValue(t);
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

  #expectKeyword(word: string): void {
    if (!this.#keywords(word)) throw this.#error(`expected ${word}`);
  }

  #punct(p: string): boolean {
    if (this.#tokens[this.#at]?.text === p) {
      this.#at++;
      return true;
    }
    return false;
  }

  #expectPunct(p: string): void {
    if (!this.#punct(p)) throw this.#error(`expected "${p}"`);
  }

  #rest(): { sql: string; offset: number } {
    const t = this.#tokens[this.#at];
    if (!t) throw this.#error('expected a query');
    this.#at = this.#tokens.length;
    return { sql: this.#sql.slice(t.start), offset: t.start };
  }

  #end<S extends Statement>(statement: S): S {
    if (this.#at < this.#tokens.length) throw this.#error('unexpected text');
    return statement;
  }

  #error(message: string): StrataError {
    const t = this.#tokens[this.#at];
    const position = t?.start ?? this.#sql.length;
    const near = t ? ` near "${t.text}"` : ' at the end';
    return new StrataError('SQL_ERROR', `${message}${near} (position ${position})`, { position, errorType: 'Parser' });
  }
}
