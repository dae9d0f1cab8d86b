/**
 * What every CLI output renders: column names (with the engine's SQL type when known) and rows
 * arriving in batches. Query results stream this way from the engine; metadata commands wrap their
 * small arrays with `rowStreamOf`.
 */
export interface OutputColumn {
  readonly name: string;
  /** The engine's SQL type text (e.g. `BIGINT`, `DECIMAL(12,2)`); drives alignment and Parquet types. */
  readonly type?: string;
}

export interface RowStream {
  readonly columns: readonly OutputColumn[];
  readonly rows: AsyncIterable<readonly (readonly unknown[])[]>;
}

/** Where rendered text goes; `write` resolves once the chunk may be followed by another (backpressure). */
export interface TextSink {
  write(chunk: string): Promise<void>;
}

export function rowStreamOf(columns: readonly OutputColumn[], rows: readonly (readonly unknown[])[], batchRows = 1024): RowStream {
  return {
    columns,
    rows: (async function* () {
      for (let i = 0; i < rows.length; i += batchRows) yield rows.slice(i, i + batchRows);
    })(),
  };
}

/** A sink over a Node writable (stdout, a file) that waits for 'drain' when the buffer is full. */
export function writableSink(stream: NodeJS.WritableStream): TextSink {
  return {
    write(chunk) {
      if (stream.write(chunk)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onDrain = () => {
          stream.off('error', onError);
          resolve();
        };
        const onError = (error: unknown) => {
          stream.off('drain', onDrain);
          reject(error instanceof Error ? error : new Error(String(error)));
        };
        stream.once('drain', onDrain);
        stream.once('error', onError);
      });
    },
  };
}

/** A sink that keeps everything in memory (tests, small outputs). */
export function stringSink(): TextSink & { text(): string } {
  const parts: string[] = [];
  return {
    write(chunk) {
      parts.push(chunk);
      return Promise.resolve();
    },
    text: () => parts.join(''),
  };
}

/**
 * Unique names for object keys (JSON lines, Parquet columns): a query may return two columns named
 * `id`; the second becomes `id_1`, the third `id_2`, as DuckDB itself does for tables.
 */
export function uniqueColumnNames(columns: readonly OutputColumn[]): string[] {
  const seen = new Set<string>();
  return columns.map(({ name }) => {
    let candidate = name;
    for (let n = 1; seen.has(candidate); n++) candidate = `${name}_${n}`;
    seen.add(candidate);
    return candidate;
  });
}

/** Output columns from `name[:TYPE]` specs (type default VARCHAR), e.g. `columnsOf(['stream', 'batches:BIGINT'])`. */
export function columnsOf(specs: readonly string[]): OutputColumn[] {
  return specs.map((spec) => {
    const [name = spec, type = 'VARCHAR'] = spec.split(/:(.*)/s);
    return { name, type };
  });
}
