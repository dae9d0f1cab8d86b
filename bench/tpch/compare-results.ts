/**
 * Do two engines' answers to one query agree? A benchmark that compares wrong answers is
 * worthless, so every leg's rows are checked against the bare DuckDB leg's before any timing.
 *
 * Values arrive in each engine's JS forms (src/engine/duckdb/value-forms.ts, Spark's Arrow rows):
 * decimals as exact strings, integers as number or bigint, DOUBLE as number, dates as
 * `yyyy-mm-dd` strings. Two cells agree when
 * - both are numeric (a number, a bigint or a decimal string) and differ by no more than the
 *   coarser side's rounding: half a unit of the last decimal digit a decimal string shows (Spark
 *   gives `avg` of a decimal as DECIMAL(…, 6), DuckDB as DOUBLE), or 1e-9 relative for doubles;
 * - otherwise their text is equal.
 * Rows are compared in order; when that fails (ties under ORDER BY may come back in either order)
 * they are compared again after sorting both sides by a rounded key.
 */

interface NumericCell {
  readonly value: number;
  /** Half a unit of the last digit shown, 0 for doubles and integers. */
  readonly rounding: number;
}

const DECIMAL_TEXT = /^-?\d+(?:\.(\d+))?$/;

function numeric(cell: unknown): NumericCell | undefined {
  if (typeof cell === 'number') return { value: cell, rounding: 0 };
  if (typeof cell === 'bigint') return { value: Number(cell), rounding: 0 };
  if (typeof cell === 'string') {
    const match = DECIMAL_TEXT.exec(cell);
    if (!match) return undefined;
    return { value: Number(cell), rounding: match[1] === undefined ? 0 : 0.5 * 10 ** -match[1].length };
  }
  return undefined;
}

function text(cell: unknown): string {
  if (cell === null || cell === undefined) return 'NULL';
  if (typeof cell === 'object') return JSON.stringify(cell, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
  return String(cell as string | number | bigint | boolean);
}

/** Whether two cells hold the same value (see the file comment for the tolerance). */
export function sameCell(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  const [x, y] = [numeric(a), numeric(b)];
  if (x && y) {
    const allowed = Math.max(x.rounding, y.rounding, 1e-9 * Math.max(Math.abs(x.value), Math.abs(y.value)));
    return Math.abs(x.value - y.value) <= allowed * (1 + 1e-9);
  }
  return text(a) === text(b);
}

function sortKey(row: readonly unknown[]): string {
  return row.map((cell) => {
    const n = numeric(cell);
    return n ? n.value.toPrecision(6) : text(cell);
  }).join('\u0001');
}

function firstDifference(expected: readonly (readonly unknown[])[], actual: readonly (readonly unknown[])[]): string | undefined {
  for (let r = 0; r < expected.length; r++) {
    const [e, a] = [expected[r] ?? [], actual[r] ?? []];
    if (e.length !== a.length) return `row ${r + 1} has ${a.length} columns, expected ${e.length}`;
    for (let c = 0; c < e.length; c++) {
      if (!sameCell(e[c], a[c])) return `row ${r + 1}, column ${c + 1}: ${text(a[c])}, expected ${text(e[c])}`;
    }
  }
  return undefined;
}

/** `undefined` when `actual` holds the same rows as `expected`; else what differs first. */
export function compareResults(expected: readonly (readonly unknown[])[], actual: readonly (readonly unknown[])[]): string | undefined {
  if (expected.length !== actual.length) return `${actual.length} rows, expected ${expected.length}`;
  const inOrder = firstDifference(expected, actual);
  if (inOrder === undefined) return undefined;
  const sorted = (rows: readonly (readonly unknown[])[]) => [...rows].sort((p, q) => (sortKey(p) < sortKey(q) ? -1 : sortKey(p) > sortKey(q) ? 1 : 0));
  return firstDifference(sorted(expected), sorted(actual)) === undefined ? undefined : inOrder;
}
