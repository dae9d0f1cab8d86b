/** The BENCHMARKS.md section and headline for the TPC-H bench (tpch-bench.ts). */
import { markdownTable, ms, ratio, type Summary } from '../stats.ts';
import { LEG_NAMES, type LegKey, type TpchQueryTiming, type TpchResult } from './tpch-bench.ts';

const TITLE = '## (i) TPC-H: Strata on DuckDB and on Spark vs bare DuckDB, same Iceberg tables';
const thousands = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(1)} s`;

/** Geometric mean of `leg / bare` over the queries where both legs have a time. */
export function geometricMeanRatio(queries: readonly TpchQueryTiming[], leg: LegKey, base: LegKey = 'bare'): { value: number; queries: number } {
  const logs = queries.flatMap((q) => {
    const [a, b] = [q.timings[leg]?.p50, q.timings[base]?.p50];
    return a !== undefined && b !== undefined && b > 0 ? [Math.log(a / b)] : [];
  });
  return { value: logs.length === 0 ? NaN : Math.exp(logs.reduce((x, y) => x + y, 0) / logs.length), queries: logs.length };
}

function total(queries: readonly TpchQueryTiming[], leg: LegKey): number | undefined {
  if (queries.some((q) => q.timings[leg] === undefined)) return undefined;
  return queries.reduce((sum, q) => sum + (q.timings[leg]?.p50 ?? 0), 0);
}

const cell = (s: Summary | undefined) => (s ? ms(s.p50) : '—');

export function tpchSection(r: TpchResult): string[] {
  if (!r.ran) return [TITLE, '', `Not run: ${r.reason}.`, ''];
  const sparkRan = r.spark.ran;
  const rows = r.queries.map((q) => [
    `Q${q.id}`,
    q.name,
    thousands(q.rows),
    cell(q.timings.bare),
    cell(q.timings.duckdb),
    cell(q.timings.spark),
    cell(q.timings.sparkDirect),
    q.timings.duckdb && q.timings.bare ? `**${ratio(q.timings.duckdb.p50, q.timings.bare.p50)}**` : '—',
    q.timings.spark && q.timings.bare ? `**${ratio(q.timings.spark.p50, q.timings.bare.p50)}**` : '—',
    q.timings.spark && q.timings.sparkDirect ? ratio(q.timings.spark.p50, q.timings.sparkDirect.p50) : '—',
    q.problems.length === 0 ? '' : q.problems.map((p) => (p.leg === 'spec' ? 'spec row count differs' : `${LEG_NAMES[p.leg]}: ${p.problem.startsWith('failed') ? 'failed' : 'answer differs'}`)).join('; '),
  ]);
  const [bareTotal, duckdbTotal, sparkTotal] = [total(r.queries, 'bare'), total(r.queries, 'duckdb'), total(r.queries, 'spark')];
  const directTotal = total(r.queries, 'sparkDirect');
  const [duckdbGeo, sparkGeo] = [geometricMeanRatio(r.queries, 'duckdb'), geometricMeanRatio(r.queries, 'spark')];
  const frontEndGeo = geometricMeanRatio(r.queries, 'spark', 'sparkDirect');
  const fmt = (value: number | undefined) => (value === undefined ? '—' : ms(value));
  const geo = (g: { value: number }) => (Number.isFinite(g.value) ? ratio(g.value, 1) : '—');
  rows.push([
    r.queries.length === 22 ? '**all 22**' : `**${r.queries.length} queries**`,
    'sum of medians; ratio column = geometric mean of the per-query ratios',
    '',
    fmt(bareTotal),
    fmt(duckdbTotal),
    fmt(sparkTotal),
    fmt(directTotal),
    `**${geo(duckdbGeo)}**`,
    `**${geo(sparkGeo)}**`,
    geo(frontEndGeo),
    '',
  ]);
  const tableBytes = r.tables.reduce((sum, t) => sum + t.bytes, 0);
  const problems = r.queries.flatMap((q) => q.problems.map((p) => `- Q${q.id}, ${p.leg === 'spec' ? 'specification check' : LEG_NAMES[p.leg]}: ${p.problem}`));
  const q1 = r.queries.find((q) => q.id === 1);
  const firstQuery = r.queries[0];
  return [
    TITLE,
    '',
    `Method: the 22 TPC-H queries (bench/tpch/queries.ts, written from the specification with its validation parameters) at scale`,
    `factor ${r.scaleFactor}. Data from the real generator \`${r.generator}\` (Parquet; ${r.generatedMs === undefined ? 'taken from the bench/out cache' : `generated in ${seconds(r.generatedMs)}`}), loaded into`,
    `unpartitioned Strata Iceberg tables \`tpch.*\` with \`CREATE TABLE … AS SELECT * FROM read_parquet(…)\` on a trusted \`SqlSession\` in ${seconds(r.loadMs)}`,
    `(${r.tables.map((t) => `${t.name} ${thousands(t.rows)} rows`).join(', ')}; ${r.tables.reduce((n, t) => n + t.files, 0)} data files, ${(tableBytes / 1e6).toFixed(0)} MB).`,
    'All legs read the same data files: *bare DuckDB* = a DuckDB instance of its own with views `tpch.<table>` =',
    '`read_parquet([...])` over each table\'s data files (from `table.scan().planFiles()`), no Strata; *Strata on DuckDB* =',
    '`SqlSession.execute` over `DuckDbEngine` on the home\'s runtime (parse, catalog load, file planning, views, every batch',
    `streamed back); *Strata on Spark* = \`SqlSession.execute\` over \`SparkEngine\` on a Spark Connect server (\`local[${sparkRan ? r.spark.cores : 2}]\`${sparkRan ? `, ${r.spark.memory} heap, Spark ${r.spark.version}` : ''})`,
    'that reads the tables through the Iceberg REST catalog of a Strata server in the same process, pinned to the snapshot Strata',
    'planned. *Spark SQL direct* is a reference, not a Strata path: the same text with `tpch.` → `strata.tpch.` sent straight to',
    'the same Spark session (current snapshot, no views), so *Strata-Spark / Spark direct* is what Strata\'s front end adds on',
    'Spark (parse and plan in Node, one temporary view per table reference created and dropped over Spark Connect).',
    'The query text is otherwise the same on every leg. Per query: one warm-up run per leg whose answer is checked against bare',
    `DuckDB's (same rows, numbers equal up to the coarser side's decimal rounding${r.scaleFactor === 1 ? ", and the row count against the specification's SF 1 answer set" : ''}), then ${r.runs} timed`,
    'rounds with the legs alternating; p50 in ms. *Strata-X / bare* = how many times longer than bare DuckDB. All legs share',
    'the same 2 cores, one at a time.',
    '',
    sparkRan ? '' : `**Strata on Spark not run: ${r.spark.reason}.**`,
    '',
    markdownTable(
      ['query', 'title', 'rows', 'bare DuckDB', 'Strata on DuckDB', 'Strata on Spark', 'Spark SQL direct', 'Strata-DuckDB / bare', 'Strata-Spark / bare', 'Strata-Spark / Spark direct', 'checks'],
      rows,
    ),
    '',
    ...(problems.length > 0 ? ['Answer and run problems (these legs are left out of the query\'s timings):', '', ...problems, ''] : []),
    ...(r.spark.ran
      ? [
          "Spark's fixed costs (paid once per cluster or session, not in the per-query times above):",
          '',
          markdownTable(
            ['step', 'ms', 'what'],
            [
              ['Strata server start', ms(r.spark.fixed.serverStartMs), '`startServer` over the bench home (the REST catalog Spark reads through); already running in a deployment'],
              ['cluster start', ms(r.spark.fixed.clusterStartMs), '`startSparkCluster`: spark-submit spawned until the Spark Connect port answers'],
              ['session start', ms(r.spark.fixed.sessionStartMs), '`SparkEngine.connect` (new session, settings, lake catalog check) + `SqlSession.open` + `SELECT 1`'],
              [
                'first query',
                ms(firstQuery?.warmup.spark ?? NaN),
                `Q${firstQuery?.id ?? 1} on the new session, cold (its warm p50: ${q1?.timings.spark ? ms(q1.timings.spark.p50) : '—'} ms): JIT, Iceberg catalog and table loads, first scan`,
              ],
            ],
          ),
          '',
        ]
      : []),
  ];
}

