/**
 * TPC-H-shaped tables for the query-overhead benchmark, generated in DuckDB (no dbgen needed):
 *   tpch.orders    one row per order, unpartitioned
 *   tpch.lineitem  four lines per order, partitioned by month(l_shipdate)
 * Values come from `hash(row number)`, so the same size always gives the same data. Ship dates fall
 * 1–121 days after the order date, over 1992–1998 like TPC-H, so `month(l_shipdate)` gives ~80
 * partitions and a date range predicate prunes whole data files.
 * Gotcha: both tables are written by one `table.append({ sql })` each (one DuckDB COPY); DuckDB
 * decides how many files per partition, which is why the report prints the file counts.
 */
import type { StrataHome } from '../src/catalog/index.ts';
import { Types, field, type Table } from '../src/table/index.ts';

export const TPCH_NAMESPACE = 'tpch';

export interface TpchTables {
  readonly lineitem: Table;
  readonly orders: Table;
  readonly lineitemRows: number;
  readonly orderRows: number;
  readonly buildMs: number;
}

/** The order date of order `k` (a SQL expression over an integer `k`). */
const orderDate = (k: string) => `(DATE '1992-01-01' + (hash(${k} * 29) % 2406)::INTEGER)`;

const money = Types.decimal(15, 2);

export async function createTpchTables(home: StrataHome, lineitemRows: number): Promise<TpchTables> {
  const started = performance.now();
  await home.catalog.createNamespace([TPCH_NAMESPACE]);
  const orderRows = Math.ceil(lineitemRows / 4);
  const orders = await home.catalog.createTable(`${TPCH_NAMESPACE}.orders`, [
    field(1, 'o_orderkey', Types.long, true),
    field(2, 'o_custkey', Types.int, true),
    field(3, 'o_orderstatus', Types.string),
    field(4, 'o_totalprice', money),
    field(5, 'o_orderdate', Types.date, true),
    field(6, 'o_orderpriority', Types.string),
    field(7, 'o_shippriority', Types.int),
  ]);
  await orders.append({
    sql: `SELECT k::BIGINT AS o_orderkey, (hash(k * 3) % 150000 + 1)::INTEGER AS o_custkey,
            ['F', 'O', 'P'][(hash(k * 5) % 3)::INTEGER + 1] AS o_orderstatus,
            ((hash(k * 7) % 50000000) / 100 + 1000)::DECIMAL(15, 2) AS o_totalprice,
            ${orderDate('k')} AS o_orderdate,
            ['1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW'][(hash(k * 11) % 5)::INTEGER + 1] AS o_orderpriority,
            0::INTEGER AS o_shippriority
          FROM range(1, ${orderRows + 1}) r(k)`,
  });

  const lineitem = await home.catalog.createTable(
    `${TPCH_NAMESPACE}.lineitem`,
    [
      field(1, 'l_orderkey', Types.long, true),
      field(2, 'l_partkey', Types.int, true),
      field(3, 'l_suppkey', Types.int, true),
      field(4, 'l_linenumber', Types.int, true),
      field(5, 'l_quantity', money),
      field(6, 'l_extendedprice', money),
      field(7, 'l_discount', money),
      field(8, 'l_tax', money),
      field(9, 'l_returnflag', Types.string),
      field(10, 'l_linestatus', Types.string),
      field(11, 'l_shipdate', Types.date, true),
      field(12, 'l_shipmode', Types.string),
    ],
    { partitionBy: [{ source: 'l_shipdate', transform: 'month' }] },
  );
  await lineitem.append({
    sql: `SELECT k::BIGINT AS l_orderkey, (hash(i * 3) % 200000 + 1)::INTEGER AS l_partkey,
            (hash(i * 5) % 10000 + 1)::INTEGER AS l_suppkey, (i % 4 + 1)::INTEGER AS l_linenumber,
            (hash(i * 7) % 50 + 1)::DECIMAL(15, 2) AS l_quantity,
            ((hash(i * 11) % 10000000) / 100 + 900)::DECIMAL(15, 2) AS l_extendedprice,
            ((hash(i * 13) % 11) / 100)::DECIMAL(15, 2) AS l_discount,
            ((hash(i * 17) % 9) / 100)::DECIMAL(15, 2) AS l_tax,
            ['A', 'N', 'R'][(hash(i * 19) % 3)::INTEGER + 1] AS l_returnflag,
            ['F', 'O'][(hash(i * 23) % 2)::INTEGER + 1] AS l_linestatus,
            ${orderDate('k')} + (hash(i * 37) % 121 + 1)::INTEGER AS l_shipdate,
            ['AIR', 'MAIL', 'RAIL', 'SHIP', 'TRUCK', 'REG AIR', 'FOB'][(hash(i * 31) % 7)::INTEGER + 1] AS l_shipmode
          FROM (SELECT i, i // 4 + 1 AS k FROM range(0, ${lineitemRows}) r(i))`,
  });
  return { lineitem, orders, lineitemRows, orderRows, buildMs: performance.now() - started };
}
