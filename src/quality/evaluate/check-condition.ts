/**
 * Checks an observed metric (a number) against a resolved condition, as Glue does:
 * `between a and b` is exclusive of both ends and `not between` its exact negation; `in [...]`
 * compares numbers exactly. Durations compare in hours (DataFreshness), so a condition such as
 * `<= 24 hours` accepts an observed age of 24.
 */
import type { ResolvedCondition, ResolvedValue } from './resolve-condition.ts';
import { RuleProblem } from './rule-problem.ts';

export function checkNumber(observed: number, condition: ResolvedCondition): boolean {
  switch (condition.kind) {
    case 'compare': {
      const v = asNumber(condition.value);
      switch (condition.operator) {
        case '=':
          return observed === v;
        case '!=':
          return observed !== v;
        case '>':
          return observed > v;
        case '>=':
          return observed >= v;
        case '<':
          return observed < v;
        case '<=':
          return observed <= v;
      }
      break;
    }
    case 'between': {
      const inside = observed > asNumber(condition.low) && observed < asNumber(condition.high);
      return condition.negated ? !inside : inside;
    }
    case 'in': {
      const found = condition.values.some((v) => asNumber(v) === observed);
      return condition.negated ? !found : found;
    }
    case 'matches':
      throw new RuleProblem('matches compares text; this rule observes a number');
  }
}

/** Numbers as themselves, durations in hours; anything else cannot be compared with a metric. */
export function asNumber(value: ResolvedValue): number {
  if (value.kind === 'number') return value.value;
  if (value.kind === 'duration') return value.ms / 3_600_000;
  throw new RuleProblem(`a ${describe(value)} cannot be compared with this rule's numeric metric`);
}

function describe(value: ResolvedValue): string {
  switch (value.kind) {
    case 'keyword':
      return `keyword ${value.keyword}`;
    case 'list':
      return 'history list (wrap last(k) in avg/min/max/sum/stdev/index)';
    default:
      return value.kind;
  }
}

/** `0.93`, `1234.5`, `0.333333`: short enough for messages, exact for simple values. */
export function formatMetric(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}
