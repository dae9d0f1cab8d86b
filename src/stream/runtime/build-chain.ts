/**
 * The operators of a definition's transforms, in order, and the columns each emits. Operator ids
 * (`<index>:<kind>`) name their state namespaces, so reordering stateful transforms is a state
 * change (definition/stream-compatibility.ts says so before a deploy).
 */
import type { DuckDbRuntime } from '../../table/index.ts';
import type { SqlSession } from '../../sql/index.ts';
import type { RowFields, StreamDefinition, StreamOperator } from '../model/index.ts';
import { createDedupOperator, createWindowOperator } from '../operator/index.ts';
import { createSqlOperator } from '../batch/index.ts';

export interface Chain {
  readonly operators: readonly StreamOperator[];
  /** Columns leaving the last operator: what the sink receives. */
  readonly outputFields: RowFields;
}

export async function buildChain(definition: StreamDefinition, deps: { session: SqlSession; runtime: DuckDbRuntime }): Promise<Chain> {
  const operators: StreamOperator[] = [];
  const timeColumn = definition.source.eventTime?.column;
  for (const [index, transform] of definition.transforms.entries()) {
    const id = `${index}:${transform.kind}`;
    switch (transform.kind) {
      case 'sql':
        operators.push(createSqlOperator({ id, sql: transform.sql, session: deps.session, runtime: deps.runtime }));
        break;
      case 'dedup':
        operators.push(createDedupOperator({ id, transform, timeColumn }));
        break;
      case 'window':
        operators.push(createWindowOperator({ id, transform, outputMode: definition.outputMode }));
        break;
    }
  }
  let fields: RowFields = definition.source.columns;
  for (const operator of operators) fields = await operator.outputFields(fields);
  return { operators, outputFields: fields };
}
