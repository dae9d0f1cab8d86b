// The stream plane: micro-batch streaming from Kafka, watched directories and HTTP ingest into
// Iceberg tables, with event-time windows, watermarks, checkpointed state, exactly-once commits
// and dead-letter tables. See docs/streams.md.
export * from './model/index.ts';
export { defineStream, parseStreamYaml, loadStreamFile, streamVersion, checkCompatibility } from './definition/index.ts';
export { ingestRequest, type IngestReply } from './source/http-source.ts';
export { HttpIngestLog } from './source/http-ingest-log.ts';
export { StreamRunner, type FaultPoint, type RunOptions, type RunSummary, type StreamRunnerOptions } from './runtime/stream-runner.ts';
export { StreamService, type StreamServiceOptions } from './runtime/stream-service.ts';
export { StreamStore, type StreamRecord, type StreamStatus, type DesiredState } from './runtime/stream-store.ts';
export { StreamMetrics } from './runtime/stream-metrics.ts';
export { streamArea, type StreamArea } from './runtime/stream-area.ts';
export { isoOfMicros } from './time/index.ts';
