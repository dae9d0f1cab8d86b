/**
 * Per-stream metrics in Prometheus form, labelled by stream: what Spark's StreamingQueryProgress
 * reports (input and processed rows per second, batch duration, watermark delay, state size), plus
 * the dead-letter counts by reason and the backlog. Registered on the server's registry under
 * `strata serve`, or on a runner's own registry (served by `strata stream start --metrics-port`).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BatchProgress, DeadLetterReason } from '../model/index.ts';

const byRegistry = new WeakMap<Registry, StreamMetrics>();

export class StreamMetrics {
  /** The one StreamMetrics of a registry (Prometheus refuses a metric name registered twice). */
  static for(registry: Registry): StreamMetrics {
    let metrics = byRegistry.get(registry);
    if (!metrics) {
      metrics = new StreamMetrics(registry);
      byRegistry.set(registry, metrics);
    }
    return metrics;
  }

  readonly #inputRate: Gauge;
  readonly #processedRate: Gauge;
  readonly #batchDuration: Histogram;
  readonly #watermarkDelay: Gauge;
  readonly #stateRows: Gauge;
  readonly #stateBytes: Gauge;
  readonly #deadLetters: Counter;
  readonly #batches: Counter;
  readonly #rowsIn: Counter;
  readonly #rowsOut: Counter;
  readonly #backlog: Gauge;
  readonly #failures: Counter;

  private constructor(registry: Registry) {
    const registers = [registry];
    const labelNames = ['stream'] as const;
    this.#inputRate = new Gauge({ name: 'strata_stream_input_rows_per_second', help: 'Records arriving per second, over the last micro-batch interval', labelNames, registers });
    this.#processedRate = new Gauge({ name: 'strata_stream_processed_rows_per_second', help: 'Records processed per second of the last micro-batch', labelNames, registers });
    this.#batchDuration = new Histogram({
      name: 'strata_stream_batch_duration_seconds',
      help: 'Micro-batch duration, plan to progress record',
      labelNames,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.#watermarkDelay = new Gauge({ name: 'strata_stream_watermark_delay_seconds', help: 'Processing time minus the watermark after the last batch', labelNames, registers });
    this.#stateRows = new Gauge({ name: 'strata_stream_state_rows', help: 'Keys in the stream state store', labelNames, registers });
    this.#stateBytes = new Gauge({ name: 'strata_stream_state_bytes', help: 'Approximate serialized size of the stream state', labelNames, registers });
    this.#deadLetters = new Counter({ name: 'strata_stream_dead_letters_total', help: 'Records sent to the dead-letter table, by reason', labelNames: ['stream', 'reason'], registers });
    this.#batches = new Counter({ name: 'strata_stream_batches_total', help: 'Committed micro-batches', labelNames, registers });
    this.#rowsIn = new Counter({ name: 'strata_stream_input_rows_total', help: 'Records read from the source in committed batches', labelNames, registers });
    this.#rowsOut = new Counter({ name: 'strata_stream_output_rows_total', help: 'Rows committed to the sink', labelNames, registers });
    this.#backlog = new Gauge({ name: 'strata_stream_backlog_records', help: 'Records available in the source but not yet processed', labelNames, registers });
    this.#failures = new Counter({ name: 'strata_stream_batch_failures_total', help: 'Micro-batch attempts that failed (and were retried from the last commit)', labelNames, registers });
  }

  batchCommitted(progress: BatchProgress, letters: ReadonlyMap<DeadLetterReason, number>, intervalMs: number | undefined): void {
    const stream = { stream: progress.stream };
    const seconds = progress.durations.total / 1000;
    this.#batches.inc(stream);
    this.#rowsIn.inc(stream, progress.rowsIn);
    this.#rowsOut.inc(stream, progress.rowsOut);
    this.#batchDuration.observe(stream, seconds);
    this.#processedRate.set(stream, seconds > 0 ? progress.rowsIn / seconds : 0);
    if (intervalMs !== undefined && intervalMs > 0) this.#inputRate.set(stream, progress.rowsIn / (intervalMs / 1000));
    this.#stateRows.set(stream, progress.stateRows);
    this.#stateBytes.set(stream, progress.stateBytes);
    if (progress.watermark !== undefined) this.#watermarkDelay.set(stream, Math.max(0, progress.finishedAt / 1000 - Number(BigInt(progress.watermark) / 1000n) / 1000));
    for (const [reason, count] of letters) this.#deadLetters.inc({ stream: progress.stream, reason }, count);
  }

  backlog(stream: string, records: number): void {
    this.#backlog.set({ stream }, records);
  }

  batchFailed(stream: string): void {
    this.#failures.inc({ stream });
  }
}
