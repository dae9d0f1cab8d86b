/**
 * One reattachable Spark Connect execution of a plan (a query's `root` relation or a `command`): ExecutePlan with `reattach_options.reattachable =
 * true`, its responses yielded in order, and — when the response stream ends without a
 * `result_complete` (the server closes long streams on purpose) or breaks on a transport error —
 * a ReattachExecute with the last response id seen, so the stream resumes right after it: no
 * response is lost or repeated. After `result_complete` a ReleaseExecute(release_all) frees the
 * server's buffer; an execution abandoned early is released too (which also interrupts it).
 *
 * Gotchas:
 * - A reattach before the first response restarts from the beginning (no `last_response_id`); if
 *   the server never saw the operation (OPERATION_NOT_FOUND) the ExecutePlan is sent again.
 * - `dropStream()` cancels only the current gRPC call, not the query: the next read reattaches.
 *   It exists for tests and for callers that want to move a stream to a fresh connection.
 */
import type { ClientReadableStream } from '@grpc/grpc-js';
import { StrataError } from '../../../core/errors.ts';
import { Messages, type ExecutePlanResponse, type Plan, type UserContext } from './messages.ts';
import type { RpcChannel } from './rpc-channel.ts';
import { isRetriableTransportError, isServiceError, readSparkErrorInfo } from './spark-errors.ts';

export interface ExecutionIdentity {
  readonly sessionId: string;
  readonly userContext: UserContext;
  readonly clientType: string;
  readonly operationId: string;
}

/** Consecutive reattaches without any response in between before giving up. */
const MAX_REATTACH_ATTEMPTS = 5;

export class ReattachableExecution {
  readonly #channel: RpcChannel;
  readonly #id: ExecutionIdentity;
  readonly #plan: Plan;
  readonly #tags: readonly string[];
  #call: ClientReadableStream<ExecutePlanResponse> | undefined;
  #dropRequested = false;
  #cancelled = false;
  #lastResponseId: string | undefined;
  #complete = false;
  #reattachCount = 0;
  #dropResumes = 0;

  constructor(channel: RpcChannel, identity: ExecutionIdentity, plan: Plan, tags: readonly string[] = []) {
    this.#channel = channel;
    this.#id = identity;
    this.#plan = plan;
    this.#tags = tags;
  }

  get operationId(): string {
    return this.#id.operationId;
  }

  /** How many times the stream was resumed with ReattachExecute (for tests and metrics). */
  get reattachCount(): number {
    return this.#reattachCount;
  }

  /** How many of those resumptions followed a `dropStream()`. */
  get dropResumeCount(): number {
    return this.#dropResumes;
  }

  /**
   * Cancels the current gRPC call only; the next read resumes through ReattachExecute. Returns
   * false when there was no live call to drop (not started, or already complete).
   */
  dropStream(): boolean {
    if (this.#call === undefined || this.#complete) return false;
    this.#dropRequested = true;
    this.#call.cancel();
    return true;
  }

  /** Stops reading: cancels the current call; the stream then ends with QUERY_CANCELLED. */
  cancel(): void {
    this.#cancelled = true;
    this.#call?.cancel();
  }

  #base(): object {
    return { session_id: this.#id.sessionId, user_context: this.#id.userContext, client_type: this.#id.clientType };
  }

  #execute(): ClientReadableStream<ExecutePlanResponse> {
    return this.#channel.serverStream('ExecutePlan', Messages.ExecutePlanRequest, Messages.ExecutePlanResponse, {
      ...this.#base(),
      operation_id: this.#id.operationId,
      plan: this.#plan,
      request_options: [{ reattach_options: { reattachable: true } }],
      tags: [...this.#tags],
    });
  }

  #reattach(): ClientReadableStream<ExecutePlanResponse> {
    this.#reattachCount++;
    return this.#channel.serverStream('ReattachExecute', Messages.ReattachExecuteRequest, Messages.ExecutePlanResponse, {
      ...this.#base(),
      operation_id: this.#id.operationId,
      ...(this.#lastResponseId !== undefined ? { last_response_id: this.#lastResponseId } : {}),
    });
  }

  /** The execution's responses, in order, each exactly once. Throws the raw gRPC error on failure. */
  async *responses(): AsyncGenerator<ExecutePlanResponse> {
    let call = this.#execute();
    let attempts = 0;
    let reattaching = false;
    try {
      while (true) {
        this.#call = call;
        try {
          for await (const response of call as AsyncIterable<ExecutePlanResponse>) {
            attempts = 0;
            if (response.response_id) this.#lastResponseId = response.response_id;
            if (response.result_complete !== undefined) this.#complete = true;
            yield response;
          }
        } catch (error) {
          if (this.#cancelled) throw cancelledError(error);
          const dropped = this.#dropRequested;
          this.#dropRequested = false;
          if (reattaching && this.#lastResponseId === undefined && isOperationNotFound(error)) {
            // The server never registered the operation: start it again.
            reattaching = false;
            call = this.#execute();
            continue;
          }
          if ((dropped || isRetriableTransportError(error)) && attempts < MAX_REATTACH_ATTEMPTS) {
            if (!dropped) await delay(100 * 2 ** attempts);
            attempts++;
            if (dropped) this.#dropResumes++;
            reattaching = true;
            call = this.#reattach();
            continue;
          }
          throw error;
        }
        if (this.#cancelled) throw cancelledError(undefined);
        if (this.#complete) return;
        // The server ended the stream without result_complete: there is more; resume after the last response.
        if (this.#dropRequested) this.#dropResumes++; // a drop that raced the stream's natural end
        this.#dropRequested = false;
        if (++attempts > MAX_REATTACH_ATTEMPTS) {
          throw new StrataError('STORAGE_ERROR', 'Spark Connect kept ending the result stream without sending any response', {
            operationId: this.#id.operationId,
          });
        }
        reattaching = true;
        call = this.#reattach();
      }
    } finally {
      this.#call = undefined;
      // Complete: free the server's response buffer. Abandoned: release_all also interrupts the query.
      void this.release();
    }
  }

  /** ReleaseExecute(release_all); never throws (the server forgets idle executions on its own). */
  async release(): Promise<void> {
    try {
      await this.#channel.unary(
        'ReleaseExecute',
        Messages.ReleaseExecuteRequest,
        Messages.ReleaseExecuteResponse,
        { ...this.#base(), operation_id: this.#id.operationId, release_all: {} },
        10_000,
      );
    } catch {
      // Best effort: a release that fails leaves the server to time the execution out.
    }
  }
}

function isOperationNotFound(error: unknown): boolean {
  return isServiceError(error) && (readSparkErrorInfo(error).errorClass ?? '').startsWith('INVALID_HANDLE.OPERATION_NOT_FOUND');
}

function cancelledError(cause: unknown): StrataError {
  return new StrataError('QUERY_CANCELLED', 'The Spark query was cancelled', {}, { cause });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
