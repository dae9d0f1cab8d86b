/**
 * The contract between the evaluator and the per-rule-type compilers. A compiler registers what
 * its rule needs in the shared passes (or runs its own query later) and returns `finish`, which
 * turns the pass values into a `Measurement`. The evaluator decides the outcome from it.
 */
import type { RuleCall } from '../dqdl/ast.ts';
import type { QualityDataset } from './evaluation.ts';
import type { PassPlan, Runner } from './pass-plan.ts';
import type { ResolvedCondition } from './resolve-condition.ts';
import { RuleProblem } from './rule-problem.ts';

export interface CompileContext {
  readonly rule: RuleCall;
  /** Identifies the rule in the shared passes. */
  readonly owner: number;
  readonly dataset: QualityDataset;
  readonly plan: PassPlan;
  /** Runs one statement and counts it as a pass. */
  readonly run: Runner;
  readonly relationOf?: (name: string) => Promise<QualityDataset>;
  readonly now: Date;
  readonly metricKey: string;
  /** The rule's condition with dynamic values resolved; absent for analyzers and boolean rules. */
  readonly condition?: ResolvedCondition;
  readonly threshold?: ResolvedCondition;
  /** Compiled for `Analyzers = [ … ]`: gather metrics only. */
  readonly analyzer: boolean;
}

export interface Measurement {
  /** The value the condition is checked against. */
  readonly observed?: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly passingRows?: string;
  /** Set by rules that decide for themselves (boolean and row-level rules); otherwise `observed` is checked against the condition. */
  readonly verdict?: { readonly passed: boolean; readonly message?: string };
  /** Words appended to a failure message (what differed). */
  readonly note?: string;
}

export type Finish = (values: ReadonlyMap<string, unknown>) => Promise<Measurement>;
export type RuleCompiler = (ctx: CompileContext) => Finish | Promise<Finish>;

/** A pass value as a JS number (counts arrive as bigint, sums may be HUGEINT/DECIMAL); NULL → undefined. */
export function numberOf(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (typeof value === 'object' && 'toDouble' in value && typeof value.toDouble === 'function') {
    const n: unknown = value.toDouble();
    return typeof n === 'number' ? n : undefined;
  }
  throw new RuleProblem(`expected a number, got ${String(value)}`);
}

export function valueOf(values: ReadonlyMap<string, unknown>, alias: string): number | undefined {
  return numberOf(values.get(alias));
}

/** `metrics` with only the defined entries (exactOptionalPropertyTypes-friendly). */
export function metricsOf(entries: Readonly<Record<string, number | undefined>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined && Number.isFinite(v)) out[k] = v;
  return out;
}
