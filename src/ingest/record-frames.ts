/**
 * Splits a byte stream into record frames without ever holding more than one record (capped) in
 * memory, tracking each record's first line number and byte offset for the quarantine table.
 *
 * - `splitLines`: one record per line (`\n`, with a trailing `\r` dropped). With `quoteAware`
 *   (CSV), a line break inside a quoted field does not end the record (RFC 4180).
 * - `splitJsonArray`: the elements of one top-level JSON array, found by tracking nesting depth and
 *   string state; every element is a frame, so one malformed element never hides the others.
 *
 * A record longer than `keepBytes` keeps only its first `keepBytes` bytes, while `length` still
 * counts all of them (the decoder then quarantines it as oversize). Gotcha: an unterminated quote in
 * CSV would swallow the rest of the file, so once a quoted record exceeds `keepBytes` it ends at the
 * next line break (the rest of the file is read as fresh records).
 */
import { BadRecord } from './bad-record.ts';

export interface Frame {
  /** 1-based line on which the record starts. */
  readonly line: number;
  /** Byte offset of the record's first byte in the file. */
  readonly offset: number;
  /** The record's bytes, at most `keepBytes` of them. */
  readonly bytes: Buffer;
  /** The record's full length in bytes. */
  readonly length: number;
  /** A framing error (e.g. an unterminated CSV quote at the end of the file). */
  readonly error?: BadRecord;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;

/**
 * Where a CSV scan is within a record. Only a quote at the start of a field opens a quoted field,
 * so a stray quote inside an unquoted field (`ab"c`) cannot swallow the following lines.
 */
const enum CsvState {
  FieldStart,
  Unquoted,
  Quoted,
  /** Just saw a quote inside a quoted field: the closing quote, or the first of a doubled `""`. */
  QuoteInQuoted,
}

function nextCsvState(state: CsvState, quote: boolean, comma: boolean): CsvState {
  switch (state) {
    case CsvState.Quoted:
      return quote ? CsvState.QuoteInQuoted : CsvState.Quoted;
    case CsvState.QuoteInQuoted:
      return quote ? CsvState.Quoted : comma ? CsvState.FieldStart : CsvState.Unquoted;
    case CsvState.FieldStart:
      return quote ? CsvState.Quoted : comma ? CsvState.FieldStart : CsvState.Unquoted;
    default:
      return comma ? CsvState.FieldStart : CsvState.Unquoted;
  }
}

class FrameBuilder {
  readonly #keep: number;
  #parts: Buffer[] = [];
  #kept = 0;
  length = 0;
  line = 1;
  offset = 0;

  constructor(keep: number) {
    this.#keep = keep;
  }

