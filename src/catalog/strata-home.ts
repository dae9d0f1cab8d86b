/**
 * The embedded defaults in one call: a Strata home directory holding the lake (local filesystem
 * object store, zoned), the catalog database (SQLite) and DuckDB's scratch space.
 *
 *   <home>/lake/{raw,processed,curated,results,system}/…   the lake
 *   <home>/catalog.db                                       the catalog
 *   <home>/tmp/                                             spill and staging
 *
 * The home is `$STRATA_HOME`, else `./.strata`.
 *
 * With `catalogUrl` (the config key `catalog.url`, env `STRATA_CATALOG_URL`) set to a
 * `postgres://…` URL, the catalog database is that Postgres database instead of `<home>/catalog.db`,
 * so several machines share one catalog.
 *
 * With `lake` (config keys `lake.uri`, `lake.s3_endpoint`, `lake.s3_region`, `lake.s3_path_style`)
 * naming `s3://bucket[/prefix]`, every table file lives in that bucket instead of `<home>/lake`;
 * the home keeps only the catalog file (unless Postgres) and DuckDB's scratch space, where files
 * read from S3 are cached.
 *
 * @example
 *   const strata = await openStrataHome(home, {}, { catalogUrl: config.values['catalog.url'] });
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LakeLayout, LocalObjectStore, closeLakeStore, openLakeStore, type LakeStoreOptions } from '../storage/index.ts';
import { DuckDbRuntime, type DuckDbRuntimeOptions } from '../table/index.ts';
import { StrataError } from '../core/index.ts';
import { PostgresCatalogBackend, SqliteCatalogBackend, isPostgresUrl, redactUrl, type CatalogBackend } from './backend/index.ts';
import { Catalog } from './catalog.ts';

export interface StrataHome {
  readonly home: string;
  readonly lake: LakeLayout;
  readonly catalog: Catalog;
  readonly runtime: DuckDbRuntime;
  close(): Promise<void>;
}

export interface StrataHomeOptions {
  /** Empty or absent: the embedded SQLite file `<home>/catalog.db`. `postgres://…`: that database. */
  readonly catalogUrl?: string;
  /** Where the lake is: absent or an empty `uri` for `<home>/lake`. */
  readonly lake?: LakeStoreOptions;
}

export function defaultHome(): string {
  return resolve(process.env['STRATA_HOME'] ?? '.strata');
}

export async function openStrataHome(
  home = defaultHome(),
  duckdb: DuckDbRuntimeOptions = {},
  options: StrataHomeOptions = {},
): Promise<StrataHome> {
  const root = resolve(home);
  const catalogUrl = options.catalogUrl?.trim() ?? '';
  if (catalogUrl !== '' && !isPostgresUrl(catalogUrl)) {
    throw new StrataError(
      'INVALID_CONFIG',
      `catalog.url must be empty (the embedded SQLite catalog) or a postgres:// URL, not ${redactUrl(catalogUrl)}`,
      { key: 'catalog.url' },
    );
  }
  const store = openLakeStore(root, options.lake ?? {});
  if (store instanceof LocalObjectStore) mkdirSync(store.rootDir, { recursive: true });
  const lake = new LakeLayout({ root: store });
  const runtime = await DuckDbRuntime.create({ tempDirectory: join(root, 'tmp'), ...duckdb });
  let backend: CatalogBackend;
  try {
    backend = catalogUrl === '' ? await SqliteCatalogBackend.open(join(root, 'catalog.db')) : await PostgresCatalogBackend.open(catalogUrl);
  } catch (error) {
    runtime.close();
    closeLakeStore(store);
    throw error;
  }
  const catalog = new Catalog({ backend, lake, runtime });
  return {
    home: root,
    lake,
    catalog,
    runtime,
    async close() {
      await backend.close();
      runtime.close();
      closeLakeStore(store);
    },
  };
}
