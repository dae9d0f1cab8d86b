/**
 * The directory source: new files in a watched directory, each read whole, in the order they were
 * discovered. Offsets: `{ files: n }`, the files consumed.
 *
 * Discovery is logged in the stream's area of the lake: each look that finds new files writes one
 * object `discovered/<first seq>.json` listing them (name, size, mtime, record count), with
 * putIfAbsent — so a file gets its place in the order exactly once, even with two runners looking
 * at the same time, and a restarted stream (on any machine) reads the same files for the same
 * offsets. A look that finds nothing writes nothing.
 *
 * Files must be complete when they appear: write them elsewhere (or under a hidden or `.tmp` name,
 * which are always skipped) and rename them in. A file is known by its name: a consumed file that
 * is deleted and replaced by a new file of the same name is not read again. A file that is deleted
 * or changes size after discovery fails the read (it cannot be read the same way twice).
 *
 * `format: json` files are NDJSON (one record per non-empty line; position `<name>:<line>`);
 * `format: avro` files are Avro object container files (one record per datum, re-framed as a single
 * binary datum; position `<name>#<index>`). A damaged Avro file fails discovery with CORRUPT_FILE
 * before it gets a place in the log: move it away and the stream continues.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '../../core/index.ts';
import { globToRegExp } from '../../ingest/input-files.ts';
import type { DirectorySourceDefinition, SourceContext, SourceOffsets, SourceRecord, StreamSource } from '../model/index.ts';
import { avroContainerDatums } from './avro-container.ts';
import { countNdjsonLines, ndjsonLines } from './ndjson-lines.ts';

interface DiscoveredFile {
  readonly seq: number;
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly records: number;
}

const DISCOVERED = /^discovered\/(\d{12})\.json$/;
/** Records per chunk handed to the runner (a large file is not one giant array). */
const CHUNK = 10_000;

