/**
 * The durable log behind a stream's HTTP source: each accepted POST body is one segment object
 * (`segments/<seq>.ndjson`) in the stream's area of the lake, numbered without gaps across threads
 * and processes (`putIfAbsent` on the next number, retrying on the next one when another writer got
 * there first). A segment is written whole before the request is answered, so an acknowledged
 * record is durable; segments are deleted only after the batch that read them committed.
 *
 * Readers only take segments with consecutive numbers from where they are: a segment whose write is
 * still in flight holds back the ones after it, so none is ever skipped.
 */
import type { ObjectStore } from '../../storage/index.ts';
import { countNdjsonLines } from './ndjson-lines.ts';

const SEGMENT = /^segments\/(\d{12})\.ndjson$/;
const COMMITTED = 'committed.json';
/** How long consumed segments are kept before deletion (see markCommitted). */
const CONSUMED_RETENTION_MS = 10 * 60_000;

export interface HttpIngestLogOptions {
  /** Consumed segments younger than this are kept (default 10 minutes; tests use 0). */
  readonly consumedRetentionMs?: number;
}

export interface Segment {
  readonly seq: number;
  readonly records: number;
  readonly writtenAtMs: number;
}

export class HttpIngestLog {
  readonly store: ObjectStore;
  readonly #counts = new Map<number, number>();
  #appending: Promise<unknown> = Promise.resolve();
  #next: number | undefined;

  readonly #retentionMs: number;

  constructor(store: ObjectStore, options: HttpIngestLogOptions = {}) {
    this.store = store;
    this.#retentionMs = options.consumedRetentionMs ?? CONSUMED_RETENTION_MS;
  }

  /** Stores `body` as the next segment; resolves once it is durable. */
  append(body: Uint8Array): Promise<{ segment: number; records: number }> {
    const run = this.#appending.then(async () => {
      const records = countNdjsonLines(body);
      // Never below the committed position: a number freed by the deletion of consumed segments
      // would be written, acknowledged — and never read.
      let seq = Math.max(this.#next ?? 0, (await this.#lastSeq()) + 1);
      while (!(await this.store.putIfAbsent(keyOf(seq), body))) seq++;
      this.#next = seq + 1;
      this.#counts.set(seq, records);
      return { segment: seq, records };
    });
    this.#appending = run.catch(() => undefined);
    return run;
  }

  /** Segments from `from` on, consecutive only (stops at the first gap). */
  async segments(from: number): Promise<Segment[]> {
    const found = new Map<number, number>();
    for await (const info of this.store.list('segments/')) {
      const m = SEGMENT.exec(info.key);
      if (m && Number(m[1]) >= from) found.set(Number(m[1]), info.lastModified.getTime());
    }
    const segments: Segment[] = [];
    for (let seq = from; found.has(seq); seq++) segments.push({ seq, records: await this.#records(seq), writtenAtMs: found.get(seq) ?? 0 });
    return segments;
  }

  async read(seq: number): Promise<Uint8Array> {
    return this.store.get(keyOf(seq));
  }

  /** Where the stream's committed batches ended. */
  async committed(): Promise<number> {
    if (!(await this.store.head(COMMITTED))) return 0;
    const parsed = JSON.parse(new TextDecoder().decode(await this.store.get(COMMITTED))) as { segments?: number };
    return parsed.segments ?? 0;
  }

  /**
   * Records the commit and deletes consumed segments once they are a few minutes old: the highest
   * consumed number stays listed meanwhile, so a writer in another process that read an older
   * committed position still numbers its segment after it.
   */
  async markCommitted(segments: number): Promise<void> {
    await this.store.put(COMMITTED, new TextEncoder().encode(JSON.stringify({ segments })));
    const stale: string[] = [];
    const cutoff = Date.now() - this.#retentionMs;
    for await (const info of this.store.list('segments/')) {
      const m = SEGMENT.exec(info.key);
      if (m && Number(m[1]) < segments - 1 && info.lastModified.getTime() <= cutoff) stale.push(info.key);
    }
    if (stale.length > 0) await this.store.deleteMany(stale);
    for (const seq of [...this.#counts.keys()]) if (seq < segments) this.#counts.delete(seq);
  }

  /** Accepted records not yet in a committed batch. */
  async backlog(): Promise<number> {
    const from = await this.committed();
    let total = 0;
    for (const segment of await this.segments(from)) total += segment.records;
    return total;
  }

  async #records(seq: number): Promise<number> {
    const known = this.#counts.get(seq);
    if (known !== undefined) return known;
    const count = countNdjsonLines(await this.read(seq));
    this.#counts.set(seq, count);
    return count;
  }

  async #lastSeq(): Promise<number> {
    let last = (await this.committed()) - 1;
    for await (const info of this.store.list('segments/')) {
      const m = SEGMENT.exec(info.key);
      if (m) last = Math.max(last, Number(m[1]));
    }
    return last;
  }
}

function keyOf(seq: number): string {
  return `segments/${String(seq).padStart(12, '0')}.ndjson`;
}
