/**
 * Turns a condition's value expressions into constants before any SQL is built: numbers, strings,
 * the NULL/EMPTY/WHITESPACES_ONLY keywords, instants (`now() - 3 days`), durations (`24 hours`), and
 * dynamic values (`avg(last(10)) * 0.8`) looked up through `context.history(metricKey, k)`.
 *
 * Gotchas:
 * - With no history (the first evaluation, or no `history` callback) a dynamic condition cannot be
 *   checked; `noHistory` is set and the rule passes with a message saying so. Glue likewise gives
 *   dynamic rules nothing to fail against on their first run.
 * - `stdev(last(k))` is the SAMPLE standard deviation (n − 1); with one value it is 0.
 * - `index(last(k), i)` counts from 0 = the newest value; an index past the history is an error.
 */
import type { Condition, ValueExpr } from '../dqdl/ast.ts';
import { RuleProblem } from './rule-problem.ts';

export type ResolvedValue =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'keyword'; readonly keyword: 'NULL' | 'EMPTY' | 'WHITESPACES_ONLY' }
  /** Milliseconds since the epoch. */
  | { readonly kind: 'instant'; readonly epochMs: number }
  | { readonly kind: 'duration'; readonly ms: number }
  | { readonly kind: 'list'; readonly values: readonly number[] };

export type ResolvedCondition =
  | { readonly kind: 'compare'; readonly operator: '=' | '!=' | '>' | '>=' | '<' | '<='; readonly value: ResolvedValue }
  | { readonly kind: 'between'; readonly negated: boolean; readonly low: ResolvedValue; readonly high: ResolvedValue }
  | { readonly kind: 'in'; readonly negated: boolean; readonly values: readonly ResolvedValue[] }
  | { readonly kind: 'matches'; readonly negated: boolean; readonly pattern: string };

export interface ResolveEnvironment {
  readonly metricKey: string;
  readonly now: Date;
  readonly history?: (metricKey: string, k: number) => Promise<readonly number[]>;
}

export interface Resolution {
  readonly condition: ResolvedCondition;
  /** A dynamic value had no history to compute from: the rule passes without being checked. */
  readonly noHistory: boolean;
}

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

class NoHistory extends Error {}

export async function resolveCondition(condition: Condition, env: ResolveEnvironment): Promise<Resolution> {
  try {
    return { condition: await resolveOrThrow(condition, env), noHistory: false };
  } catch (error) {
    if (error instanceof NoHistory) return { condition: placeholder(condition), noHistory: true };
    throw error;
  }
}

async function resolveOrThrow(condition: Condition, env: ResolveEnvironment): Promise<ResolvedCondition> {
  switch (condition.kind) {
    case 'compare':
      return { kind: 'compare', operator: condition.operator, value: await resolveValue(condition.value, env) };
    case 'between':
      return {
        kind: 'between',
        negated: condition.negated,
        low: await resolveValue(condition.low, env),
        high: await resolveValue(condition.high, env),
      };
    case 'in': {
      const values: ResolvedValue[] = [];
      for (const v of condition.values) values.push(await resolveValue(v, env));
      return { kind: 'in', negated: condition.negated, values };
    }
    case 'matches':
      return condition;
  }
}

/** Shape-preserving stand-in used only when the rule passes for lack of history. */
function placeholder(condition: Condition): ResolvedCondition {
  const zero: ResolvedValue = { kind: 'number', value: 0 };
  switch (condition.kind) {
    case 'compare':
      return { kind: 'compare', operator: condition.operator, value: zero };
    case 'between':
      return { kind: 'between', negated: condition.negated, low: zero, high: zero };
    case 'in':
      return { kind: 'in', negated: condition.negated, values: [] };
    case 'matches':
      return condition;
  }
}

export async function resolveValue(value: ValueExpr, env: ResolveEnvironment): Promise<ResolvedValue> {
  switch (value.kind) {
    case 'number':
    case 'string':
      return value;
    case 'keyword':
      return value;
    case 'now':
      return { kind: 'instant', epochMs: env.now.getTime() };
    case 'duration':
      return { kind: 'duration', ms: value.amount * UNIT_MS[value.unit] };
    case 'binary':
      return arithmetic(value.operator, await resolveValue(value.left, env), await resolveValue(value.right, env));
    case 'call':
      return call(value, env);
  }
}