  add(bytes: Buffer): void {
    this.length += bytes.length;
    if (this.#kept >= this.#keep || bytes.length === 0) return;
    const take = bytes.length <= this.#keep - this.#kept ? bytes : bytes.subarray(0, this.#keep - this.#kept);
    this.#parts.push(Buffer.from(take)); // copy: never pin a whole read chunk
    this.#kept += take.length;
  }

  take(nextLine: number, nextOffset: number, error?: BadRecord): Frame {
    let bytes = this.#parts.length === 1 ? (this.#parts[0] as Buffer) : Buffer.concat(this.#parts);
    let length = this.length;
    let offset = this.offset;
    if (offset === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      bytes = bytes.subarray(3); // UTF-8 byte order mark
      length -= 3;
      offset = 3;
    }
    if (length > 0 && length === bytes.length && bytes[bytes.length - 1] === CR) {
      bytes = bytes.subarray(0, bytes.length - 1);
      length -= 1;
    }
    const frame: Frame = error ? { line: this.line, offset, bytes, length, error } : { line: this.line, offset, bytes, length };
    this.#parts = [];
    this.#kept = 0;
    this.length = 0;
    this.line = nextLine;
    this.offset = nextOffset;
    return frame;
  }
}

export async function* splitLines(source: AsyncIterable<Buffer>, options: { keepBytes: number; quoteAware: boolean }): AsyncGenerator<Frame> {
  const frame = new FrameBuilder(options.keepBytes);
  let position = 0; // offset of the current chunk's first byte
  let line = 1;
  let csv = CsvState.FieldStart;
  for await (const chunk of source) {
    let from = 0;
    if (!options.quoteAware) {
      for (let i = chunk.indexOf(LF, from); i !== -1; i = chunk.indexOf(LF, from)) {
        frame.add(chunk.subarray(from, i));
        line += 1;
        yield frame.take(line, position + i + 1);
        from = i + 1;
      }
    } else {
      for (let i = 0; i < chunk.length; i += 1) {
        const b = chunk[i];
        if (b === LF) {
          line += 1;
          if (csv === CsvState.Quoted && frame.length + (i - from) <= options.keepBytes) continue;
          csv = CsvState.FieldStart;
          frame.add(chunk.subarray(from, i));
          yield frame.take(line, position + i + 1);
          from = i + 1;
        } else csv = nextCsvState(csv, b === QUOTE, b === COMMA);
      }
    }
    frame.add(chunk.subarray(from));
    position += chunk.length;
  }
  if (frame.length > 0) {
    yield frame.take(line, position, csv === CsvState.Quoted ? new BadRecord('CSV_UNTERMINATED_QUOTE', 'a quoted field is still open at the end of the file') : undefined);
  }
}

/**
 * The elements of a top-level JSON array. The caller has checked that the first non-blank byte is
 * `[`. Bytes after the closing `]` (other than whitespace) become one more frame, which fails to
 * parse and is quarantined.
 */
export async function* splitJsonArray(source: AsyncIterable<Buffer>, options: { keepBytes: number }): AsyncGenerator<Frame> {
  const frame = new FrameBuilder(options.keepBytes);
  let position = 0;
  let line = 1;
  let state: 'before' | 'between' | 'element' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  for await (const chunk of source) {
    let from = -1; // start of the current element's bytes within this chunk, -1 when not in one
    if (state === 'element' || state === 'after') from = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const b = chunk[i] as number;
      if (state === 'before' || state === 'between') {
        if (b === LF) line += 1;
        if (b === 0x20 || b === 0x09 || b === LF || b === CR || (b === 0xef && position + i < 3) || (position + i < 3 && (b === 0xbb || b === 0xbf))) continue;
        if (state === 'before' && b === 0x5b /* [ */) {
          state = 'between';
          continue;
        }
        if (b === 0x5d /* ] */ && state === 'between' && depth === 0) {
          state = 'after';
          from = i + 1;
          frame.line = line;
          frame.offset = position + i + 1;
          continue;
        }
        state = 'element';
        frame.line = line;
        frame.offset = position + i;
        from = i;
      }
      if (state === 'after') {
        if (b === LF) line += 1;
        continue;
      }
      // inside an element
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === QUOTE) inString = false;
        else if (b === LF) line += 1;
        continue;
      }
      if (b === QUOTE) inString = true;
      else if (b === 0x7b || b === 0x5b) depth += 1;
      else if ((b === 0x7d || b === 0x5d) && depth > 0) depth -= 1;
      else if (b === LF) line += 1;
      else if ((b === 0x2c /* , */ || b === 0x5d) && depth === 0) {
        frame.add(chunk.subarray(from, i));
        yield frame.take(line, position + i + 1);
        state = b === 0x5d ? 'after' : 'between';
        from = b === 0x5d ? i + 1 : -1;
        frame.offset = position + i + 1;
      }
    }
    if (from >= 0) frame.add(chunk.subarray(from));
    position += chunk.length;
  }
  if (state === 'element' && frame.length > 0) yield frame.take(line, position);
  if (state === 'after') {
    const trailing = frame.take(line, position);
    if (trailing.bytes.toString('utf8').trim() !== '') yield trailing;
  }
}
