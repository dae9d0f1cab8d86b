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
  // Expression is a oneof: set exactly one of literal (1), unresolved_attribute (2),
  // unresolved_function (3), expression_string (4). Literal is a oneof too.
  .add(message('Literal', [['boolean', 3, 'bool'], ['integer', 6, 'int32'], ['long', 7, 'int64'], ['string', 13, 'string']]))
  .add(message('UnresolvedAttribute', [['unparsed_identifier', 1, 'string']]))
  .add(
    message('UnresolvedFunction', [
      ['function_name', 1, 'string'],
      ['arguments', 2, 'Expression', 'repeated'],
    ]),
  )
  .add(message('ExpressionString', [['expression', 1, 'string']]))
  .add(
    message('Expression', [
      ['literal', 1, 'Literal'],
      ['unresolved_attribute', 2, 'UnresolvedAttribute'],
      ['unresolved_function', 3, 'UnresolvedFunction'],
      ['expression_string', 4, 'ExpressionString'],
    ]),
  )
  // WriteOperationV2 (DataFrameWriterV2): `mode` is a WriteOperationV2Mode value.
  .add(
    message('WriteOperationV2', [
      ['input', 1, 'Relation'],
      ['table_name', 2, 'string'],
      ['provider', 3, 'string'],
      ['partitioning_columns', 4, 'Expression', 'repeated'],
      ['options', 5, 'string', 'map'],
      ['table_properties', 6, 'string', 'map'],
      ['mode', 7, 'int32'],
      ['overwrite_condition', 8, 'Expression'],
    ]),
  )
  .add(message('Command', [['write_operation_v2', 4, 'WriteOperationV2']]))
  // Plan is a oneof: root (1) for a query, command (2) for a command.
  .add(message('Plan', [['root', 1, 'Relation'], ['command', 2, 'Command']]))
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
    // FetchErrorDetailsResponse.QueryContext: where in the SQL text (SQL contexts) the error is.
    message('QueryContext', [
      ['object_type', 1, 'string'],
      ['object_name', 2, 'string'],
      ['start_index', 3, 'int32'],
      ['stop_index', 4, 'int32'],
      ['fragment', 5, 'string'],
      ['summary', 7, 'string'],
      ['context_type', 10, 'int32'],
    ]),
  )
  .add(
    message('SparkThrowable', [
      ['error_class', 1, 'string'],
      ['message_parameters', 2, 'string', 'map'],
      ['query_contexts', 3, 'QueryContext', 'repeated'],
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

/** `WriteOperationV2.mode` values. */
export const WriteOperationV2Mode = {
  UNSPECIFIED: 0,
  CREATE: 1,
  OVERWRITE: 2,
  OVERWRITE_PARTITIONS: 3,
  APPEND: 4,
  REPLACE: 5,
  CREATE_OR_REPLACE: 6,
} as const;

/** `QueryContext.context_type` values. */
export const QueryContextType = { SQL: 0, DATAFRAME: 1 } as const;

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

export interface QueryContext {
  object_type?: string;
  object_name?: string;
  start_index?: number;
  stop_index?: number;
  fragment?: string;
  summary?: string;
  context_type?: number;
}

export interface ErrorDetail {
  error_type_hierarchy?: string[];
  message?: string;
  cause_idx?: number;
  spark_throwable?: {
    error_class?: string;
    message_parameters?: Record<string, string>;
    query_contexts?: QueryContext[];
    sql_state?: string;
  };
}

/** An `Expression` as sent (one member of its oneof set). */
export type Expression =
  | { literal: { boolean: boolean } | { integer: number } | { long: string } | { string: string } }
  | { unresolved_attribute: { unparsed_identifier: string } }
  | { unresolved_function: { function_name: string; arguments: Expression[] } }
  | { expression_string: { expression: string } };

/** A `Relation` as sent: only SQL text today. */
export interface Relation {
  sql: { query: string };
}

/** A `WriteOperationV2` command as sent. */
export interface WriteOperationV2 {
  input: Relation;
  table_name: string;
  provider?: string;
  partitioning_columns?: Expression[];
  options?: Record<string, string>;
  table_properties?: Record<string, string>;
  mode: number;
  overwrite_condition?: Expression;
}

/** A `Command` as sent. */
export interface Command {
  write_operation_v2: WriteOperationV2;
}

/** What `ExecutePlanRequest.plan` holds: a query (`root`) or a command. */
export type Plan = { root: Relation } | { command: Command };

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
