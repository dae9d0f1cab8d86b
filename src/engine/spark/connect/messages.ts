/**
 * The Spark Connect protocol messages Strata uses, declared in code with protobufjs reflection.
 *
 * The field numbers and wire types come from the Spark Connect protocol (Spark 4.0, package
 * `spark.connect`, service `spark.connect.SparkConnectService`) and from `google.rpc.Status` /
 * `google.rpc.ErrorInfo`. Only the fields Strata reads or writes are declared: protobuf skips unknown
 * fields on decode, so a newer server's extra fields are harmless.
 *
 * Gotchas:
 * - Nested protocol messages (e.g. `ExecutePlanRequest.RequestOption`) are declared here with flat
 *   names; a message's name never travels on the wire, only field numbers do.
 * - Protocol enums are declared as `int32` (the same varint on the wire); the values live in
 *   `InterruptType` below.
 * - Decoded objects use the protocol's snake_case field names and carry int64 fields as strings
 *   (see `decode`), so nothing loses precision.
 */
import protobuf from 'protobufjs';

type FieldSpec = readonly [name: string, id: number, type: string, rule?: 'repeated' | 'map'];

function message(name: string, fields: readonly FieldSpec[]): protobuf.Type {
  const type = new protobuf.Type(name);
  for (const [fieldName, id, fieldType, rule] of fields) {
    if (rule === 'map') type.add(new protobuf.MapField(fieldName, id, 'string', fieldType));
    else type.add(new protobuf.Field(fieldName, id, fieldType, rule));
  }
  return type;
}

const root = new protobuf.Root();

root.define('google.protobuf').add(message('Any', [['type_url', 1, 'string'], ['value', 2, 'bytes']]));
root
  .define('google.rpc')
  .add(
    message('Status', [
      ['code', 1, 'int32'],
      ['message', 2, 'string'],
      ['details', 3, 'google.protobuf.Any', 'repeated'],
    ]),
  )
  .add(
    message('ErrorInfo', [
      ['reason', 1, 'string'],
      ['domain', 2, 'string'],
      ['metadata', 3, 'string', 'map'],
    ]),
  );

const spark = root.define('spark.connect');
const userContextFields: readonly FieldSpec[] = [
  ['session_id', 1, 'string'],
  ['user_context', 2, 'UserContext'],
];

spark
  .add(message('UserContext', [['user_id', 1, 'string'], ['user_name', 2, 'string']]))
  // Relation.sql (10) carries SQL text; Plan.root (1) is the relation to execute.
  .add(message('SQL', [['query', 1, 'string']]))
  .add(message('Relation', [['sql', 10, 'SQL']]))
  .add(message('Plan', [['root', 1, 'Relation']]))
  .add(message('ReattachOptions', [['reattachable', 1, 'bool']]))
  .add(message('RequestOption', [['reattach_options', 1, 'ReattachOptions']]))
  .add(
    message('ExecutePlanRequest', [
      ...userContextFields,
      ['plan', 3, 'Plan'],
      ['client_type', 4, 'string'],
      ['request_options', 5, 'RequestOption', 'repeated'],
      ['operation_id', 6, 'string'],
      ['tags', 7, 'string', 'repeated'],
    ]),
  )
  .add(message('ArrowBatch', [['row_count', 1, 'int64'], ['data', 2, 'bytes'], ['start_offset', 3, 'int64']]))
  .add(message('ResultComplete', []))
  .add(
    message('ExecutePlanResponse', [
      ['session_id', 1, 'string'],
      ['arrow_batch', 2, 'ArrowBatch'],
      ['operation_id', 12, 'string'],
      ['response_id', 13, 'string'],
      ['result_complete', 14, 'ResultComplete'],
      ['server_side_session_id', 15, 'string'],
    ]),
  )
  .add(message('KeyValue', [['key', 1, 'string'], ['value', 2, 'string']]))
  .add(message('ConfigSet', [['pairs', 1, 'KeyValue', 'repeated']]))
  .add(message('ConfigKeys', [['keys', 1, 'string', 'repeated']]))
  .add(
    // ConfigRequest.Operation: set (1), get (2), get_option (4), unset (6).
    message('ConfigOperation', [
      ['set', 1, 'ConfigSet'],
      ['get', 2, 'ConfigKeys'],
      ['get_option', 4, 'ConfigKeys'],
      ['unset', 6, 'ConfigKeys'],
    ]),
  )
  .add(
    message('ConfigRequest', [...userContextFields, ['operation', 3, 'ConfigOperation'], ['client_type', 4, 'string']]),
  )
  .add(
    message('ConfigResponse', [
      ['session_id', 1, 'string'],
      ['pairs', 2, 'KeyValue', 'repeated'],
      ['warnings', 3, 'string', 'repeated'],
    ]),
  )
  .add(
    message('InterruptRequest', [
      ...userContextFields,
      ['client_type', 3, 'string'],
      ['interrupt_type', 4, 'int32'],
      ['operation_tag', 5, 'string'],
      ['operation_id', 6, 'string'],
    ]),
  )
  .add(message('InterruptResponse', [['session_id', 1, 'string'], ['interrupted_ids', 2, 'string', 'repeated']]))
  .add(
    message('ReattachExecuteRequest', [
      ...userContextFields,
      ['operation_id', 3, 'string'],
      ['client_type', 4, 'string'],
      ['last_response_id', 5, 'string'],
    ]),
  )
  .add(message('ReleaseAll', []))
  .add(message('ReleaseUntil', [['response_id', 1, 'string']]))
  .add(
    message('ReleaseExecuteRequest', [
      ...userContextFields,
      ['operation_id', 3, 'string'],
      ['client_type', 4, 'string'],
      ['release_all', 5, 'ReleaseAll'],
      ['release_until', 6, 'ReleaseUntil'],
    ]),
  )
  .add(message('ReleaseExecuteResponse', [['session_id', 1, 'string'], ['operation_id', 2, 'string']]))
  .add(message('ReleaseSessionRequest', [...userContextFields, ['client_type', 3, 'string']]))
  .add(message('ReleaseSessionResponse', [['session_id', 1, 'string']]))
  .add(message('FetchErrorDetailsRequest', [...userContextFields, ['error_id', 3, 'string'], ['client_type', 4, 'string']]))
  .add(
    message('SparkThrowable', [
      ['error_class', 1, 'string'],
      ['message_parameters', 2, 'string', 'map'],
      ['sql_state', 4, 'string'],
    ]),
  )
  .add(
    message('ErrorDetail', [
      ['error_type_hierarchy', 1, 'string', 'repeated'],
      ['message', 2, 'string'],
      ['cause_idx', 4, 'int32'],
      ['spark_throwable', 5, 'SparkThrowable'],
    ]),
  )
  .add(
    message('FetchErrorDetailsResponse', [
      ['root_error_idx', 1, 'int32'],
      ['errors', 2, 'ErrorDetail', 'repeated'],
      ['session_id', 4, 'string'],
    ]),
  )
  .add(message('SparkVersionRequest', []))
  .add(message('SparkVersionResult', [['version', 1, 'string']]))
  .add(
    // AnalyzePlanRequest.spark_version (10) / AnalyzePlanResponse.spark_version (8).
    message('AnalyzePlanRequest', [...userContextFields, ['client_type', 3, 'string'], ['spark_version', 10, 'SparkVersionRequest']]),
  )
  .add(message('AnalyzePlanResponse', [['session_id', 1, 'string'], ['spark_version', 8, 'SparkVersionResult']]));

