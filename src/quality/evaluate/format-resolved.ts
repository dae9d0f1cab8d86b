/** Resolved conditions back as DQDL-like text for messages: `> 0.9`, `between 48 and 120`. */
import { formatMetric } from './check-condition.ts';
import type { ResolvedCondition, ResolvedValue } from './resolve-condition.ts';

export function formatCondition(condition: ResolvedCondition): string {
  const not = 'negated' in condition && condition.negated ? 'not ' : '';
  switch (condition.kind) {
    case 'compare':
      return `${condition.operator} ${formatValue(condition.value)}`;
    case 'between':
      return `${not}between ${formatValue(condition.low)} and ${formatValue(condition.high)}`;
    case 'in':
      return `${not}in [${condition.values.map(formatValue).join(', ')}]`;
    case 'matches':
      return `${not}matches ${JSON.stringify(condition.pattern)}`;
  }
}

function formatValue(value: ResolvedValue): string {
  switch (value.kind) {
    case 'number':
      return formatMetric(value.value);
    case 'string':
      return JSON.stringify(value.value);
    case 'keyword':
      return value.keyword;
    case 'instant':
      return new Date(value.epochMs).toISOString();
    case 'duration':
      return `${formatMetric(value.ms / 3_600_000)} hours`;
    case 'list':
      return `[${value.values.map(formatMetric).join(', ')}]`;
  }
}
