/**
 * From the ingest plane's validated "staged" form (src/ingest/convert-value.ts: long and decimal as
 * exact text, dates and timestamps as canonical ISO text, binary as base64) to the stream row
 * representation (Iceberg in-memory values: timestamps bigint µs, dates days, decimals unscaled
 * bigint). Validation stays in one place (convert-value.ts); this only changes representation.
 */
import type { IcebergType } from '../../table/index.ts';

const DAY_MS = 86_400_000;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})(?:([+-])(\d{2}):(\d{2}))?$/;

export function stagedToValue(type: IcebergType, staged: unknown): unknown {
  if (staged === null || staged === undefined) return null;
  switch (type.kind) {
    case 'boolean':
    case 'int':
    case 'string':
    case 'uuid':
      return staged;
    case 'long':
      return BigInt(staged as string);
    case 'float':
    case 'double':
      return typeof staged === 'number' ? staged : Number(staged as string);
    case 'decimal':
      return unscaled(staged as string, type.scale);
    case 'date':
      return Math.round(Date.parse(`${staged as string}T00:00:00Z`) / DAY_MS);
    case 'time': {
      const [h, m, rest] = (staged as string).split(':');
      const [s, micros] = (rest ?? '0.0').split('.');
      return (BigInt(Number(h) * 3600 + Number(m) * 60 + Number(s)) * 1_000_000n) + BigInt(micros ?? '0');
    }
    case 'timestamp':
    case 'timestamptz':
      return timestampMicros(staged as string);
    case 'binary':
    case 'fixed':
      return new Uint8Array(Buffer.from(staged as string, 'base64'));
    case 'struct': {
      const input = staged as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const child of type.fields) out[child.name] = stagedToValue(child.type, input[child.name]);
      return out;
    }
    case 'list':
      return (staged as unknown[]).map((e) => stagedToValue(type.element, e));
    case 'map': {
      const out = new Map<unknown, unknown>();
      for (const [k, v] of Object.entries(staged as Record<string, unknown>)) out.set(stagedKey(type.key, k), stagedToValue(type.value, v));
      return out;
    }
  }
}

/** Staged map keys are object keys, hence text: numbers and booleans get their type back. */
function stagedKey(type: IcebergType, key: string): unknown {
  switch (type.kind) {
    case 'int':
    case 'float':
    case 'double':
      return Number(key);
    case 'boolean':
      return key === 'true';
    default:
      return stagedToValue(type, key);
  }
}

/** `YYYY-MM-DD HH:MM:SS.ffffff[±HH:MM]` → µs since the epoch (UTC; the offset applied). */
export function timestampMicros(text: string): bigint {
  const m = LOCAL.exec(text);
  if (!m) throw new TypeError(`not a canonical timestamp: ${text}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const offsetMinutes = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  return BigInt(ms - offsetMinutes * 60_000) * 1000n + BigInt(m[7] ?? '0');
}

function unscaled(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const digits = BigInt(whole + fraction.padEnd(scale, '0'));
  return negative ? -digits : digits;
}