export function tpchHeadline(r: TpchResult): string[] {
  if (!r.ran) return [`- TPC-H: not run (${r.reason}).`];
  const [bareTotal, duckdbTotal, sparkTotal] = [total(r.queries, 'bare'), total(r.queries, 'duckdb'), total(r.queries, 'spark')];
  const [duckdbGeo, sparkGeo] = [geometricMeanRatio(r.queries, 'duckdb'), geometricMeanRatio(r.queries, 'spark')];
  const problems = r.queries.reduce((n, q) => n + q.problems.length, 0);
  const parts = [
    `- TPC-H SF ${r.scaleFactor}, ${r.queries.length} queries (sum of medians): bare DuckDB ${bareTotal === undefined ? '—' : seconds(bareTotal)}, ` +
      `Strata on DuckDB ${duckdbTotal === undefined ? '—' : seconds(duckdbTotal)} (geometric mean ${ratio(duckdbGeo.value, 1)} bare), ` +
      (r.spark.ran
        ? `Strata on Spark local[${r.spark.cores}] ${sparkTotal === undefined ? '—' : seconds(sparkTotal)} (${ratio(sparkGeo.value, 1)}; ` +
          `${ratio(geometricMeanRatio(r.queries, 'spark', 'sparkDirect').value, 1)} Spark SQL sent directly); Spark cluster start ${seconds(r.spark.fixed.clusterStartMs)}, ` +
          `session ${seconds(r.spark.fixed.sessionStartMs)}, first query ${seconds(r.queries[0]?.warmup.spark ?? NaN)}.`
        : `Strata on Spark not run (${r.spark.reason}).`),
  ];
  if (problems > 0) parts.push(`  ${problems} answer or run problem(s): see (i).`);
  return parts;
}
