/**
 * A micro-batch as a DuckDB table, and DuckDB results as stream rows.
 *
 * `loadBatch` stages the rows as NDJSON (value-to-staged.ts) and reads them with the columns' exact
 * types into a uniquely named, non-temporary table of the catalog's DuckDB instance — visible to the
 * SQL session's connections and the table writer alike — so a SQL transform can say `FROM input`
 * and the sink can write `SELECT * FROM <batch table>`. `drop()` removes it.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimeValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBArrayValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { readStagedSql } from '../../ingest/staged-writer.ts';
import { fieldsFromDuckDbColumns } from '../../sql/index.ts';
import { quoteSqlIdent, type DuckDbRuntime, type IcebergType } from '../../table/index.ts';
import type { RowFields, StreamRow } from '../model/index.ts';
import { valueToStaged } from './value-to-staged.ts';

export interface BatchTable {
  /** Quoted-safe identifier of the table (`strata_batch_<hex>`). */
  readonly name: string;
  readonly fields: RowFields;
  readonly rows: number;
  drop(): Promise<void>;
}

export async function loadBatch(runtime: DuckDbRuntime, fields: RowFields, rows: readonly StreamRow[]): Promise<BatchTable> {
  const name = `strata_batch_${randomBytes(8).toString('hex')}`;
  const staging = join(runtime.tempDirectory, `${name}.ndjson`);
  const lines: string[] = [];
  for (const row of rows) {
    const staged: Record<string, unknown> = {};
    for (const f of fields) staged[f.name] = valueToStaged(f.type, row[f.name]);
    lines.push(JSON.stringify(staged));
  }
  await writeFile(staging, lines.length === 0 ? '' : `${lines.join('\n')}\n`);
  try {
    await runtime.withConnection(async (connection) => {
      await connection.run(`CREATE TABLE ${quoteSqlIdent(name)} AS ${readStagedSql(staging, fields, 1 << 20)}`);
    });
  } finally {
    await rm(staging, { force: true });
  }
  return {
    name,
    fields,
    rows: rows.length,
    drop: () => runtime.withConnection(async (connection) => void (await connection.run(`DROP TABLE IF EXISTS ${quoteSqlIdent(name)}`))),
  };
}

/** Runs `sql` on the runtime and returns its columns (as Iceberg fields) and rows (stream values). */
export async function queryRows(runtime: DuckDbRuntime, sql: string): Promise<{ fields: RowFields; rows: StreamRow[] }> {
  return runtime.withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(sql);
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.toString());
    const fields = fieldsFromDuckDbColumns(names.map((name, i) => ({ name, type: types[i] ?? 'VARCHAR' })));
    const rows: StreamRow[] = reader.getRows().map((values) => {
      const row: StreamRow = {};
      fields.forEach((f, i) => (row[f.name] = fromDuckDb(f.type, values[i] ?? null)));
      return row;
    });
    return { fields, rows };
  });
}

/** One DuckDB value → the stream row representation of its Iceberg type. */
export function fromDuckDb(type: IcebergType, value: DuckDBValue): unknown {
  if (value === null) return null;
  switch (type.kind) {
    case 'boolean':
    case 'string':
      return typeof value === 'string' || typeof value === 'boolean' ? value : String(value);
    case 'int':
      return Number(value);
    case 'long':
      return typeof value === 'bigint' ? value : BigInt(String(value));
    case 'float':
    case 'double':
      return Number(value);
    case 'decimal':
      return value instanceof DuckDBDecimalValue ? rescale(value.value, value.scale, type.scale) : BigInt(String(value));
    case 'date':
      return value instanceof DuckDBDateValue ? value.days : Number(value);
    case 'time':
      return value instanceof DuckDBTimeValue ? value.micros : BigInt(String(value));
    case 'timestamp':
    case 'timestamptz':
      return value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue ? value.micros : BigInt(String(value));
    case 'uuid':
      return String(value).toLowerCase();
    case 'binary':
    case 'fixed':
      return value instanceof DuckDBBlobValue ? value.bytes : new Uint8Array(Buffer.from(String(value)));
    case 'struct': {
      const entries = value instanceof DuckDBStructValue ? value.entries : {};
      const out: Record<string, unknown> = {};
      for (const child of type.fields) out[child.name] = fromDuckDb(child.type, entries[child.name] ?? null);
      return out;
    }
    case 'list': {
      const items = value instanceof DuckDBListValue || value instanceof DuckDBArrayValue ? value.items : [];
      return items.map((item) => fromDuckDb(type.element, item));
    }
    case 'map': {
      const out = new Map<unknown, unknown>();
      if (value instanceof DuckDBMapValue) for (const entry of value.entries) out.set(fromDuckDb(type.key, entry.key), fromDuckDb(type.value, entry.value));
      return out;
    }
  }
}

function rescale(unscaled: bigint, from: number, to: number): bigint {
  if (from === to) return unscaled;
  return to > from ? unscaled * 10n ** BigInt(to - from) : unscaled / 10n ** BigInt(from - to);
}
