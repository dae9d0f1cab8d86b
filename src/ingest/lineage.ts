/**
 * The columns ingest adds: lineage on every data row, and the fixed quarantine table schema.
 *
 * Data tables get `_ingest_date` (date, the partition column), `_source_file` (absolute path of the
 * input file) and `_source_line` (the record's first line; the row number for parquet).
 * Quarantine tables (`<db>.<table>__quarantine`) hold one row per rejected record, see
 * QUARANTINE_FIELDS and docs/ingest.md.
 */
import type { NestedField } from '../table/index.ts';
import { Types, field } from '../table/index.ts';

export const INGEST_DATE = '_ingest_date';
export const SOURCE_FILE = '_source_file';
export const SOURCE_LINE = '_source_line';
export const LINEAGE_NAMES: ReadonlySet<string> = new Set([INGEST_DATE, SOURCE_FILE, SOURCE_LINE]);

/** Partition spec of every table ingest creates. */
export const BY_INGEST_DATE = [{ source: INGEST_DATE, transform: 'identity' }] as const;

/** `fields` plus the lineage columns (ids after the highest id in use). */
export function withLineage(fields: readonly NestedField[], highestId: number): NestedField[] {
  return [
    ...fields,
    field(highestId + 1, INGEST_DATE, Types.date, true),
    field(highestId + 2, SOURCE_FILE, Types.string, true),
    field(highestId + 3, SOURCE_LINE, Types.long),
  ];
}

export const QUARANTINE_FIELDS: readonly NestedField[] = [
  field(1, 'source_file', Types.string, true, 'absolute path of the input file'),
  field(2, 'line_number', Types.long, false, 'first line of the record (row number for parquet; 0 for a whole-file error)'),
  field(3, 'byte_offset', Types.long, false, 'byte offset of the record in the file (null for parquet)'),
  field(4, 'raw_text', Types.string, false, 'the record as read, truncated only above the raw text cap'),
  field(5, 'raw_length', Types.long, true, 'the record length in bytes'),
  field(6, 'raw_truncated', Types.boolean, true, 'true when raw_text holds only the first part of the record'),
  field(7, 'raw_base64', Types.string, false, 'the exact bytes, base64, when they are not valid UTF-8'),
  field(8, 'error_code', Types.string, true, 'stable reason code, e.g. TYPE_MISMATCH'),
  field(9, 'error_message', Types.string, true, 'what was wrong, naming the column'),
  field(10, 'ingest_run', Types.string, true, 'id of the ingest run'),
  field(11, 'ingested_at', Types.timestamptz, true, 'when the run started'),
  field(12, INGEST_DATE, Types.date, true, 'partition: the run date (UTC)'),
];
