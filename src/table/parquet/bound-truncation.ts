/**
 * Iceberg's default metrics mode, `truncate(16)`: string and binary bounds keep at most 16 code
 * points (bytes for binary), so a manifest never carries a whole long value. Truncating a lower bound
 * is a prefix (a prefix never sorts after its value); an upper bound must still be ≥ every value, so
 * after cutting it the last kept code point (byte) is incremented.
 *
 * Like Iceberg's Java writer, an upper bound that fits needs no increment, and when a code point
 * cannot be incremented (U+10FFFF, byte 0xFF) it is dropped and the one before is incremented.
 * When nothing can be incremented there is no upper bound (undefined), which is always safe.
 *
 * Gotcha: incrementing U+D7FF gives U+E000, skipping the surrogate block, because a lone surrogate
 * is not encodable in UTF-8 (JS would silently write U+FFFD, which breaks the bound).
 *
 * @example
 *   truncateUpperString('abcdefghijklmnopq', 16) // → 'abcdefghijklmnoq'
 */
export const METRICS_TRUNCATE_LENGTH = 16;

export function truncateLowerString(value: string, length = METRICS_TRUNCATE_LENGTH): string {
  return Array.from(value).slice(0, length).join('');
}

export function truncateUpperString(value: string, length = METRICS_TRUNCATE_LENGTH): string | undefined {
  const points = Array.from(value, (ch) => ch.codePointAt(0) ?? 0);
  if (points.length <= length) return value;
  const kept = points.slice(0, length);
  for (let i = kept.length - 1; i >= 0; i--) {
    const next = nextCodePoint(kept[i] ?? 0);
    if (next !== undefined) return String.fromCodePoint(...kept.slice(0, i), next);
  }
  return undefined;
}

function nextCodePoint(cp: number): number | undefined {
  if (cp >= 0x10ffff) return undefined;
  const next = cp + 1;
  return next >= 0xd800 && next <= 0xdfff ? 0xe000 : next;
}

export function truncateLowerBinary(value: Uint8Array, length = METRICS_TRUNCATE_LENGTH): Uint8Array {
  return value.length <= length ? value : value.slice(0, length);
}

export function truncateUpperBinary(value: Uint8Array, length = METRICS_TRUNCATE_LENGTH): Uint8Array | undefined {
  if (value.length <= length) return value;
  for (let i = length - 1; i >= 0; i--) {
    const byte = value[i] ?? 0xff;
    if (byte !== 0xff) {
      const out = value.slice(0, i + 1);
      out[i] = byte + 1;
      return out;
    }
  }
  return undefined;
}
