/**
 * Turns failures to read a scan's data files into CORRUPT_FILE errors that name the file by its
 * table URI. DuckDB reports a missing or damaged Parquet file as a plain Error quoting the *local*
 * path it was given (for S3 tables, a cache path nobody recognises), and a remote store reports a
 * missing object as OBJECT_NOT_FOUND with its key; neither says "your table references a file that
 * is broken". Errors that name none of the scan's files (a bad filter, out of memory) pass through.
 */
import { StrataError, messageOf } from '../../core/index.ts';

export interface ScanFile {
  /** The data file's URI as the manifest records it. */
  readonly uri: string;
  /** The local path DuckDB reads. */
  readonly path: string;
}

/** For an error of the query over `files`: a CORRUPT_FILE naming the file it mentions, else the error itself. */
export function dataFileReadError(error: unknown, files: readonly ScanFile[]): unknown {
  if (StrataError.is(error)) return error;
  const message = messageOf(error);
  const file = files.find((f) => message.includes(f.path));
  if (!file) return error;
  const missing = /No files found|No such file|does not exist/i.test(message);
  return new StrataError(
    'CORRUPT_FILE',
    missing
      ? `Data file ${file.uri} is missing; the table's metadata references a file that does not exist`
      : `Data file ${file.uri} cannot be read (${message.split('\n')[0]}); it is damaged or not a Parquet file`,
    { file: file.uri },
    { cause: error },
  );
}

/** OBJECT_NOT_FOUND while fetching data file `uri` (remote stores) as a CORRUPT_FILE naming it. */
export function missingDataFileError(error: unknown, uri: string): unknown {
  if (!StrataError.is(error, 'OBJECT_NOT_FOUND')) return error;
  return new StrataError(
    'CORRUPT_FILE',
    `Data file ${uri} is missing; the table's metadata references a file that does not exist`,
    { file: uri },
    { cause: error },
  );
}
