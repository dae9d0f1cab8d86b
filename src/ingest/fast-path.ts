/**
 * The bulk fast path of `ingest()`: DuckDB parses and converts a whole NDJSON or CSV file in SQL,
 * instead of Node doing it record by record. It is only an optimisation: it takes a file only
 * when it can prove that every record is one the careful path (record-source.ts +
 * convert-value.ts) would accept with the very same values, and otherwise returns `undefined` so
 * the caller reads the file the careful way — bad input always ends up in the quarantine through
 * the careful path, never through this one.
 *
 * How: `read_text` loads the file and `string_split` on `\n` with `generate_subscripts` numbers
 * every line exactly (blank lines included, then skipped like the careful path does). A check
 * query counts the non-blank lines that fail a conservative "canonical" predicate; only when that
 * count is 0 does a second query (the same lines, converted) go to `Table.writeFiles`.
 *
 * Deliberately narrow (everything else falls back):
 * - column types boolean, int, long, float, double, string, timestamptz (ISO text ending in `Z`);
 * - NDJSON: each line a JSON object whose keys are all columns (no duplicates), values of the
 *   canonical JSON kind (numbers for numeric columns, strings for strings and timestamps) —
 *   no "12" for a long, no 1.0 for an int, no numbers for a string column;
 * - CSV: no `"` and no `\r` anywhere in the file (so one line is one record and cells split on
 *   `,`), header names exactly the columns (a subset is fine), cells in canonical text;
 * - files up to FAST_PATH_MAX_BYTES (read_text holds the file in DuckDB's memory).
 *
 * Gotcha: DuckDB's JSON parser (yyjson) accepts more than `JSON.parse` — `NaN`, `Infinity`,
 * trailing commas — so those shapes (and raw control characters, surrogate or NUL escapes) are
 * rejected textually before the JSON functions are trusted.
 */
import type { DataFile, DuckDbRuntime, NestedField, Table } from '../table/index.ts';
import { duckdbType, quoteSqlIdent as quoteIdent } from '../table/index.ts';
import type { IngestFormat } from './ingest-types.ts';
import { INGEST_DATE, SOURCE_FILE, SOURCE_LINE } from './lineage.ts';
import { sqlString } from './record-source.ts';

export const FAST_PATH_MAX_BYTES = 256 * 1024 * 1024;

const FAST_KINDS: ReadonlySet<string> = new Set(['boolean', 'int', 'long', 'float', 'double', 'string', 'timestamptz']);
const FLOAT_MAX = '3.4028234663852886e38';
const NUMBER_TEXT = '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?';
const TIMESTAMP_Z = '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?Z';
// Shapes where yyjson and JSON.parse may disagree: trailing commas, NaN/Infinity, raw control
// characters (a `\r` is allowed only at the end), surrogate and NUL escapes.
const JSON_DOUBT = String.raw`,[ \t]*[}\]]|[:,\[][ \t]*[+-]?(?i:nan|inf)|[\x00-\x0c\x0e-\x1f]|\r.|\\u[dD][89a-fA-F]|\\u0000`;

export interface FastPathInput {
  readonly runtime: DuckDbRuntime;
  readonly path: string;
  readonly format: IngestFormat;
  readonly size: number;
  /** The data columns (no lineage). */
  readonly fields: readonly NestedField[];
  readonly maxRecordBytes: number;
  readonly ingestDate: string;
}

/** True when the file's format, size and the schema's types allow trying the fast path at all. */
export function fastPathApplies(input: Pick<FastPathInput, 'format' | 'size' | 'fields'>): boolean {
  if (input.format !== 'ndjson' && input.format !== 'csv') return false;
  if (input.size > FAST_PATH_MAX_BYTES || input.fields.length === 0) return false;
  return input.fields.every((f) => FAST_KINDS.has(f.type.kind) && plainName(f.name));
}

/**
 * Try the fast path for one file: returns the records written (as staged, uncommitted data files),
 * or undefined when the careful path must read the file (then nothing was written).
 *
 * With `tableExists`, one pass: the write query itself calls `error()` on the first
 * non-canonical record, which aborts the COPY before any file reaches the store. Without it, a
 * check query runs first, so a file that falls back never creates the table.
 */
