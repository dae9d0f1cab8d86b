/**
 * The key half of HMAC-SHA256 (RFC 2104), computed here so an engine only needs plain SHA-256 and
 * byte concatenation to hash masked values with a real HMAC:
 *
 *   HMAC(K, m) = SHA256((K' XOR opad) || SHA256((K' XOR ipad) || m))
 *
 * where K' is the key padded with zeros to SHA-256's 64-byte block (a longer key is hashed first).
 * `inner` and `outer` are those two padded keys, in hex. Neither DuckDB nor Spark has an `hmac`
 * function, but both have `sha256`/`sha2` over bytes and hex decoding, which is all this needs.
 *
 * Gotcha: the pads are as secret as the key (either lets anyone recompute the hash); compiled SQL
 * holding them must never be shown to a non-administrator.
 */
import { createHash } from 'node:crypto';

const BLOCK_BYTES = 64;

export interface HmacPads {
  readonly inner: string;
  readonly outer: string;
}

/**
 * The pads for `hashKey`: hex text (the policy store's form) is decoded to bytes, anything else is
 * taken as UTF-8. An empty key gives `undefined`: an unkeyed hash could be reversed with a lookup
 * table, so callers fail closed.
 */
export function hmacPads(hashKey: string): HmacPads | undefined {
  if (hashKey.length === 0) return undefined;
  let key = /^(?:[0-9a-fA-F]{2})+$/.test(hashKey) ? Buffer.from(hashKey, 'hex') : Buffer.from(hashKey, 'utf8');
  if (key.length > BLOCK_BYTES) key = createHash('sha256').update(key).digest();
  const inner = Buffer.alloc(BLOCK_BYTES, 0x36);
  const outer = Buffer.alloc(BLOCK_BYTES, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] = (inner[i] ?? 0) ^ (key[i] ?? 0);
    outer[i] = (outer[i] ?? 0) ^ (key[i] ?? 0);
  }
  return { inner: inner.toString('hex'), outer: outer.toString('hex') };
}
