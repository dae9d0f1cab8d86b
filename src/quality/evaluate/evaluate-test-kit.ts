/**
 * Test kit for the evaluator: a real in-memory DuckDB with a small hand-made `orders` dataset
 * (NULLs, duplicates, a negative amount, fresh and stale timestamps), reference tables, and a
 * test-local DQDL node builder, so evaluator tests do not depend on the parser.
 *
 * `orders` (now = 2024-06-15 12:00 UTC; age = now − updated_at):
 *
 *   id | email   | status    | amount | customer_id | zip   | updated_at (age)  | code
 *    1 | a@x.com | new       |   10   | 100         | 12345 | 06-15 10:00 (2h)  | '1'
 *    2 | b@x.com | paid      |   20   | 101         | 12345 | 06-15 00:00 (12h) | '2'
 *    3 | NULL    | paid      |   30   | 102         | 1234  | 06-14 18:00 (18h) | '3'
 *    4 | d@x.com | new       |   -5   | 100         | 54321 | 06-10 12:00 (120h)| 'x'
 *    5 | e@x.com | shipped   |   40   | 999         | NULL  | 06-15 11:00 (1h)  | '5'
 *    6 | f@x.com | paid      |   50   | 101         | 99999 | NULL              | '6'
 *    7 | NULL    | new       |   60   | 103         | 12345 | 06-15 06:00 (6h)  | '7'
 *    8 | a@x.com | paid      |   70   | 102         | 11111 | 06-14 00:00 (36h) | '8'
 *    9 | i@x.com | cancelled |   80   | NULL        | 22222 | 06-15 11:30 (0.5h)| NULL
 *   10 | j@x.com | paid      |  NULL  | 104         | 33333 | 06-15 09:00 (3h)  | '10'
 *
 * `customers(cid, name, czip)`: (100,'12345') (101,'12345') (102,'1234') (103,'12345') (104,'33333').
 * `orders_copy`: `orders` with row 3's amount 31 and row 10 missing.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Condition, RuleCall, RuleType, ValueExpr } from '../dqdl/ast.ts';
import { formatRule } from '../dqdl/format-dqdl.ts';
import type { EvaluationContext, QualityDataset } from './evaluation.ts';

export const NOW = new Date('2024-06-15T12:00:00Z');

export interface Fixture {
  readonly connection: DuckDBConnection;
  readonly orders: QualityDataset;
  readonly run: (sql: string) => Promise<readonly (readonly unknown[])[]>;
  readonly datasetOf: (name: string) => Promise<QualityDataset>;
  readonly context: (extra?: Partial<EvaluationContext>) => EvaluationContext;
}

export async function openFixture(): Promise<Fixture> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`
    CREATE TABLE orders AS SELECT * FROM (VALUES
      (1,  'a@x.com', 'new',       10.0, 100,  '12345', TIMESTAMP '2024-06-15 10:00:00', '1'),
      (2,  'b@x.com', 'paid',      20.0, 101,  '12345', TIMESTAMP '2024-06-15 00:00:00', '2'),
      (3,  NULL,      'paid',      30.0, 102,  '1234',  TIMESTAMP '2024-06-14 18:00:00', '3'),
      (4,  'd@x.com', 'new',       -5.0, 100,  '54321', TIMESTAMP '2024-06-10 12:00:00', 'x'),
      (5,  'e@x.com', 'shipped',   40.0, 999,  NULL,    TIMESTAMP '2024-06-15 11:00:00', '5'),
      (6,  'f@x.com', 'paid',      50.0, 101,  '99999', NULL,                            '6'),
      (7,  NULL,      'new',       60.0, 103,  '12345', TIMESTAMP '2024-06-15 06:00:00', '7'),
      (8,  'a@x.com', 'paid',      70.0, 102,  '11111', TIMESTAMP '2024-06-14 00:00:00', '8'),
      (9,  'i@x.com', 'cancelled', 80.0, NULL, '22222', TIMESTAMP '2024-06-15 11:30:00', NULL),
      (10, 'j@x.com', 'paid',      NULL, 104,  '33333', TIMESTAMP '2024-06-15 09:00:00', '10')
    ) AS v(id, email, status, amount, customer_id, zip, updated_at, code)`);
  await connection.run(`
    CREATE TABLE customers AS SELECT * FROM (VALUES
      (100, 'Ann', '12345'), (101, 'Bob', '12345'), (102, 'Cy', '1234'), (103, 'Di', '12345'), (104, 'Ed', '33333')
    ) AS v(cid, name, czip)`);
  await connection.run(`
    CREATE TABLE orders_copy AS
      SELECT id, email, status, CASE WHEN id = 3 THEN 31.0 ELSE amount END AS amount, customer_id, zip, updated_at, code
      FROM orders WHERE id <> 10`);
  const run = async (sql: string) => (await connection.runAndReadAll(sql)).getRows();
  const datasetOf = async (name: string): Promise<QualityDataset> => {
    const rows = await run(`DESCRIBE ${name}`);
    return { relation: name, columns: rows.map((r) => ({ name: String(r[0]), type: String(r[1]) })) };
  };
  const orders = await datasetOf('orders');
  return {
    connection,
    orders,
    run,
    datasetOf,
    context: (extra = {}) => ({ dataset: orders, run, relationOf: datasetOf, now: () => NOW, ...extra }),
  };
}

// --- a tiny DQDL node builder ---------------------------------------------------------------

const AT = { line: 1, column: 1, offset: 0 };

export function rule(
  ruleType: RuleType,
  params: readonly string[],
  condition?: Condition,
  extra: { where?: string; threshold?: Condition } = {},
): RuleCall {
  const node: Omit<RuleCall, 'text'> = {
    kind: 'rule',
    ruleType,
    params,
    position: AT,
    ...(condition === undefined ? {} : { condition }),
    ...(extra.where === undefined ? {} : { where: extra.where }),
    ...(extra.threshold === undefined ? {} : { threshold: extra.threshold }),
  };
  return { ...node, text: formatRule({ ...node, text: '' }) };
}

export function value(v: number | string | ValueExpr): ValueExpr {
  if (typeof v === 'number') return { kind: 'number', value: v };
  if (typeof v === 'string') return { kind: 'string', value: v };
  return v;
}

const compare =
  (operator: '=' | '!=' | '>' | '>=' | '<' | '<=') =>
  (v: number | string | ValueExpr): Condition => ({ kind: 'compare', operator, value: value(v) });
export const eq = compare('=');
export const ne = compare('!=');
export const gt = compare('>');
export const ge = compare('>=');
export const lt = compare('<');
export const le = compare('<=');
export const between = (low: number | ValueExpr, high: number | ValueExpr, negated = false): Condition => ({
  kind: 'between',
  negated,
  low: value(low),
  high: value(high),
});
export const isIn = (values: readonly (number | string | ValueExpr)[], negated = false): Condition => ({
  kind: 'in',
  negated,
  values: values.map(value),
});
export const matches = (pattern: string, negated = false): Condition => ({ kind: 'matches', negated, pattern });
export const NULL: ValueExpr = { kind: 'keyword', keyword: 'NULL' };
export const EMPTY: ValueExpr = { kind: 'keyword', keyword: 'EMPTY' };
export const hours = (amount: number): ValueExpr => ({ kind: 'duration', amount, unit: 'hours' });
export const days = (amount: number): ValueExpr => ({ kind: 'duration', amount, unit: 'days' });
export const nowMinus = (d: ValueExpr): ValueExpr => ({ kind: 'binary', operator: '-', left: { kind: 'now' }, right: d });
export const fn = (name: Extract<ValueExpr, { kind: 'call' }>['name'], ...args: (number | ValueExpr)[]): ValueExpr => ({
  kind: 'call',
  name,
  args: args.map(value),
});
export const times = (left: ValueExpr, right: number): ValueExpr => ({ kind: 'binary', operator: '*', left, right: value(right) });
