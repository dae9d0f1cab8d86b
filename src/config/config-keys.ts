/**
 * Every config key Strata knows, in one table: its dotted name (as written in `strata.yaml`), the
 * environment variable that overrides it, its default and how a raw value is parsed and checked.
 *
 * The env var is always `STRATA_` + the key upper-cased with dots as underscores
 * (`duckdb.memory_limit` → `STRATA_DUCKDB_MEMORY_LIMIT`), so users can guess it.
 *
 * Gotcha: `null` is a real value for some keys and means "let the engine decide" (e.g. DuckDB's own
 * default of 80% of RAM for `duckdb.memory_limit`); it is not the same as "unset".
 */
import { join } from 'node:path';

/** Parses a raw value (a YAML scalar, or an env var's text) or returns why it is not acceptable. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

export interface ConfigKeyDefinition<T> {
  readonly description: string;
  /** Default for an embedded home; a function when it depends on the home directory. */
  readonly default: T | ((home: string) => T);
  /** Text for docs and the generated strata.yaml when the default depends on the home. */
  readonly defaultText?: string;
  readonly parse: (raw: unknown) => ParseResult<T>;
}

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const bad = (expected: string): ParseResult<never> => ({ ok: false, expected });

function integer(min: number): (raw: unknown) => ParseResult<number> {
  return (raw) => {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) && n >= min ? ok(n) : bad(`an integer >= ${min}`);
  };
}

/** Like `integer`, but null (or an empty env var) means "let the engine decide". */
function integerOrNull(min: number): (raw: unknown) => ParseResult<number | null> {
  const parse = integer(min);
  return (raw) => {
    if (raw === null || raw === '' || raw === 'null') return ok(null);
    const result = parse(raw);
    return result.ok ? result : bad(`${result.expected} or null`);
  };
}

function ratio(raw: unknown): ParseResult<number> {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 1 ? ok(n) : bad('a number between 0 and 1');
}

/** DuckDB's size strings: `512MB`, `4GB`, `1.5GiB`, `80%` is not accepted by DuckDB here. */
function size(raw: unknown): ParseResult<string | null> {
  if (raw === null || raw === '' || raw === 'null') return ok(null);
  const text = String(raw).trim();
  return /^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(text) ? ok(text) : bad('a size such as 512MB or 4GB, or null');
}

function text(raw: unknown): ParseResult<string> {
  return typeof raw === 'string' && raw.trim() !== '' ? ok(raw.trim()) : bad('a non-empty string');
}

/** The catalog database: empty for the embedded SQLite file in the home, or a Postgres URL. */
function catalogUrl(raw: unknown): ParseResult<string> {
  if (raw === null || raw === undefined) return ok('');
  if (typeof raw !== 'string') return bad('empty (the embedded SQLite catalog) or a postgres:// URL');
  const url = raw.trim();
  return url === '' || /^postgres(ql)?:\/\/\S+$/i.test(url) ? ok(url) : bad('empty (the embedded SQLite catalog) or a postgres:// URL');
}

/** The lake: empty for <home>/lake, or s3://bucket[/prefix]. */
function lakeUri(raw: unknown): ParseResult<string> {
  const expected = 'empty (the lake in <home>/lake) or s3://bucket[/prefix]';
  if (raw === null || raw === undefined) return ok('');
  if (typeof raw !== 'string') return bad(expected);
  const uri = raw.trim();
  return uri === '' || /^s3:\/\/[a-z0-9][a-z0-9.-]*(\/\S*)?$/.test(uri) ? ok(uri) : bad(expected);
}

/** Empty means "unset" (e.g. AWS S3's own endpoint). */
function optionalText(raw: unknown): ParseResult<string> {
  if (raw === null || raw === undefined) return ok('');
  return typeof raw === 'string' ? ok(raw.trim()) : bad('a string');
}

function bool(raw: unknown): ParseResult<boolean> {
  if (raw === true || raw === 'true') return ok(true);
  if (raw === false || raw === 'false') return ok(false);
  return bad('true or false');
}

