// Where a stream's batches land: the Iceberg sink (append / upsert) and the dead-letter table.
export { openStreamSink, type StreamSink, type StreamSinkOptions } from './stream-sink.ts';
export { writeDeadLetters, DEAD_LETTER_FIELDS, type DeadLetterWrite } from './dead-letter-table.ts';
export { partitionField } from './partition-terms.ts';
