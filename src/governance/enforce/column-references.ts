/**
 * Finds a query's reference to a column the principal may not read, so the refusal is explicit
 * (ACCESS_DENIED, audited) rather than DuckDB's "column not found". This is the second line: the
 * governed relation never exposes a hidden column in the first place.
 *
 * Matching is by name and conservative: `alias.col` is checked against that alias's table, a bare
 * `col` (or `col.field` of a struct) against every table the query reads. A lambda parameter or
 * an output alias that happens to share a hidden column's name is refused too; rename it.
 */
type AstNode = Record<string, unknown>;

export interface ReadTable {
  /** `database.table`. */
  readonly table: string;
  /** The names the query can use for it: its alias, else its table name (lowercase). */
  readonly names: readonly string[];
  /** Lowercase names of the columns the principal may not read. */
  readonly hidden: ReadonlySet<string>;
}

export interface HiddenColumnReference {
  readonly table: string;
  readonly column: string;
  readonly position?: number;
}

export function findHiddenColumnReference(ast: unknown, tables: readonly ReadTable[]): HiddenColumnReference | undefined {
  if (!tables.some((t) => t.hidden.size > 0)) return undefined;
  let found: HiddenColumnReference | undefined;
  const visit = (node: unknown): void => {
    if (found) return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as AstNode;
    const position = typeof n['query_location'] === 'number' && n['query_location'] < Number.MAX_SAFE_INTEGER ? n['query_location'] : undefined;
    if (n['class'] === 'COLUMN_REF' && Array.isArray(n['column_names'])) {
      found = check(n['column_names'].map((p) => String(p).toLowerCase()), tables, position);
    }
    if (Array.isArray(n['using_columns'])) {
      for (const column of n['using_columns']) found ??= check([String(column).toLowerCase()], tables, position);
    }
    for (const value of Object.values(n)) if (value !== null && typeof value === 'object') visit(value);
  };
  visit(ast);
  return found;
}

function check(parts: readonly string[], tables: readonly ReadTable[], position: number | undefined): HiddenColumnReference | undefined {
  const [first, second] = parts;
  if (first === undefined) return undefined;
  const at = position === undefined ? {} : { position };
  if (second !== undefined) {
    const qualified = tables.filter((t) => t.names.includes(first));
    if (qualified.length > 0) {
      const hit = qualified.find((t) => t.hidden.has(second));
      return hit ? { table: hit.table, column: second, ...at } : undefined;
    }
  }
  const hit = tables.find((t) => t.hidden.has(first));
  return hit ? { table: hit.table, column: first, ...at } : undefined;
}
