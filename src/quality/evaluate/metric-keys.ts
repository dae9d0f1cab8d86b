/**
 * Stable metric keys, named as Glue Data Quality reports them, so history and dashboards line up
 * with Glue's: `Dataset.*.RowCount`, `Column.email.Completeness`, `Column.status.ColumnValues.Compliance`,
 * `Multicolumn.height,weight.ColumnCorrelation`, `Dataset.orders_copy.RowCountMatch`,
 * `Dataset.*.CustomSQL`. A rule's `where` clause is appended as ` where <clause>` so a filtered
 * metric never mixes with the unfiltered one in history.
 */
import type { RuleCall } from '../dqdl/ast.ts';

export function metricKeyOf(rule: RuleCall): string {
  const suffix = rule.where === undefined ? '' : ` where ${rule.where}`;
  return baseKey(rule) + suffix;
}

function baseKey(rule: RuleCall): string {
  const p = rule.params;
  const col = p[0] ?? '';
  const cols = (name: string): string => (p.length > 1 ? `Multicolumn.${p.join(',')}.${name}` : `Column.${col}.${name}`);
  switch (rule.ruleType) {
    case 'RowCount':
    case 'ColumnCount':
      return `Dataset.*.${rule.ruleType}`;
    case 'Completeness':
    case 'IsComplete':
      return `Column.${col}.Completeness`;
    case 'Uniqueness':
    case 'IsUnique':
    case 'IsPrimaryKey':
      return cols('Uniqueness');
    case 'DistinctValuesCount':
    case 'UniqueValueRatio':
    case 'Mean':
    case 'Sum':
    case 'StandardDeviation':
    case 'Entropy':
    case 'ColumnExists':
      return `Column.${col}.${rule.ruleType}`;
    case 'ColumnValues':
    case 'ColumnLength':
    case 'ColumnDataType':
    case 'DataFreshness':
      return `Column.${col}.${rule.ruleType}.Compliance`;
    case 'ColumnNamesMatchPattern':
      return 'Dataset.*.ColumnNamesPatternMatchRatio';
    case 'ColumnCorrelation':
      return cols('ColumnCorrelation');
    case 'ReferentialIntegrity':
      return `Column.${p[1] ?? ''}.ReferentialIntegrity`;
    case 'DatasetMatch':
    case 'RowCountMatch':
    case 'SchemaMatch':
      return `Dataset.${col}.${rule.ruleType}`;
    case 'AggregateMatch': {
      const names = p.map(aggregateColumnName);
      const unique = [...new Set(names)];
      return `Column.${unique.join(',')}.AggregateMatch`;
    }
    case 'CustomSql':
      return 'Dataset.*.CustomSQL';
  }
}

/** `sum(amount)` → `amount`, `avg(ledger.amount)` → `amount`; other text is kept whole. */
function aggregateColumnName(expression: string): string {
  const match = /^\s*\w+\s*\(\s*(?:.*\.)?([^.()]+?)\s*\)\s*$/.exec(expression);
  return match?.[1] ?? expression.trim();
}
