/**
 * Spark Connect connection strings: `sc://host[:port][/;param=value;…]`, the form every Spark
 * Connect client accepts. Known parameters: `token` (bearer token, implies TLS unless
 * `use_ssl=false` is given explicitly), `user_id`, `use_ssl`, `session_id` (a UUID to join an
 * existing session). Unknown parameters are rejected so a typo never silently changes behaviour.
 *
 * @example
 *   parseConnectionString('sc://spark.internal:15002/;token=abc;user_id=etl')
 *   // → { host: 'spark.internal', port: 15002, token: 'abc', userId: 'etl', useSsl: true }
 *
 * Gotcha: the default port is 15002; IPv6 hosts must be bracketed (`sc://[::1]:15002`).
 */
import { StrataError } from '../../../core/errors.ts';

export interface SparkConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly useSsl: boolean;
  readonly token?: string;
  readonly userId?: string;
  readonly sessionId?: string;
}

export const DEFAULT_SPARK_CONNECT_PORT = 15002;

const KNOWN_PARAMS = new Set(['token', 'user_id', 'use_ssl', 'session_id']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalid(message: string, connectionString: string): StrataError {
  // Never echo the token back: the connection string may carry it.
  const shown = connectionString.replace(/(token=)[^;]*/i, '$1***');
  return new StrataError('INVALID_ARGUMENT', `${message} (connection string: ${shown}). Use sc://host:port/;param=value`, {
    connectionString: shown,
  });
}

/** Parses and validates a Spark Connect connection string; throws INVALID_ARGUMENT. */
export function parseConnectionString(connectionString: string): SparkConnectionOptions {
  if (!connectionString.startsWith('sc://')) throw invalid('A Spark Connect URL must start with sc://', connectionString);
  const rest = connectionString.slice('sc://'.length);
  const slash = rest.indexOf('/');
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);

  const { host, port } = parseAuthority(authority, connectionString);

  if (path !== '' && !path.startsWith(';')) {
    throw invalid('Parameters must follow "/;" and the URL may not have a path', connectionString);
  }
  const params = new Map<string, string>();
  for (const part of path.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw invalid(`Parameter "${part.split('=')[0]}" needs the form key=value`, connectionString);
    const key = part.slice(0, eq);
    const value = decodeURIComponent(part.slice(eq + 1));
    if (!KNOWN_PARAMS.has(key)) {
      throw invalid(`Unknown parameter "${key}"; known: ${[...KNOWN_PARAMS].join(', ')}`, connectionString);
    }
    if (params.has(key)) throw invalid(`Parameter "${key}" is given twice`, connectionString);
    params.set(key, value);
  }

  const token = params.get('token');
  if (token === '') throw invalid('token may not be empty', connectionString);
  const userId = params.get('user_id');
  if (userId === '') throw invalid('user_id may not be empty', connectionString);
  const sessionId = params.get('session_id');
  if (sessionId !== undefined && !UUID.test(sessionId)) throw invalid('session_id must be a UUID', connectionString);
  const sslText = params.get('use_ssl');
  if (sslText !== undefined && sslText !== 'true' && sslText !== 'false') {
    throw invalid('use_ssl must be true or false', connectionString);
  }
  const useSsl = sslText === undefined ? token !== undefined : sslText === 'true';

  return {
    host,
    port,
    useSsl,
    ...(token !== undefined ? { token } : {}),
    ...(userId !== undefined ? { userId } : {}),
    ...(sessionId !== undefined ? { sessionId: sessionId.toLowerCase() } : {}),
  };
}

function parseAuthority(authority: string, connectionString: string): { host: string; port: number } {
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) throw invalid('Unclosed "[" in an IPv6 host', connectionString);
    host = authority.slice(0, close + 1);
    const after = authority.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw invalid('Expected ":port" after the IPv6 host', connectionString);
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const parts = authority.split(':');
    if (parts.length > 2) throw invalid('IPv6 hosts must be written in brackets', connectionString);
    host = parts[0] ?? '';
    portText = parts[1];
  }
  if (host === '' || host === '[]') throw invalid('The host is missing', connectionString);
  if (!/^[A-Za-z0-9._\-[\]:]+$/.test(host)) throw invalid(`Invalid host "${host}"`, connectionString);
  if (portText === undefined) return { host, port: DEFAULT_SPARK_CONNECT_PORT };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw invalid(`Invalid port "${portText}"`, connectionString);
  return { host, port };
}

/** Renders options back to a connection string, the token masked (for logs and errors). */
export function describeConnection(options: SparkConnectionOptions): string {
  const params = [
    options.token !== undefined ? 'token=***' : '',
    options.userId !== undefined ? `user_id=${encodeURIComponent(options.userId)}` : '',
    `use_ssl=${options.useSsl}`,
  ].filter((p) => p !== '');
  return `sc://${options.host}:${options.port}/;${params.join(';')}`;
}
