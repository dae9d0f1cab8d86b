/**
 * Why a record was quarantined. The codes are stable (users filter the quarantine table on them);
 * the message says what was wrong in words, naming the column.
 */
export type QuarantineCode =
  /** The text is not JSON (ndjson, json) or a parquet row could not be rendered. */
  | 'PARSE_ERROR'
  /** A JSON value that is not an object (a bare number, string or array line). */
  | 'NOT_AN_OBJECT'
  /** A value of the wrong kind for its column ("abc" for a long, an object for a string). */
  | 'TYPE_MISMATCH'
  /** A number outside its type's range, or a decimal with too many digits. */
  | 'OUT_OF_RANGE'
  /** A date, time or timestamp that is not valid ISO-8601 (or not a real calendar day). */
  | 'INVALID_DATE'
  /** A required column is absent or null. */
  | 'MISSING_REQUIRED'
  /** A non-null field the schema does not have (option `unknownFields: 'quarantine'`, the default). */
  | 'UNKNOWN_FIELD'
  /** The record is longer than `maxRecordBytes`. */
  | 'OVERSIZE_RECORD'
  /** The record's bytes are not valid UTF-8 (its exact bytes are kept in `raw_base64`). */
  | 'INVALID_UTF8'
  /** A CSV row with more or fewer fields than the header. */
  | 'CSV_FIELD_COUNT'
  /** A CSV quote in the wrong place (a quote inside an unquoted field, text after a closing quote). */
  | 'CSV_BAD_QUOTE'
  /** A CSV quoted field still open at the end of the file. */
  | 'CSV_UNTERMINATED_QUOTE'
  /** The whole file could not be read (corrupt parquet, bad CSV header, I/O error): one quarantine row. */
  | 'FILE_UNREADABLE';

/** Thrown by converters and parsers for one record; caught per record, never escapes a run. */
export class BadRecord extends Error {
  readonly code: QuarantineCode;
  constructor(code: QuarantineCode, message: string) {
    super(message);
    this.name = 'BadRecord';
    this.code = code;
  }
}