export async function tryFastPath(
  input: FastPathInput,
  target: { readonly table: () => Promise<Table>; readonly tableExists: boolean },
): Promise<{ readonly rows: number; readonly files: readonly DataFile[] } | undefined> {
  if (!fastPathApplies(input)) return undefined;
  try {
    const select = input.format === 'csv' ? await csvSelect(input) : ndjsonSelect(input);
    if (select === undefined) return undefined;
    if (!target.tableExists) {
      const check = await input.runtime.withConnection(
        async (c) => (await c.runAndReadAll(`SELECT count(*) FILTER (WHERE NOT coalesce(ok, false))::BIGINT AS bad FROM (${select.checked})`)).getRowObjectsJson(),
      );
      if (Number(check[0]?.['bad'] ?? 1) !== 0) return undefined;
    }
    const table = await target.table();
    const files = await table.writeFiles({ sql: select.output(table.schema().fields, input) });
    const rows = files.reduce((n, f) => n + Number(f.recordCount), 0);
    return rows === 0 ? undefined : { rows, files };
  } catch {
    return undefined; // any DuckDB complaint, including the guard's error(): the careful path decides
  }
}

/** A name that needs no escaping inside the JSON structure literal of `json_transform`. */
function plainName(name: string): boolean {
  return [...name].every((ch) => ch !== '"' && ch !== '\\' && ch.charCodeAt(0) >= 0x20);
}

interface FastSelect {
  /** One row per non-blank record: `ok` (canonical?) plus the converted columns. */
  readonly checked: string;
  readonly output: (tableFields: readonly NestedField[], input: FastPathInput) => string;
}

/** Non-blank lines of the file with their exact 1-based line numbers. */
function linesSql(path: string, maxRecordBytes: number, skipFirst: boolean): string {
  const lines = `SELECT unnest(l) AS text, generate_subscripts(l, 1) AS line FROM (SELECT string_split(content, chr(10)) AS l FROM read_text(${sqlString(path)}))`;
  const nonBlank = `SELECT * FROM (${lines}) WHERE trim(text, chr(32) || chr(9) || chr(13)) <> ''`;
  const body = skipFirst ? `SELECT * FROM (${nonBlank}) WHERE line > (SELECT min(line) FROM (${nonBlank}))` : nonBlank;
  return `SELECT *, strlen(text) <= ${maxRecordBytes} AS fits FROM (${body})`;
}

function ndjsonSelect(input: FastPathInput): FastSelect {
  const structure = `{${input.fields.map((f) => `"${f.name}":"JSON"`).join(',')}}`;
  const known = `[${input.fields.map((f) => sqlString(f.name)).join(', ')}]`;
  // Textual gate first; an object that then fails to parse makes json_keys throw (whole file falls back).
  const gate = `SELECT line, text, fits AND left(ltrim(text, chr(32) || chr(9)), 1) = '{' AND NOT regexp_matches(text, ${sqlString(JSON_DOUBT)}) AS valid FROM (${linesSql(input.path, input.maxRecordBytes, false)})`;
  const keyed = `SELECT line, valid, CASE WHEN valid THEN json_transform(text, ${sqlString(structure)}) END AS r, CASE WHEN valid THEN json_keys(text) END AS keys FROM (${gate})`;
  // Each column's kind and text once (DuckDB does not share them between CASE branches).
  const parts = input.fields.map((f, i) => `json_type(r.${quoteIdent(f.name)}) AS t${i}, r.${quoteIdent(f.name)} ->> '$' AS s${i}`).join(', ');
  const parsed = `SELECT line, valid, ${parts}, len(list_distinct(keys)) = len(keys) AND list_has_all(${known}, keys) AS keys_ok FROM (${keyed})`;
  const cols = input.fields.map((f, i) => columnSql(f, `s${i}`, `t${i}`));
  const checked = `SELECT line, valid AND keys_ok AND ${cols.map((c) => `(${c.ok})`).join(' AND ')} AS ok, ${cols.map((c, i) => `${c.value} AS c${i}`).join(', ')} FROM (${parsed})`;
  return { checked, output: outputSql(checked, input.fields) };
}

async function csvSelect(input: FastPathInput): Promise<FastSelect | undefined> {
  const probe = await input.runtime.withConnection(
    async (c) =>
      (
        await c.runAndReadAll(
          `SELECT contains(content, '"') OR contains(content, chr(13)) AS doubt, (SELECT text FROM (${linesSql(input.path, input.maxRecordBytes, false)}) ORDER BY line LIMIT 1) AS header FROM read_text(${sqlString(input.path)})`,
        )
      ).getRowObjectsJson(),
  );
  const head = probe[0];
  if (!head || head['doubt'] !== false || typeof head['header'] !== 'string') return undefined;
  const header = head['header'].split(',').map((n) => n.trim());
  const byName = new Map(input.fields.map((f) => [f.name, f]));
  if (header.some((n) => !byName.has(n)) || new Set(header).size !== header.length) return undefined;
  const cells = `string_split(text, ',')`;
  const cols = input.fields.map((f) => {
    const at = header.indexOf(f.name);
    return columnSql(f, at < 0 ? 'NULL::VARCHAR' : `nullif(cells[${at + 1}], '')`);
  });
  const parsed = `SELECT line, fits AND len(cells) = ${header.length} AS valid, cells FROM (SELECT *, ${cells} AS cells FROM (${linesSql(input.path, input.maxRecordBytes, true)}))`;
  const checked = `SELECT line, valid AND ${cols.map((c) => `(${c.ok})`).join(' AND ')} AS ok, ${cols.map((c, i) => `CASE WHEN valid THEN ${c.value} END AS c${i}`).join(', ')} FROM (${parsed})`;
  return { checked, output: outputSql(checked, input.fields) };
}

