/**
 * The gRPC channel to one Spark Connect server: unary and server-streaming calls of
 * `spark.connect.SparkConnectService`, with the bearer token sent as `authorization: Bearer …`
 * metadata on every call and a raised receive limit (Arrow batches can be large).
 *
 * Gotcha: grpc-js connects lazily; an unreachable server shows up as UNAVAILABLE on the first call.
 */
import { Client, Metadata, credentials, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { SparkConnectionOptions } from './connection-string.ts';
import { methodPath, type Codec } from './messages.ts';

/** 128 MiB: Spark caps one Arrow batch well below this, so a default 4 MiB limit would break big rows. */
export const DEFAULT_MAX_RECEIVE_BYTES = 128 * 1024 * 1024;

export class RpcChannel {
  readonly #client: Client;
  readonly #token: string | undefined;

  constructor(options: SparkConnectionOptions, maxReceiveBytes = DEFAULT_MAX_RECEIVE_BYTES) {
    const channelCredentials = options.useSsl ? credentials.createSsl() : credentials.createInsecure();
    this.#client = new Client(`${options.host}:${options.port}`, channelCredentials, {
      'grpc.max_receive_message_length': maxReceiveBytes,
      'grpc.max_send_message_length': maxReceiveBytes,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_permit_without_calls': 0,
    });
    this.#token = options.token;
  }

  #metadata(): Metadata {
    const metadata = new Metadata();
    if (this.#token !== undefined) metadata.set('authorization', `Bearer ${this.#token}`);
    return metadata;
  }

  /** One request, one response; rejects with the gRPC ServiceError. */
  unary<Res>(rpc: string, requestCodec: Codec<unknown>, responseCodec: Codec<Res>, request: object, timeoutMs?: number): Promise<Res> {
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        methodPath(rpc),
        (value: object) => requestCodec.encode(value),
        (bytes: Buffer) => responseCodec.decode(bytes),
        request,
        this.#metadata(),
        timeoutMs === undefined ? {} : { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null, response?: Res) => {
          if (error) reject(error);
          else resolve(response as Res);
        },
      );
    });
  }

  /** One request, a stream of responses (an object-mode Readable; iterate it with `for await`). */
  serverStream<Res>(rpc: string, requestCodec: Codec<unknown>, responseCodec: Codec<Res>, request: object): ClientReadableStream<Res> {
    return this.#client.makeServerStreamRequest(
      methodPath(rpc),
      (value: object) => requestCodec.encode(value),
      (bytes: Buffer) => responseCodec.decode(bytes),
      request,
      this.#metadata(),
      {},
    );
  }

  close(): void {
    this.#client.close();
  }
}
