/**
 * `strata sql --server <url>`: the statement runs on a Strata server's query service instead of
 * the embedded engine — submitted, polled until it finishes, and its result paged out as JSON —
 * and is rendered like a local result. The token comes from `--token` or `STRATA_TOKEN`.
 *
 * Ctrl-C cancels the remote query (DELETE /api/v1/queries/{id}) before exiting with 130.
 */
import { StrataError, type StrataErrorCode } from '../../core/index.ts';
import type { CliContext } from '../cli-context.ts';

export interface RemoteSqlOptions {
  readonly server: string;
  readonly token?: string;
  readonly workgroup?: string;
  readonly reuse: boolean;
  readonly signal?: AbortSignal;
}

interface QueryInfo {
  readonly id: string;
  readonly state: string;
  readonly rowCount: number;
  readonly reused: boolean;
  readonly error?: { readonly code: string; readonly message: string };
}

const PAGE_ROWS = 5000;

export async function runRemoteSql(context: CliContext, sql: string, options: RemoteSqlOptions): Promise<void> {
  const token = options.token ?? process.env['STRATA_TOKEN'];
  if (!token) throw new StrataError('INVALID_ARGUMENT', 'strata sql --server needs a token: --token <token> or STRATA_TOKEN (create one with strata token create <principal>)');
  const base = options.server.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new StrataError('STORAGE_ERROR', `Cannot reach the Strata server at ${base}: ${error instanceof Error ? error.message : String(error)}`, { server: base });
    }
    if (!response.ok) throw await remoteError(response);
    return response;
  };

  const submitted = (await (await call('POST', '/api/v1/queries', { sql, reuse: options.reuse, ...(options.workgroup ? { workgroup: options.workgroup } : {}) })).json()) as QueryInfo;
  const cancel = (): void => void call('DELETE', `/api/v1/queries/${encodeURIComponent(submitted.id)}`).catch(() => undefined);
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    let info = submitted;
    for (let wait = 20; !['succeeded', 'failed', 'cancelled'].includes(info.state); wait = Math.min(wait * 2, 500)) {
      if (options.signal?.aborted) throw new StrataError('QUERY_CANCELLED', `Query ${submitted.id} cancelled`);
      await new Promise((resolve) => setTimeout(resolve, wait));
      info = (await (await call('GET', `/api/v1/queries/${encodeURIComponent(submitted.id)}`)).json()) as QueryInfo;
    }
    if (info.state !== 'succeeded') {
      const error = info.error ?? { code: 'QUERY_CANCELLED', message: `Query ${info.id} was cancelled` };
      throw new StrataError(error.code as StrataErrorCode, error.message, { queryId: info.id });
    }
    const first = await page(call, info.id, 0);
    const columns = first.columns.map((name) => ({ name, type: 'VARCHAR' }));
    await context.render({
      columns,
      rows: {
        async *[Symbol.asyncIterator]() {
          let current = first;
          for (;;) {
            if (current.rows.length > 0) yield current.rows.map((row) => columns.map((c) => row[c.name] ?? null));
            if (current.next === undefined) return;
            current = await page(call, info.id, current.next);
          }
        },
      },
    });
    if (info.reused) await context.note(`(result reused from an identical earlier query; query ${info.id})`);
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}

async function page(
  call: (method: string, path: string) => Promise<Response>,
  id: string,
  offset: number,
): Promise<{ columns: string[]; rows: Record<string, unknown>[]; next?: number }> {
  const response = await call('GET', `/api/v1/queries/${encodeURIComponent(id)}/results?format=json&offset=${offset}&limit=${PAGE_ROWS}`);
  const rows = (await response.json()) as Record<string, unknown>[];
  const next = response.headers.get('x-strata-next-offset');
  return { columns: Object.keys(rows[0] ?? {}), rows, ...(next === null ? {} : { next: Number(next) }) };
}

async function remoteError(response: Response): Promise<StrataError> {
  let body: { error?: { code?: string; message?: string } } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not JSON: keep the status
  }
  const code = body.error?.code ?? (response.status === 401 ? 'UNAUTHENTICATED' : 'INVALID_ARGUMENT');
  return new StrataError(code as StrataErrorCode, body.error?.message ?? `The server answered ${response.status} ${response.statusText}`, { httpStatus: response.status });
}
