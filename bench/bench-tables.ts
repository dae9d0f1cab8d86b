/**
 * The tables the benchmarks commit to, created the two ways Strata supports:
 * - catalog: registered in the SQLite catalog; a commit swaps the pointer with compare-and-swap.
 * - catalog-free: `ObjectStoreTableOperations`; a commit is `putIfAbsent` of `v<N+1>.metadata.json`.
 * Each call to `open…` returns a separate `Table` instance (its own operations and cached
 * metadata), the way two independent writers would see the table. Operations are wrapped in
 * `CountingOperations` so commit attempts and lost races can be reported.
 */
import type { StrataHome } from '../src/catalog/index.ts';
import {
  ObjectStoreTableOperations,
  Table,
  UNPARTITIONED,
  field,
  newTableMetadata,
  updateSpec,
  type NestedField,
  Types,
} from '../src/table/index.ts';
import { CountingOperations } from './counting-operations.ts';

export type CommitBackend = 'catalog' | 'catalog-free';

export const BENCH_NAMESPACE = 'bench';

/** A tiny two-column schema: one row per commit is enough to produce a real data file. */
export const SMALL_FIELDS: readonly NestedField[] = [field(1, 'id', Types.long, true), field(2, 'note', Types.string)];

export interface BenchTable {
  readonly table: Table;
  readonly counters: CountingOperations;
}

/** A handle that opens fresh `Table` instances over one table. */
export interface TableHandle {
  readonly backend: CommitBackend;
  open(): Promise<BenchTable>;
}

export async function createTable(
  home: StrataHome,
  backend: CommitBackend,
  name: string,
  fields: readonly NestedField[] = SMALL_FIELDS,
  partitionBy: readonly { source: string; transform: string }[] = [],
): Promise<TableHandle> {
  if (!(await home.catalog.backend.namespaceExists([BENCH_NAMESPACE]))) await home.catalog.createNamespace([BENCH_NAMESPACE]);
  if (backend === 'catalog') {
    const id = `${BENCH_NAMESPACE}.${name}`;
    await home.catalog.createTable(id, fields, { partitionBy });
    return {
      backend,
      async open() {
        const loaded = await home.catalog.loadTable(id);
        const counters = new CountingOperations(loaded.ops);
        return { table: new Table(counters, home.runtime), counters };
      },
    };
  }
  const schema = { schemaId: 0, fields };
  let spec = updateSpec(UNPARTITIONED, schema, 999, []);
  for (const p of partitionBy) spec = spec.addField(p.source, p.transform);
  const store = home.lake.root;
  const location = home.lake.tableUri('curated', [BENCH_NAMESPACE], `${name}_free`);
  const creator = new ObjectStoreTableOperations(store, location);
  await creator.commit(undefined, newTableMetadata({ location, schema, spec: spec.apply().spec }));
  return {
    backend,
    async open() {
      const ops = new ObjectStoreTableOperations(store, location);
      await ops.refresh();
      const counters = new CountingOperations(ops);
      return { table: new Table(counters, home.runtime), counters };
    },
  };
}
