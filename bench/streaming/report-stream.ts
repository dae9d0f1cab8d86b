/** Section (j) of BENCHMARKS.md: Strata's stream vs Spark Structured Streaming. */
import { markdownTable } from '../stats.ts';
import type { StreamBenchResult } from './stream-bench.ts';

export function streamSection(result: StreamBenchResult): string[] {
  const lines = ['## (j) Streams: Strata vs Spark Structured Streaming on the same Kafka topic', ''];
  if (!result.ran) return [...lines, `Not run: ${result.reason}.`, ''];
  lines.push(
    `${result.kafka}. The same aggregation on both engines: 5-second tumbling windows per page (count, sum), watermark lateness 2 s, final windows appended to an Iceberg table in the same lake (Spark through Strata's REST catalog; local[2] from the pip pyspark wheel with Spark's Kafka connector). bench/streaming/stream-bench.ts.`,
    '',
    '**Sustained throughput** — the whole pre-filled topic processed with available-now (≤ 100 000 records per micro-batch), query start to end:',
    '',
  );
  const strata = result.throughput.find((t) => t.engine === 'Strata');
  lines.push(
    markdownTable(
      ['engine', 'events', 'time', 'events/s', 'vs Strata', 'windows written', 'start-up (not in time)'],
      result.throughput.map((t) => [
        t.engine,
        t.events.toLocaleString('en-US'),
        `${(t.ms / 1000).toFixed(1)} s`,
        Math.round(t.events / (t.ms / 1000)).toLocaleString('en-US'),
        strata ? `${(t.events / t.ms / (strata.events / strata.ms)).toFixed(2)}×` : '',
        String(t.windows),
        t.startupMs === undefined ? '—' : `${(t.startupMs / 1000).toFixed(1)} s`,
      ]),
    ),
    '',
    result.sameAnswer === undefined ? '' : `Both engines wrote the same window rows: ${result.sameAnswer ? 'yes' : '**no — investigate**'}.`,
    '',
    '**End-to-end latency at live input rates** — events stamped with the wall clock when produced, a 1-second trigger, the sink polled every 200 ms. *Event → visible*: from producing an event to its window row appearing in the table (includes waiting for the window to end and the watermark to pass it: at least window + lateness, 2–7 s). *Engine delay*: from the moment the watermark could first close a window (window end + lateness) to its row appearing.',
    '',
    markdownTable(
      ['engine', 'target rate', 'achieved', 'event → visible p50 / p95 / p99', 'engine delay p50 / p95', 'windows'],
      result.latency.map((l) => [
        l.engine,
        `${l.rate.toLocaleString('en-US')}/s`,
        `${Math.round(l.achievedRate).toLocaleString('en-US')}/s`,
        `${(l.eventP50 / 1000).toFixed(2)} / ${(l.eventP95 / 1000).toFixed(2)} / ${(l.eventP99 / 1000).toFixed(2)} s`,
        `${(l.delayP50 / 1000).toFixed(2)} / ${(l.delayP95 / 1000).toFixed(2)} s`,
        String(l.windows),
      ]),
    ),
    '',
  );
  if (result.sparkNote) lines.push(`Note: ${result.sparkNote}.`, '');
  return lines;
}

/** One headline line for the top of BENCHMARKS.md. */
export function streamHeadline(result: StreamBenchResult): string[] {
  if (!result.ran) return [];
  const strata = result.throughput.find((t) => t.engine === 'Strata');
  const spark = result.throughput.find((t) => t.engine !== 'Strata');
  if (!strata) return [];
  const rate = (t: { events: number; ms: number }): string => Math.round(t.events / (t.ms / 1000)).toLocaleString('en-US');
  const lastStrata = [...result.latency].reverse().find((l) => l.engine === 'Strata');
  const lastSpark = [...result.latency].reverse().find((l) => l.engine !== 'Strata' && l.rate === lastStrata?.rate);
  return [
    `- Streams (5 s windows over Kafka): Strata ${rate(strata)} events/s over a backlog` +
      (spark ? `, Spark Structured Streaming local[2] ${rate(spark)} events/s (${(strata.events / strata.ms / (spark.events / spark.ms)).toFixed(1)}× in Strata's favour)` : '') +
      (lastStrata ? `; at ${lastStrata.rate.toLocaleString('en-US')} events/s a closed window is visible after ${(lastStrata.delayP50 / 1000).toFixed(2)} s (p50) on Strata` : '') +
      (lastSpark ? `, ${(lastSpark.delayP50 / 1000).toFixed(2)} s on Spark.` : '.'),
  ];
}