/**
 * The canonical-value test (`ok`) and converted value of one column. `s` is the value's text (a
 * CSV cell, or a JSON value unquoted); `kind` is its `json_type` (JSON only). A missing value is
 * fine only for optional columns.
 */
function columnSql(f: NestedField, s: string, kind?: string): { ok: string; value: string } {
  const mode = kind === undefined ? 'text' : 'json';
  const isNull = kind === undefined ? `(${s} IS NULL)` : `(${kind} IS NULL OR ${kind} = 'NULL')`;
  const integer = (min: string, max: string) => ({
    ok: mode === 'json' ? `${kind} IN ('BIGINT', 'UBIGINT') AND try_cast(${s} AS HUGEINT) BETWEEN ${min} AND ${max}` : `regexp_full_match(${s}, '[+-]?[0-9]+') AND try_cast(${s} AS HUGEINT) BETWEEN ${min} AND ${max}`,
    value: `try_cast(${s} AS HUGEINT)`,
  });
  const real = (max?: string) => ({
    ok: `${mode === 'json' ? `${kind} IN ('BIGINT', 'UBIGINT', 'DOUBLE')` : `regexp_full_match(${s}, ${sqlString(NUMBER_TEXT)})`} AND isfinite(try_cast(${s} AS DOUBLE))${max ? ` AND abs(try_cast(${s} AS DOUBLE)) <= ${max}` : ''}`,
    value: `try_cast(${s} AS DOUBLE)`,
  });
  let test: { ok: string; value: string };
  switch (f.type.kind) {
    case 'boolean':
      test = mode === 'json' ? { ok: `${kind} = 'BOOLEAN'`, value: `try_cast(${s} AS BOOLEAN)` } : { ok: `lower(${s}) IN ('true', 'false', '1', '0')`, value: `lower(${s}) IN ('true', '1')` };
      break;
    case 'int':
      test = integer(String(-(2 ** 31)), String(2 ** 31 - 1));
      break;
    case 'long':
      test = integer((-(2n ** 63n)).toString(), (2n ** 63n - 1n).toString());
      break;
    case 'float':
      test = real(FLOAT_MAX);
      break;
    case 'double':
      test = real();
      break;
    case 'timestamptz':
      test = {
        ok: `${mode === 'json' ? `${kind} = 'VARCHAR' AND ` : ''}regexp_full_match(${s}, ${sqlString(TIMESTAMP_Z)}) AND left(${s}, 4) <> '0000' AND strftime(try_cast(${s} AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%d') = left(${s}, 10)`,
        value: `try_cast(${s} AS TIMESTAMPTZ)`,
      };
      break;
    default:
      test = { ok: mode === 'json' ? `${kind} = 'VARCHAR'` : 'true', value: s };
  }
  return { ok: `CASE WHEN ${isNull} THEN ${f.required ? 'false' : 'true'} ELSE coalesce(${test.ok}, false) END`, value: `CASE WHEN ${isNull} THEN NULL ELSE ${test.value} END` };
}

function outputSql(checked: string, fields: readonly NestedField[]) {
  return (tableFields: readonly NestedField[], input: FastPathInput): string => {
    const select = tableFields.map((f) => {
      const i = fields.findIndex((d) => d.name === f.name);
      const type = duckdbType(f.type);
      const expr =
        f.name === INGEST_DATE ? `DATE ${sqlString(input.ingestDate)}` : f.name === SOURCE_FILE ? sqlString(input.path) : f.name === SOURCE_LINE ? 'line' : i < 0 ? 'NULL' : `c${i}`;
      const cast = f.type.kind === 'float' ? `CAST(CAST(${expr} AS DOUBLE) AS FLOAT)` : `CAST(${expr} AS ${type})`;
      return `${cast} AS ${quoteIdent(f.name)}`;
    });
    const guard = `CASE WHEN coalesce(ok, false) THEN true ELSE error('fast path: a record needs the careful path') END`;
    return `SELECT ${select.join(', ')} FROM (${checked}) WHERE ${guard}`;
  };
}
