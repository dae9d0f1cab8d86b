/**
 * Which mask wins when several apply to one column: the strictest, so adding a mask can only ever
 * hide more. Order (strictest first): null > redact > hash > expression > partial > bucket > round.
 * `expression` ranks in the middle because it may reveal anything; it still loses to the kinds that
 * certainly hide the value. Ties go to the mask whose name sorts first (plain code-point order,
 * independent of locale), so the outcome never depends on the order masks were loaded in.
 */
import type { MaskFunction, MaskPolicy } from '../model.ts';
import type { AppliedMask } from './decisions.ts';

const STRICTNESS: readonly MaskFunction['kind'][] = ['null', 'redact', 'hash', 'expression', 'partial', 'bucket', 'round'];

/** Lower is stricter: `null` is 0, `round` is 6. */
export function maskStrictness(fn: MaskFunction): number {
  return STRICTNESS.indexOf(fn.kind);
}

/** Stricter first; ties by name. */
export function compareMasks(a: MaskPolicy, b: MaskPolicy): number {
  const byKind = maskStrictness(a.function) - maskStrictness(b.function);
  if (byKind !== 0) return byKind;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A mask that applies to a column and how it reached it. */
export interface MaskCandidate {
  readonly mask: MaskPolicy;
  readonly via: 'column' | 'tags';
}

/**
 * The one mask applied to a column, or undefined when none applies. `outranked` lists the losers,
 * strictest first. A mask reaching the column both by name and by tags counts once, as `column`.
 */
export function chooseMask(candidates: readonly MaskCandidate[]): AppliedMask | undefined {
  if (candidates.length === 0) return undefined;
  const byName = new Map<string, MaskCandidate>();
  for (const c of candidates) {
    const seen = byName.get(c.mask.name);
    if (!seen || (seen.via === 'tags' && c.via === 'column')) byName.set(c.mask.name, c);
  }
  const ranked = [...byName.values()].sort((a, b) => compareMasks(a.mask, b.mask));
  const [winner, ...losers] = ranked;
  if (!winner) return undefined;
  return {
    policy: winner.mask.name,
    function: winner.mask.function,
    hashKey: winner.mask.hashKey,
    via: winner.via,
    outranked: losers.map((l) => l.mask.name),
  };
}