/** A JVM heap size as Spark's --driver-memory (and -Xmx) takes it: 2g, 768m. */
function jvmSize(raw: unknown): ParseResult<string> {
  const text = typeof raw === 'string' ? raw.trim() : '';
  return /^[1-9]\d*[kmgt]$/i.test(text) ? ok(text) : bad('a JVM size such as 2g or 768m');
}

/** Empty, or a Spark Connect connection string. */
function sparkConnectUrl(raw: unknown): ParseResult<string> {
  if (raw === null || raw === undefined) return ok('');
  const url = typeof raw === 'string' ? raw.trim() : undefined;
  return url !== undefined && (url === '' || /^sc:\/\/\S+$/.test(url)) ? ok(url) : bad('empty (the managed cluster of strata compute up) or sc://host:port/;token=…');
}

/** Empty, or an http(s) URL. */
function httpUrlOrEmpty(raw: unknown): ParseResult<string> {
  if (raw === null || raw === undefined) return ok('');
  const url = typeof raw === 'string' ? raw.trim() : undefined;
  return url !== undefined && (url === '' || /^https?:\/\/\S+$/i.test(url)) ? ok(url) : bad('empty or an http(s):// URL');
}

function oneOf<const V extends string>(...values: V[]): (raw: unknown) => ParseResult<V> {
  return (raw) => ((values as unknown[]).includes(raw) ? ok(raw as V) : bad(`one of ${values.join(', ')}`));
}

function define<T>(definition: ConfigKeyDefinition<T>): ConfigKeyDefinition<T> {
  return definition;
}

