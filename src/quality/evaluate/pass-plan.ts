/**
 * The shared SQL passes over the primary dataset. Rules register what they need while compiling;
 * `execute` then runs at most two statements:
 *
 * 1. the aggregate pass — every dataset-level aggregate in ONE `SELECT … FROM <relation>`
 *    (counts, null counts, sums, means, stddevs, lengths, rule-condition pass counts; a rule's
 *    `where` becomes `FILTER (WHERE …)` on its own aggregates);
 * 2. the grouped pass — metrics that need a GROUP BY (uniqueness, distinct counts, entropy): one
 *    CTE per distinct (key columns, where) pair, each reduced to one row, cross-joined into one row.
 *
 * Identical expressions are registered once (IsComplete "a" and Completeness "a" share their
 * counts; Uniqueness "a" and Entropy "a" share a CTE).
 *
 * Gotcha: one bad `where` clause would fail a whole shared pass. When a shared statement fails, the
 * plan re-runs each contributing rule's part on its own, so only the rules whose SQL the engine
 * refuses end in `error` (those retries count as passes too).
 */
import { messageOf } from '../../core/index.ts';
import { quoteIdent, scopeOf } from './sql-literals.ts';

export type Runner = (sql: string) => Promise<readonly (readonly unknown[])[]>;

/** Reductions of a grouped CTE with one row per key and its row count `n`. */
export type GroupMetric = 'distinct' | 'unique' | 'total' | 'entropy';

const GROUP_METRIC_SQL: Readonly<Record<GroupMetric, string>> = {
  distinct: 'CAST(count(*) AS DOUBLE)',
  unique: 'CAST(count(*) FILTER (WHERE n = 1) AS DOUBLE)',
  total: 'CAST(coalesce(sum(n), 0) AS DOUBLE)',
  // Shannon entropy in nats (natural log), as Deequ computes it: ln N − Σ n·ln n / N.
  entropy: 'ln(sum(n)) - sum(n * ln(n)) / sum(n)',
};

interface Item {
  readonly alias: string;
  readonly sql: string;
  readonly group?: Group;
  readonly owners: Set<number>;
}

interface Group {
  readonly name: string;
  readonly cte: string;
}

export interface PlanResult {
  /** Values by alias, as the engine returned them. */
  readonly values: ReadonlyMap<string, unknown>;
  /** Rules (by owner id) whose part of a shared pass the engine refused, with its message. */
  readonly failures: ReadonlyMap<number, string>;
}

export class PassPlan {
  private readonly aggregates = new Map<string, Item>();
  private readonly groupItems = new Map<string, Item>();
  private readonly groups = new Map<string, Group>();
  private next = 0;

  constructor(private readonly relation: string) {}

  /** Registers an aggregate expression over the primary dataset; returns its alias. */
  aggregate(owner: number, sql: string): string {
    return this.register(this.aggregates, sql, owner);
  }

  /**
   * A grouped metric over `keyColumns` (already quoted expressions). Rows whose key columns are all
   * NULL are left out, as Deequ's frequency-based metrics do.
   */
  grouped(owner: number, keyColumns: readonly string[], where: string | undefined, metric: GroupMetric): string {
    const groupKey = JSON.stringify([keyColumns, where ?? null]);
    let group = this.groups.get(groupKey);
    if (group === undefined) {
      const name = `g${this.groups.size}`;
      const notAllNull = keyColumns.map((c) => `${c} IS NULL`).join(' AND ');
      const cte =
        `${name} AS (SELECT count(*) AS n FROM ${this.relation} ` +
        `WHERE ${scopeOf(where)} AND NOT (${notAllNull}) GROUP BY ${keyColumns.join(', ')})`;
      group = { name, cte };
      this.groups.set(groupKey, group);
    }
    return this.register(this.groupItems, `${group.name}:${metric}`, owner, group, GROUP_METRIC_SQL[metric]);
  }

  async execute(run: Runner): Promise<PlanResult> {
    const values = new Map<string, unknown>();
    const failures = new Map<number, string>();
    await this.runShared([...this.aggregates.values()], (items) => this.aggregateSql(items), run, values, failures);
    await this.runShared([...this.groupItems.values()], (items) => this.groupedSql(items), run, values, failures);
    return { values, failures };
  }

  /** The statements `execute` would run first (for tests and debugging). */
  statements(): string[] {
    const out: string[] = [];
    if (this.aggregates.size > 0) out.push(this.aggregateSql([...this.aggregates.values()]));
    if (this.groupItems.size > 0) out.push(this.groupedSql([...this.groupItems.values()]));
    return out;
  }

  private register(map: Map<string, Item>, key: string, owner: number, group?: Group, sql?: string): string {
    const existing = map.get(key);
    if (existing !== undefined) {
      existing.owners.add(owner);
      return existing.alias;
    }
    const alias = `m${this.next++}`;
    const item: Item = group === undefined ? { alias, sql: key, owners: new Set([owner]) } : { alias, sql: sql ?? key, group, owners: new Set([owner]) };
    map.set(key, item);
    return alias;
  }

  private aggregateSql(items: readonly Item[]): string {
    const list = items.map((i) => `${i.sql} AS ${quoteIdent(i.alias)}`).join(',\n  ');
    return `SELECT\n  ${list}\nFROM ${this.relation}`;
  }

  private groupedSql(items: readonly Item[]): string {
    const byGroup = new Map<Group, Item[]>();
    for (const item of items) {
      if (item.group === undefined) continue;
      const list = byGroup.get(item.group) ?? [];
      list.push(item);
      byGroup.set(item.group, list);
    }
    const ctes = [...byGroup.keys()].map((g) => g.cte).join(',\n  ');
    const reductions = [...byGroup.entries()]
      .map(([g, list]) => `(SELECT ${list.map((i) => `${i.sql} AS ${quoteIdent(i.alias)}`).join(', ')} FROM ${g.name}) AS s_${g.name}`)
      .join('\n  CROSS JOIN ');
    return `WITH\n  ${ctes}\nSELECT ${items.map((i) => quoteIdent(i.alias)).join(', ')}\nFROM ${reductions}`;
  }

  private async runShared(
    items: readonly Item[],
    build: (items: readonly Item[]) => string,
    run: Runner,
    values: Map<string, unknown>,
    failures: Map<number, string>,
  ): Promise<void> {
    if (items.length === 0) return;
    try {
      assign(items, await run(build(items)), values);
      return;
    } catch {
      // Isolate the rule(s) at fault: retry each owner's part alone.
    }
    const owners = [...new Set(items.flatMap((i) => [...i.owners]))].sort((a, b) => a - b);
    for (const owner of owners) {
      if (failures.has(owner)) continue;
      const own = items.filter((i) => i.owners.has(owner) && !values.has(i.alias));
      const needed = items.filter((i) => i.owners.has(owner));
      if (own.length === 0) continue;
      try {
        assign(needed, await run(build(needed)), values);
      } catch (error) {
        failures.set(owner, messageOf(error));
      }
    }
  }
}

function assign(items: readonly Item[], rows: readonly (readonly unknown[])[], values: Map<string, unknown>): void {
  const row = rows[0] ?? [];
  items.forEach((item, i) => values.set(item.alias, row[i]));
}
