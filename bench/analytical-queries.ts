/**
 * The analytical queries of the query-overhead benchmark: TPC-H shapes over tpch.lineitem and
 * tpch.orders (lineitem-tables.ts). Each text names its tables as `{lineitem}` / `{orders}`, so the
 * same query runs through Strata (`tpch.lineitem`) and on DuckDB directly (`read_parquet([...])`).
 * Gotcha: every query gives its tables an alias and qualifies columns with it, so the text is valid
 * whichever table expression fills a placeholder.
 */

export interface AnalyticalQuery {
  readonly name: string;
  /** What the query exercises, for the report. */
  readonly shape: string;
  readonly sql: string;
}

export const ANALYTICAL_QUERIES: readonly AnalyticalQuery[] = [
  {
    name: 'Q1 pricing summary',
    shape: 'scan ~all rows + filter + group-by aggregate',
    sql: `SELECT l.l_returnflag, l.l_linestatus, sum(l.l_quantity) AS sum_qty, sum(l.l_extendedprice) AS sum_base_price,
            sum(l.l_extendedprice * (1 - l.l_discount)) AS sum_disc_price,
            sum(l.l_extendedprice * (1 - l.l_discount) * (1 + l.l_tax)) AS sum_charge,
            avg(l.l_quantity) AS avg_qty, avg(l.l_discount) AS avg_disc, count(*) AS count_order
          FROM {lineitem} l
          WHERE l.l_shipdate <= DATE '1998-09-02'
          GROUP BY l.l_returnflag, l.l_linestatus
          ORDER BY l.l_returnflag, l.l_linestatus`,
  },
  {
    name: 'Q6 revenue change',
    shape: 'one year of the partition column (prunes files) + filter + aggregate',
    sql: `SELECT sum(l.l_extendedprice * l.l_discount) AS revenue
          FROM {lineitem} l
          WHERE l.l_shipdate >= DATE '1994-01-01' AND l.l_shipdate < DATE '1995-01-01'
            AND l.l_discount BETWEEN 0.05 AND 0.07 AND l.l_quantity < 24`,
  },
  {
    name: 'Q3 shipping priority',
    shape: 'join lineitem × orders + aggregate + top-10',
    sql: `SELECT l.l_orderkey, sum(l.l_extendedprice * (1 - l.l_discount)) AS revenue, o.o_orderdate, o.o_shippriority
          FROM {orders} o JOIN {lineitem} l ON l.l_orderkey = o.o_orderkey
          WHERE o.o_orderdate < DATE '1995-03-15' AND l.l_shipdate > DATE '1995-03-15' AND o.o_orderpriority = '1-URGENT'
          GROUP BY l.l_orderkey, o.o_orderdate, o.o_shippriority
          ORDER BY revenue DESC, o.o_orderdate
          LIMIT 10`,
  },
  {
    name: 'top-N',
    shape: 'ORDER BY over all rows, LIMIT 100',
    sql: `SELECT l.l_orderkey, l.l_linenumber, l.l_extendedprice, l.l_shipdate
          FROM {lineitem} l
          ORDER BY l.l_extendedprice DESC, l.l_orderkey, l.l_linenumber
          LIMIT 100`,
  },
  {
    name: 'window rank',
    shape: 'aggregate per supplier and month, rank() window, QUALIFY top 3',
    sql: `SELECT month, l_suppkey, revenue, rank() OVER (PARTITION BY month ORDER BY revenue DESC) AS r
          FROM (SELECT date_trunc('month', l.l_shipdate) AS month, l.l_suppkey, sum(l.l_extendedprice) AS revenue
                FROM {lineitem} l
                WHERE l.l_shipdate >= DATE '1996-01-01' AND l.l_shipdate < DATE '1997-01-01'
                GROUP BY ALL)
          QUALIFY r <= 3
          ORDER BY month, r, l_suppkey`,
  },
  {
    name: 'many rows out',
    shape: 'one month of rows streamed back to Node (value conversion)',
    sql: `SELECT l.l_orderkey, l.l_partkey, l.l_quantity, l.l_extendedprice, l.l_shipdate, l.l_shipmode
          FROM {lineitem} l
          WHERE l.l_shipdate >= DATE '1995-06-01' AND l.l_shipdate < DATE '1995-07-01'`,
  },
];

/** The query with its placeholders filled. */
export function fillTables(query: AnalyticalQuery, tables: { readonly lineitem: string; readonly orders: string }): string {
  return query.sql.replaceAll('{lineitem}', tables.lineitem).replaceAll('{orders}', tables.orders);
}
