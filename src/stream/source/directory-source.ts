/**
 * The directory source: new files in a watched directory, each read whole, in the order they were
 * discovered. Discovery is logged in the stream's area of the lake (`discovered/<seq>.json`, one
 * object per file, written with putIfAbsent), so a file gets its place in the order exactly once and
 * a restarted stream — on any machine — reads the same files for the same offsets. Offsets:
 * `{ files: n }`, the files consumed.
 *
 * Files must be complete when they appear: write them elsewhere (or under a `.tmp` / hidden name)
 * and rename them in. NDJSON for `format: json` (one record per non-empty line); Avro object
 * container files for `format: avro` (each datum becomes one record).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import avro from 'avsc';
import { StrataError } from '../../core/index.ts';
import { globToRegExp } from '../../ingest/input-files.ts';
import type { DirectorySourceDefinition, SourceContext, SourceOffsets, SourceRecord, StreamSource } from '../model/index.ts';
import { countNdjsonLines, ndjsonLines } from './ndjson-lines.ts';

interface DiscoveredFile {
  readonly seq: number;
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly records: number;
}

const DISCOVERED = /^discovered\/(\d{12})\.json$/;

export async function openDirectorySource(definition: DirectorySourceDefinition, context: SourceContext): Promise<StreamSource> {
  const pattern = globToRegExp(definition.pattern);
  const files: DiscoveredFile[] = [];
  const known = new Set<string>();
  const position = (offsets: SourceOffsets): number => offsets['files'] ?? 0;

  async function loadLog(): Promise<void> {
    for await (const info of context.store.list('discovered/')) {
      const m = DISCOVERED.exec(info.key);
      if (!m || files.some((f) => f.seq === Number(m[1]))) continue;
      const file = JSON.parse(new TextDecoder().decode(await context.store.get(info.key))) as DiscoveredFile;
      files.push(file);
      known.add(file.name);
    }
    files.sort((a, b) => a.seq - b.seq);
  }

  /** Logs files that appeared since the last look, oldest first. */
  async function discover(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(definition.path);
    } catch (error) {
      throw new StrataError('SOURCE_UNAVAILABLE', `Cannot read the watched directory ${definition.path}: ${(error as Error).message}`, { path: definition.path }, { cause: error });
    }
    const fresh: { name: string; size: number; mtimeMs: number }[] = [];
    for (const name of names) {
      if (known.has(name) || name.startsWith('.') || name.endsWith('.tmp') || !pattern.test(name)) continue;
      const info = await stat(join(definition.path, name)).catch(() => undefined);
      if (info?.isFile()) fresh.push({ name, size: info.size, mtimeMs: info.mtimeMs });
    }
    fresh.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : 1));
    for (const candidate of fresh) {
      const records = await countRecords(join(definition.path, candidate.name));
      for (;;) {
        const seq = (files.at(-1)?.seq ?? -1) + 1;
        const file: DiscoveredFile = { seq, ...candidate, records };
        if (await context.store.putIfAbsent(keyOf(seq), new TextEncoder().encode(JSON.stringify(file)))) {
          files.push(file);
          known.add(file.name);
          break;
        }
        await loadLog(); // another process logged this number first
        if (known.has(candidate.name)) break;
      }
    }
  }

  async function countRecords(path: string): Promise<number> {
    const body = await readFile(path);
    if (definition.format.kind === 'json') return countNdjsonLines(body);
    let count = 0;
    for await (const datum of avroDatums(path)) if (datum) count++;
    return count;
  }

  async function* avroDatums(path: string): AsyncGenerator<Uint8Array> {
    let type: avro.Type | undefined;
    const decoder = avro.createFileDecoder(path, { codecs: {} }).on('metadata', (t: avro.Type) => (type = t));
    for await (const value of decoder as AsyncIterable<unknown>) yield new Uint8Array((type as avro.Type).toBuffer(value));
  }

  await loadLog();
  return {
    kind: 'directory',
    initialOffsets: () => Promise.resolve({ files: 0 }),
    async latestOffsets(from, maxRecords) {
      await discover();
      let end = position(from);
      let total = 0;
      for (const file of files.filter((f) => f.seq >= position(from))) {
        if (file.seq !== end || (end > position(from) && total + file.records > maxRecords)) break;
        total += file.records;
        end = file.seq + 1;
      }
      return { files: end };
    },
    async *read(from, to) {
      for (let seq = position(from); seq < position(to); seq++) {
        let file = files.find((f) => f.seq === seq);
        if (!file) {
          await loadLog();
          file = files.find((f) => f.seq === seq);
        }
        if (!file) throw new StrataError('STATE_CORRUPT', `The discovery log of stream ${context.stream} has no file number ${seq}`, { seq });
        const path = join(definition.path, file.name);
        const records: SourceRecord[] = [];
        try {
          if (definition.format.kind === 'json') {
            for (const { line, bytes } of ndjsonLines(await readFile(path))) records.push({ payload: bytes, position: `${file.name}:${line}`, timestampMs: file.mtimeMs });
          } else {
            let index = 0;
            for await (const payload of avroDatums(path)) records.push({ payload, position: `${file.name}#${index++}`, timestampMs: file.mtimeMs });
          }
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            throw new StrataError('OBJECT_NOT_FOUND', `File ${path} was discovered by stream ${context.stream} but is gone; it cannot be read again`, { path });
          }
          throw error;
        }
        yield records;
      }
    },
    committed: () => Promise.resolve(),
    async backlog(from) {
      await discover();
      return files.filter((f) => f.seq >= position(from)).reduce((sum, f) => sum + f.records, 0);
    },
    close: () => Promise.resolve(),
  };
}

function keyOf(seq: number): string {
  return `discovered/${String(seq).padStart(12, '0')}.json`;
}
