// Payload decoding for streams: JSON and Avro records validated against the source's columns.
export { recordDecoder, type DecodeResult, type RecordDecoder } from './record-decoder.ts';
export { encodeAvroDatum } from './avro-values.ts';
export { rowToJson } from './row-json.ts';
