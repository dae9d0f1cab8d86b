/**
 * Stream row values → the ingest plane's staged JSON form (the inverse of format/staged-to-value.ts),
 * which DuckDB reads back with explicit column types (ingest/staged-writer.ts `readStagedSql`).
 * Going through staged NDJSON keeps one well-tested path from JS values into DuckDB and Parquet.
 */
import type { IcebergType } from '../../table/index.ts';

const DAY_MS = 86_400_000;

export function valueToStaged(type: IcebergType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'boolean':
    case 'int':
    case 'string':
    case 'uuid':
      return value;
    case 'long':
      return String(value);
    case 'float':
    case 'double': {
      const n = Number(value);
      return Number.isFinite(n) ? n : Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
    }
    case 'decimal':
      return decimalText(BigInt(value as bigint), type.scale);
    case 'date':
      return new Date(Number(value) * DAY_MS).toISOString().slice(0, 10);
    case 'time':
      return timeText(BigInt(value as bigint));
    case 'timestamp':
      return timestampText(BigInt(value as bigint));
    case 'timestamptz':
      return `${timestampText(BigInt(value as bigint))}+00:00`;
    case 'binary':
    case 'fixed':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'struct': {
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const child of type.fields) out[child.name] = valueToStaged(child.type, input[child.name]);
      return out;
    }
    case 'list':
      return (value as unknown[]).map((e) => valueToStaged(type.element, e));
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
      return entries.map(([k, v]) => ({ key: valueToStaged(type.key, k), value: valueToStaged(type.value, v) }));
    }
  }
}

/** µs since the epoch → `YYYY-MM-DD HH:MM:SS.ffffff` (UTC). */
export function timestampText(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const fraction = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(fraction).padStart(6, '0')}`;
}

function timeText(micros: bigint): string {
  const seconds = Number(micros / 1_000_000n);
  const fraction = micros % 1_000_000n;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}.${String(fraction).padStart(6, '0')}`;
}

function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