export const OUTPUT_FORMATS = ['table', 'json', 'csv', 'parquet'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const CONFIG_KEYS = {
  'catalog.url': define({
    description:
      'Where the catalog lives: empty for the embedded SQLite file <home>/catalog.db, or postgres://user:password@host:5432/database to share one catalog between machines.',
    default: '',
    parse: catalogUrl,
  }),
  'lake.uri': define({
    description:
      'Where the lake (every table file) lives: empty for <home>/lake, or s3://bucket/prefix for AWS S3 or an S3-compatible server. S3 credentials come from the AWS SDK chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, roles), never from this file.',
    default: '',
    parse: lakeUri,
  }),
  'lake.s3_endpoint': define({
    description: 'With an s3:// lake.uri: the endpoint of an S3-compatible server (e.g. http://127.0.0.1:9000); empty for AWS S3.',
    default: '',
    parse: optionalText,
  }),
  'lake.s3_region': define({
    description: 'With an s3:// lake.uri: the bucket\'s region.',
    default: 'us-east-1',
    parse: text,
  }),
  'lake.s3_path_style': define({
    description: 'With an s3:// lake.uri: path-style URLs (endpoint/bucket/key), which most self-hosted S3-compatible servers need.',
    default: false,
    parse: bool,
  }),
  'duckdb.memory_limit': define({
    description: "DuckDB's memory limit (e.g. 4GB); null leaves DuckDB's default (80% of RAM).",
    default: null,
    parse: size,
  }),
  'duckdb.threads': define({
    description: 'DuckDB worker threads; null uses one per CPU core.',
    default: null,
    parse: integerOrNull(1),
  }),
  'duckdb.pool_size': define({
    description: 'Connections the embedded engine keeps open for concurrent queries.',
    default: 4,
    parse: integer(1),
  }),
  'duckdb.temp_directory': define({
    description: 'Where DuckDB spills to disk and Strata stages files before they reach the lake.',
    default: (home: string) => join(home, 'tmp'),
    defaultText: '<home>/tmp',
    parse: text,
  }),
  'query.engine': define<EngineName>({
    description: 'Engine `strata sql` runs on unless --engine says otherwise: duckdb (embedded) or spark (the cluster of compute.spark.url or `strata compute up`).',
    default: 'duckdb',
    parse: oneOf('duckdb', 'spark'),
  }),
  'query.timeout_ms': define({
    description: 'Cancel a query after this many milliseconds; 0 means no timeout.',
    default: 0,
    parse: integer(0),
  }),
  'query.batch_rows': define({
    description: 'Rows per batch when results stream from the engine.',
    default: 2048,
    parse: integer(1),
  }),
  'ingest.max_bad_ratio': define({
    description: 'Fail an ingest when more than this share of records is quarantined (1 = never fail for bad records).',
    default: 1,
    parse: ratio,
  }),
  principal: define({
    description: 'Who the CLI acts as (grants, masks, row filters, audit); `strata init` makes this principal the local administrator.',
    default: 'admin',
    parse: text,
  }),
  'output.format': define<OutputFormat>({
    description: 'Default --format of the CLI: table, json, csv or parquet.',
    default: 'table',
    parse: oneOf(...OUTPUT_FORMATS),
  }),
  'output.max_cell_width': define({
    description: 'Table output truncates cells longer than this many characters.',
    default: 40,
    parse: integer(4),
  }),
  'server.host': define({
    description: 'Address `strata serve` listens on; loopback by default, so nothing outside this machine reaches it.',
    default: '127.0.0.1',
    parse: text,
  }),
  'server.port': define({
    description: 'Port `strata serve` listens on (0 picks a free one).',
    default: 8181,
    parse: integer(0),
  }),
  'server.body_limit_bytes': define({
    description: 'Largest request body `strata serve` accepts; bigger requests get 413.',
    default: 1_048_576,
    parse: integer(1024),
  }),
  'server.shutdown_grace_ms': define({
    description: 'On shutdown, how long running queries may finish before they are cancelled.',
    default: 10_000,
    parse: integer(0),
  }),
  'server.result_retention_ms': define({
    description: "How long the query service keeps a query's stored result (readable and reusable) in the lake's results zone.",
    default: 86_400_000,
    parse: integer(1000),
  }),
  'server.history_retention_days': define({
    description: 'Days of query history kept in system.query_history (0 = keep everything).',
    default: 0,
    parse: integer(0),
  }),
  'pipelines.poll_interval_ms': define({
    description: 'How often `strata pipeline schedule` and `strata serve --pipelines` look for due schedule ticks and queued runs.',
    default: 5_000,
    parse: integer(100),
  }),
  'pipelines.concurrency': define({
    description: 'Pipeline runs at once across all pipelines in one Strata process.',
    default: 2,
    parse: integer(1),
  }),
  'server.log_level': define<LogLevel>({
    description: 'Level of the server\'s JSON logs: fatal, error, warn, info, debug, trace or silent.',
    default: 'info',
    parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
  }),
  'compute.spark.cores': define({
    description: 'Worker threads of the local Spark cluster `strata compute up` starts (--master local[<cores>]).',
    default: 2,
    parse: integer(1),
  }),
  'compute.spark.memory': define({
    description: 'Driver heap of the local Spark cluster `strata compute up` starts (--driver-memory), e.g. 2g or 768m.',
    default: '2g',
    parse: jvmSize,
  }),
  'compute.spark.url': define({
    description:
      'Spark Connect endpoint Strata uses: empty for the local cluster of `strata compute up`, or sc://host:port/;token=… for an existing cluster (EMR, Kubernetes), configuration only.',
    default: '',
    parse: sparkConnectUrl,
  }),
  'compute.spark.catalog_uri': define({
    description:
      "Strata's Iceberg REST catalog as the Spark of `strata compute up` reaches it (a running `strata serve`); empty means http://127.0.0.1:<server.port>.",
    default: '',
    parse: httpUrlOrEmpty,
  }),
} as const;

/** The SQL engines a session can run on. */
export type EngineName = 'duckdb' | 'spark';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** The effective values, one per key, typed by each key's parser. */
export type ConfigValues = {
  readonly [K in ConfigKey]: (typeof CONFIG_KEYS)[K] extends ConfigKeyDefinition<infer T> ? T : never;
};

export function envVarOf(key: ConfigKey): string {
  return `STRATA_${key.toUpperCase().replaceAll('.', '_')}`;
}

export function defaultOf<K extends ConfigKey>(key: K, home: string): ConfigValues[K] {
  const d: unknown = CONFIG_KEYS[key].default;
  return (typeof d === 'function' ? (d as (home: string) => unknown)(home) : d) as ConfigValues[K];
}
