/**
 * API token format and hashing, pure functions with no database.
 *
 * A token is `strata_<id>_<secret>`: `id` is 16 hex characters naming the stored row (so a
 * token can be listed and revoked without knowing it), `secret` is 32 random bytes in base64url.
 * Only the SHA-256 of the whole token is stored; 256 bits of randomness make a slow password hash
 * unnecessary. The recognisable prefix lets secret scanners spot leaked tokens.
 *
 * Gotcha: base64url may itself contain `_`, so parsing relies on the fixed id length, never on
 * splitting at `_`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_PREFIX = 'strata_';
const ID_HEX_LENGTH = 16;
const SECRET_BYTES = 32;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const ID = /^[0-9a-f]{16}$/;

export interface GeneratedToken {
  readonly id: string;
  readonly token: string;
  readonly hash: string;
}

export function generateToken(): GeneratedToken {
  const id = randomBytes(ID_HEX_LENGTH / 2).toString('hex');
  const token = `${TOKEN_PREFIX}${id}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { id, token, hash: hashToken(token) };
}

/** Hex SHA-256 of the whole token string. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The id inside a well-formed token, or undefined for anything else. */
export function parseTokenId(token: unknown): string | undefined {
  if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX)) return undefined;
  const rest = token.slice(TOKEN_PREFIX.length);
  const id = rest.slice(0, ID_HEX_LENGTH);
  if (!ID.test(id) || rest[ID_HEX_LENGTH] !== '_' || !SECRET.test(rest.slice(ID_HEX_LENGTH + 1))) return undefined;
  return id;
}

/** Compares a presented token with a stored hash in time independent of where they differ. */
export function tokenMatchesHash(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
