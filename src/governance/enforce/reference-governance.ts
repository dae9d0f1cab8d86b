/**
 * The contract between query resolution (src/sql/table-refs.ts) and the governance plane: the
 * hooks a governor implements to refuse what it cannot see through and to replace each table
 * reference with its governed relation. Defined here, on governance's side, so the SQL plane
 * depends on governance and not the other way round.
 */
import type { Schema, Table } from '../../table/index.ts';

type AstNode = Readonly<Record<string, unknown>>;

/**
 * The hooks through which the governance plane checks and rewrites a query (src/governance/
 * enforce). Called in order: `unparsed` or `inspect`, then `relation` per reference, then `complete`.
 */
export interface ReferenceGovernance {
  /** The statement is not a query DuckDB can serialise (SET, COPY, …): throw to refuse it. */
  unparsed(text: string): void;
  /** The parsed query before anything resolves; throw to refuse it. */
  inspect(ast: AstNode, databases: ReadonlySet<string>, toUser: (position: number) => number): void;
  /** How one reference may be read; throws ACCESS_DENIED when it may not. */
  relation(reference: GovernedReference): GovernedRelation;
  /** Every reference resolved: last checks over the whole query (e.g. hidden columns named). */
  complete(ast: AstNode): void;
}

export interface GovernedReference {
  readonly table: Table;
  readonly database: string;
  readonly name: string;
  /** The query's alias for it, '' when none. */
  readonly alias: string;
  /** `snapshots`, `files`, … for a metadata table. */
  readonly metadataTable?: string;
  readonly position: number;
}

export interface GovernedRelation {
  /** Whether a pushed-down filter may use this column (it filters raw values, so not a masked one). */
  canPushDown(column: string): boolean;
  /** The SQL to read instead of the planned scan, given the schema the scan reads with. */
  wrap(scanSql: string, readSchema: Schema): string;
}
