/**
 * Lossless text for state values: JSON, with bigint as `{"$b":"<digits>"}` and bytes as
 * `{"$u":"<base64>"}`. Gotcha: a plain object whose only key is `$b` or `$u` would be read back as
 * a bigint or bytes; operator state never has one (its keys are Strata's own).
 */
export function encodeState(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, key: string, raw: unknown) {
    // `raw` is after toJSON; read the original to see Uint8Array (Buffer has a toJSON).
    const original = key === '' ? raw : (this as Record<string, unknown>)[key];
    if (typeof original === 'bigint') return { $b: original.toString() };
    if (original instanceof Uint8Array) return { $u: Buffer.from(original).toString('base64') };
    return raw;
  });
}

export function decodeState(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const keys = Object.keys(value);
      if (keys.length === 1) {
        const record = value as Record<string, unknown>;
        if (typeof record['$b'] === 'string') return BigInt(record['$b']);
        if (typeof record['$u'] === 'string') return new Uint8Array(Buffer.from(record['$u'], 'base64'));
      }
    }
    return value;
  });
}