export async function openDirectorySource(definition: DirectorySourceDefinition, context: SourceContext): Promise<StreamSource> {
  const pattern = globToRegExp(definition.pattern);
  const files: DiscoveredFile[] = [];
  const known = new Set<string>();
  const loadedKeys = new Set<string>();
  const position = (offsets: SourceOffsets): number => offsets['files'] ?? 0;
  let discovering: Promise<unknown> = Promise.resolve();

  /** Reads log objects written since the last load (by this or another runner). */
  async function loadLog(): Promise<void> {
    const fresh: string[] = [];
    for await (const info of context.store.list('discovered/')) if (DISCOVERED.test(info.key) && !loadedKeys.has(info.key)) fresh.push(info.key);
    for (const key of fresh.sort()) {
      const parsed = JSON.parse(new TextDecoder().decode(await context.store.get(key))) as { files?: DiscoveredFile[] } & Partial<DiscoveredFile>;
      // One object per look; a single-file object is the first version of the log.
      for (const file of parsed.files ?? [parsed as DiscoveredFile]) {
        files.push(file);
        known.add(file.name);
      }
      loadedKeys.add(key);
    }
    files.sort((a, b) => a.seq - b.seq);
  }

  /** Logs files that appeared since the last look, oldest first. Serialised within the process. */
  function discover(): Promise<void> {
    const run = discovering.then(discoverNow);
    discovering = run.catch(() => undefined);
    return run;
  }

  async function discoverNow(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(definition.path);
    } catch (error) {
      throw new StrataError('SOURCE_UNAVAILABLE', `Cannot read the watched directory ${definition.path}: ${(error as Error).message}`, { path: definition.path }, { cause: error });
    }
    let fresh: { name: string; size: number; mtimeMs: number; records: number }[] = [];
    for (const name of names) {
      if (known.has(name) || name.startsWith('.') || name.endsWith('.tmp') || !pattern.test(name)) continue;
      const info = await stat(join(definition.path, name)).catch(() => undefined);
      if (!info?.isFile()) continue;
      const records = await countRecords(name).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // renamed away meanwhile
        throw error;
      });
      if (records !== undefined) fresh.push({ name, size: info.size, mtimeMs: info.mtimeMs, records });
    }
    fresh.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));
    while (fresh.length > 0) {
      const first = (files.at(-1)?.seq ?? -1) + 1;
      const entries: DiscoveredFile[] = fresh.map((f, i) => ({ seq: first + i, ...f }));
      const key = keyOf(first);
      if (await context.store.putIfAbsent(key, new TextEncoder().encode(JSON.stringify({ files: entries })))) {
        loadedKeys.add(key);
        for (const entry of entries) {
          files.push(entry);
          known.add(entry.name);
        }
        context.log?.(`stream ${context.stream}: discovered ${entries.length} file(s) in ${definition.path}`);
        return;
      }
      // Another runner logged files under this number first: take its list, keep what it missed.
      await loadLog();
      fresh = fresh.filter((f) => !known.has(f.name));
    }
  }

  async function countRecords(name: string): Promise<number> {
    const path = join(definition.path, name);
    if (definition.format.kind === 'json') return countNdjsonLines(await readFile(path));
    return (await avroContainerDatums(path, definition.format.schema)).length;
  }

  async function fileAt(seq: number): Promise<DiscoveredFile> {
    let file = files.find((f) => f.seq === seq);
    if (!file) {
      await loadLog();
      file = files.find((f) => f.seq === seq);
    }
    if (!file) throw new StrataError('STATE_CORRUPT', `The discovery log of stream ${context.stream} has no file number ${seq}`, { seq });
    return file;
  }

  async function* records(file: DiscoveredFile): AsyncGenerator<SourceRecord> {
    const path = join(definition.path, file.name);
    const info = await stat(path).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new StrataError(
          'OBJECT_NOT_FOUND',
          `File ${path} (number ${file.seq} read by stream ${context.stream}) is gone; the stream cannot read it again. Put the file back, or reset the stream`,
          { path, seq: file.seq },
        );
      }
      throw new StrataError('SOURCE_UNAVAILABLE', `Cannot read ${path}: ${(error as Error).message}`, { path }, { cause: error });
    });
    if (info.size !== file.size) {
      throw new StrataError(
        'CORRUPT_FILE',
        `File ${path} changed after stream ${context.stream} discovered it (${file.size} → ${info.size} bytes); files must be complete when they appear: write elsewhere, then rename in`,
        { path, seq: file.seq },
      );
    }
    const timestampMs = Math.trunc(file.mtimeMs);
    if (definition.format.kind === 'json') {
      for (const { line, bytes } of ndjsonLines(await readFile(path))) yield { payload: bytes, position: `${file.name}:${line}`, timestampMs };
      return;
    }
    let index = 0;
    for (const payload of await avroContainerDatums(path, definition.format.schema)) yield { payload, position: `${file.name}#${index++}`, timestampMs };
  }

  await loadLog();
  return {
    kind: 'directory',
    initialOffsets: () => Promise.resolve({ files: 0 }),
    async latestOffsets(from, maxRecords) {
      await discover();
      let end = position(from);
      let total = 0;
      for (const file of files) {
        if (file.seq < end) continue;
        // Whole files only; at least one, however large.
        if (file.seq !== end || (end > position(from) && total + file.records > maxRecords)) break;
        total += file.records;
        end = file.seq + 1;
      }
      return { files: end };
    },
    async *read(from, to) {
      for (let seq = position(from); seq < position(to); seq++) {
        let chunk: SourceRecord[] = [];
        for await (const record of records(await fileAt(seq))) {
          chunk.push(record);
          if (chunk.length >= CHUNK) {
            yield chunk;
            chunk = [];
          }
        }
        if (chunk.length > 0) yield chunk;
      }
    },
    committed: () => Promise.resolve(),
    async backlog(from) {
      await discover();
      return files.filter((f) => f.seq >= position(from)).reduce((sum, f) => sum + f.records, 0);
    },
    close: () => discovering.then(() => undefined),
  };
}

function keyOf(seq: number): string {
  return `discovered/${String(seq).padStart(12, '0')}.json`;
}