root.resolveAll();

/** `InterruptRequest.interrupt_type` values. */
export const InterruptType = { ALL: 1, TAG: 2, OPERATION_ID: 3 } as const;

// ---- decoded shapes (only what Strata reads) ------------------------------------------------

export interface UserContext {
  user_id: string;
  user_name?: string;
}

export interface ExecutePlanResponse {
  session_id?: string;
  operation_id?: string;
  response_id?: string;
  arrow_batch?: { row_count?: string; data?: Uint8Array; start_offset?: string };
  result_complete?: Record<string, never>;
  server_side_session_id?: string;
}

export interface ConfigResponse {
  pairs?: { key: string; value?: string }[];
  warnings?: string[];
}

export interface InterruptResponse {
  interrupted_ids?: string[];
}

export interface ErrorDetail {
  error_type_hierarchy?: string[];
  message?: string;
  cause_idx?: number;
  spark_throwable?: { error_class?: string; message_parameters?: Record<string, string>; sql_state?: string };
}

export interface FetchErrorDetailsResponse {
  root_error_idx?: number;
  errors?: ErrorDetail[];
}

export interface AnalyzePlanResponse {
  spark_version?: { version?: string };
}

export interface RpcStatus {
  code?: number;
  message?: string;
  details?: { type_url?: string; value?: Uint8Array }[];
}

export interface ErrorInfo {
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
}

/** A message codec: plain object in, bytes out, and back. */
export interface Codec<T> {
  encode(value: object): Buffer;
  decode(bytes: Uint8Array): T;
}

function codec<T>(fullName: string): Codec<T> {
  const type = root.lookupType(fullName);
  return {
    encode: (value) => {
      const problem = type.verify(value);
      if (problem) throw new Error(`${fullName}: ${problem}`);
      return Buffer.from(type.encode(type.fromObject(value)).finish());
    },
    decode: (bytes) => type.toObject(type.decode(bytes), { longs: String, defaults: false }) as T,
  };
}

/** Codecs for every message the client sends or receives. */
export const Messages = {
  ExecutePlanRequest: codec<never>('spark.connect.ExecutePlanRequest'),
  ExecutePlanResponse: codec<ExecutePlanResponse>('spark.connect.ExecutePlanResponse'),
  ConfigRequest: codec<never>('spark.connect.ConfigRequest'),
  ConfigResponse: codec<ConfigResponse>('spark.connect.ConfigResponse'),
  InterruptRequest: codec<never>('spark.connect.InterruptRequest'),
  InterruptResponse: codec<InterruptResponse>('spark.connect.InterruptResponse'),
  ReattachExecuteRequest: codec<never>('spark.connect.ReattachExecuteRequest'),
  ReleaseExecuteRequest: codec<never>('spark.connect.ReleaseExecuteRequest'),
  ReleaseExecuteResponse: codec<object>('spark.connect.ReleaseExecuteResponse'),
  ReleaseSessionRequest: codec<never>('spark.connect.ReleaseSessionRequest'),
  ReleaseSessionResponse: codec<object>('spark.connect.ReleaseSessionResponse'),
  FetchErrorDetailsRequest: codec<never>('spark.connect.FetchErrorDetailsRequest'),
  FetchErrorDetailsResponse: codec<FetchErrorDetailsResponse>('spark.connect.FetchErrorDetailsResponse'),
  AnalyzePlanRequest: codec<never>('spark.connect.AnalyzePlanRequest'),
  AnalyzePlanResponse: codec<AnalyzePlanResponse>('spark.connect.AnalyzePlanResponse'),
  RpcStatus: codec<RpcStatus>('google.rpc.Status'),
  ErrorInfo: codec<ErrorInfo>('google.rpc.ErrorInfo'),
} as const;

/** The gRPC method path of a SparkConnectService RPC. */
export function methodPath(rpc: string): string {
  return `/spark.connect.SparkConnectService/${rpc}`;
}
