/**
 * The wire details of the Iceberg REST catalog: namespaces in paths, lossless JSON both ways, and
 * small readers for request fields that answer a bad request with BadRequestException (400).
 *
 * Gotchas:
 * - A multi-level namespace travels as ONE path segment whose levels are joined by the unit
 *   separator (0x1F, `%1F` in the URL). Fastify has already percent-decoded the parameter.
 * - Snapshot ids are random 63-bit longs. Bodies are parsed with lossless JSON (ids above 2^53 become
 *   bigint) and responses are serialised with `stringifyJson` (bigint as a bare number literal);
 *   `JSON.parse`/`JSON.stringify` would corrupt or reject them.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { StrataError, messageOf, parseJson, stringifyJson } from '../../../core/index.ts';
import type { TableIdentifier } from '../../../catalog/index.ts';

export const NAMESPACE_SEPARATOR = '\u001f';

export type Json = Record<string, unknown>;

/** `sales` or `sales\u001feu` (already percent-decoded) → `['sales']` / `['sales', 'eu']`. */
export function namespaceFromPath(segment: string): string[] {
  const levels = segment.split(NAMESPACE_SEPARATOR);
  if (levels.some((l) => l.length === 0)) {
    throw new StrataError('INVALID_ARGUMENT', `Namespace "${segment}" has an empty level; join levels with %1F, e.g. sales%1Feu`);
  }
  return levels;
}

/** The governance plane names a namespace by its dotted form (`sales`, `sales.eu`). */
export function databaseOf(namespace: readonly string[]): string {
  return namespace.join('.');
}

/** Replaces the JSON body parser of `scope` (and only of it) with the lossless one. */
export function useLosslessJson(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, parseJson(text));
    } catch (error) {
      done(new StrataError('INVALID_ARGUMENT', `Request body is not valid JSON: ${messageOf(error)}`), undefined);
    }
  });
}

/** Sends `value` as JSON with bigints intact (a string payload skips Fastify's serialiser). */
export function sendJson(reply: FastifyReply, value: unknown, status = 200): FastifyReply {
  return reply.status(status).type('application/json').send(stringifyJson(value));
}

export function objectOf(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest(`${what} must be a JSON object`);
  return value as Json;
}

export function stringOf(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw badRequest(`${what} must be a non-empty string`);
  return value;
}

export function stringArrayOf(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw badRequest(`${what} must be an array of strings`);
  return value as string[];
}

export function stringMapOf(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const json = objectOf(value, what);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(json)) {
    if (typeof v !== 'string') throw badRequest(`${what}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

/** A `TableIdentifier` object (`{ "namespace": ["sales"], "name": "orders" }`). */
export function identifierOf(value: unknown, what: string): TableIdentifier {
  const json = objectOf(value, what);
  const namespace = stringArrayOf(json['namespace'], `${what}.namespace`);
  if (namespace.length === 0) throw badRequest(`${what}.namespace must name a namespace`);
  return { namespace, name: stringOf(json['name'], `${what}.name`) };
}

export function badRequest(message: string): StrataError {
  return new StrataError('INVALID_ARGUMENT', `Invalid request: ${message}`);
}
