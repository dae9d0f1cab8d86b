/** Re-cut a stream of row batches into batches of exactly `size` rows (the last may be shorter): an engine's `batchRows`. */
export async function* rebatch(source: AsyncIterable<readonly unknown[][]>, size: number): AsyncGenerator<unknown[][]> {
  let pending: unknown[][] = [];
  for await (const rows of source) {
    let offset = 0;
    while (offset < rows.length) {
      const take = Math.min(size - pending.length, rows.length - offset);
      pending.push(...rows.slice(offset, offset + take));
      offset += take;
      if (pending.length === size) {
        yield pending;
        pending = [];
      }
    }
  }
  if (pending.length > 0) yield pending;
}
