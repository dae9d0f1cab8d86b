/** Durations as people write them in definitions and flags: `500ms`, `30s`, `5m`, `1h`, `2d`, `1h30m`. */
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds from `500ms`, `30s`, `5m`, `1h`, `2d`, `1h30m`, a bare number string (ms) or a
 * number; undefined when the text is none of these.
 */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? NaN);
  return Number.isFinite(total) ? Math.round(total) : undefined;
}
