/**
 * The query service's Prometheus metrics, registered on the server's registry (served at
 * /metrics). A second service on the same registry reuses the registered metrics rather than
 * failing on duplicate names.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface QueryMetrics {
  readonly queries: Counter<'state' | 'workgroup'>;
  readonly queueDepth: Gauge<'workgroup'>;
  readonly bytesScanned: Counter<'workgroup'>;
  readonly duration: Histogram<'workgroup'>;
  readonly reuse: Counter<'hit'>;
}

export function queryMetrics(registry: Registry): QueryMetrics {
  const existing = <T>(name: string): T | undefined => registry.getSingleMetric(name) as T | undefined;
  return {
    queries:
      existing<Counter<'state' | 'workgroup'>>('strata_queries_total') ??
      new Counter({ name: 'strata_queries_total', help: 'Finished queries by final state and workgroup', labelNames: ['state', 'workgroup'], registers: [registry] }),
    queueDepth:
      existing<Gauge<'workgroup'>>('strata_query_queue_depth') ??
      new Gauge({ name: 'strata_query_queue_depth', help: 'Queries waiting for a slot, by workgroup', labelNames: ['workgroup'], registers: [registry] }),
    bytesScanned:
      existing<Counter<'workgroup'>>('strata_query_bytes_scanned_total') ??
      new Counter({
        name: 'strata_query_bytes_scanned_total',
        help: 'Bytes scanned by queries, by workgroup (bytes planned after pruning)',
        labelNames: ['workgroup'],
        registers: [registry],
      }),
    duration:
      existing<Histogram<'workgroup'>>('strata_query_duration_seconds') ??
      new Histogram({
        name: 'strata_query_duration_seconds',
        help: 'Query duration from submission to finish, by workgroup',
        labelNames: ['workgroup'],
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
        registers: [registry],
      }),
    reuse:
      existing<Counter<'hit'>>('strata_result_reuse_total') ??
      new Counter({ name: 'strata_result_reuse_total', help: 'Result reuse lookups by outcome (hit=true|false)', labelNames: ['hit'], registers: [registry] }),
  };
}