async function call(value: Extract<ValueExpr, { kind: 'call' }>, env: ResolveEnvironment): Promise<ResolvedValue> {
  if (value.name === 'last') {
    const k = await numberArg(value, 0, env);
    if (!Number.isInteger(k) || k < 1) throw new RuleProblem(`last(k) needs a whole number k ≥ 1, got ${k}`);
    const history = env.history === undefined ? [] : await env.history(env.metricKey, k);
    if (history.length === 0) throw new NoHistory();
    return { kind: 'list', values: history.slice(0, k) };
  }
  if (value.name === 'abs') return { kind: 'number', value: Math.abs(await numberArg(value, 0, env)) };
  const list = await listArg(value, env);
  const xs = list.values;
  switch (value.name) {
    case 'avg':
      return num(xs.reduce((a, b) => a + b, 0) / xs.length);
    case 'sum':
      return num(xs.reduce((a, b) => a + b, 0));
    case 'min':
      return num(Math.min(...xs));
    case 'max':
      return num(Math.max(...xs));
    case 'stdev': {
      if (xs.length < 2) return num(0);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return num(Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)));
    }
    case 'index': {
      const i = await numberArg(value, 1, env);
      const picked = xs[i];
      if (!Number.isInteger(i) || picked === undefined) {
        throw new RuleProblem(`index(last(k), ${i}) is past the ${xs.length} values of history`);
      }
      return num(picked);
    }
  }
}

async function listArg(value: Extract<ValueExpr, { kind: 'call' }>, env: ResolveEnvironment) {
  const arg = value.args[0];
  const resolved = arg === undefined ? undefined : await resolveValue(arg, env);
  if (resolved?.kind !== 'list') throw new RuleProblem(`${value.name}(…) needs last(k) as its first argument`);
  return resolved;
}

async function numberArg(value: Extract<ValueExpr, { kind: 'call' }>, index: number, env: ResolveEnvironment) {
  const arg = value.args[index];
  const resolved = arg === undefined ? undefined : await resolveValue(arg, env);
  if (resolved?.kind !== 'number') throw new RuleProblem(`${value.name}(…) needs a number as argument ${index + 1}`);
  return resolved.value;
}

function num(value: number): ResolvedValue {
  return { kind: 'number', value };
}

function arithmetic(op: '+' | '-' | '*' | '/', l: ResolvedValue, r: ResolvedValue): ResolvedValue {
  if (l.kind === 'number' && r.kind === 'number') {
    const value = op === '+' ? l.value + r.value : op === '-' ? l.value - r.value : op === '*' ? l.value * r.value : l.value / r.value;
    return num(value);
  }
  if (l.kind === 'instant' && r.kind === 'duration' && (op === '+' || op === '-')) {
    return { kind: 'instant', epochMs: op === '+' ? l.epochMs + r.ms : l.epochMs - r.ms };
  }
  if (l.kind === 'duration' && r.kind === 'duration' && (op === '+' || op === '-')) {
    return { kind: 'duration', ms: op === '+' ? l.ms + r.ms : l.ms - r.ms };
  }
  if (l.kind === 'duration' && r.kind === 'number' && (op === '*' || op === '/')) {
    return { kind: 'duration', ms: op === '*' ? l.ms * r.value : l.ms / r.value };
  }
  if (l.kind === 'number' && r.kind === 'duration' && op === '*') return { kind: 'duration', ms: l.value * r.ms };
  throw new RuleProblem(`cannot compute ${l.kind} ${op} ${r.kind}`);
}

/** Does the condition use last(k) anywhere (a dynamic rule)? */
export function isDynamic(condition: Condition | undefined): boolean {
  if (condition === undefined) return false;
  const values: readonly ValueExpr[] =
    condition.kind === 'compare'
      ? [condition.value]
      : condition.kind === 'between'
        ? [condition.low, condition.high]
        : condition.kind === 'in'
          ? condition.values
          : [];
  return values.some(usesHistory);
}

function usesHistory(value: ValueExpr): boolean {
  if (value.kind === 'call') return value.name === 'last' || value.args.some(usesHistory);
  if (value.kind === 'binary') return usesHistory(value.left) || usesHistory(value.right);
  return false;
}
