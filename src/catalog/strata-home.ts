/**
 * The embedded defaults in one call: a Strata home directory holding the lake (local filesystem
 * object store, zoned), the catalog database (SQLite) and DuckDB's scratch space.
 *
 *   <home>/lake/{raw,processed,curated,results,system}/…   the lake
 *   <home>/catalog.db                                       the catalog
 *   <home>/tmp/                                             spill and staging
 *
 * The home is `$STRATA_HOME`, else `./.strata`.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LakeLayout, LocalObjectStore } from '../storage/index.ts';
import { DuckDbRuntime, type DuckDbRuntimeOptions } from '../table/index.ts';
import { SqliteCatalogBackend } from './backend/index.ts';
import { Catalog } from './catalog.ts';

export interface StrataHome {
  readonly home: string;
  readonly lake: LakeLayout;
  readonly catalog: Catalog;
  readonly runtime: DuckDbRuntime;
  close(): Promise<void>;
}

export function defaultHome(): string {
  return resolve(process.env['STRATA_HOME'] ?? '.strata');
}

export async function openStrataHome(home = defaultHome(), duckdb: DuckDbRuntimeOptions = {}): Promise<StrataHome> {
  const root = resolve(home);
  mkdirSync(join(root, 'lake'), { recursive: true });
  const lake = new LakeLayout({ root: new LocalObjectStore(join(root, 'lake')) });
  const runtime = await DuckDbRuntime.create({ tempDirectory: join(root, 'tmp'), ...duckdb });
  const backend = await SqliteCatalogBackend.open(join(root, 'catalog.db'));
  const catalog = new Catalog({ backend, lake, runtime });
  return {
    home: root,
    lake,
    catalog,
    runtime,
    async close() {
      await backend.close();
      runtime.close();
    },
  };
}
