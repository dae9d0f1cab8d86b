/**
 * Governance of the Iceberg REST catalog: every request is decided by a `StatementGuard` for the
 * authenticated principal and audited (action `rest_<operation>`, the request line as statement).
 *
 * The central choice: a REST client reads a table by fetching its metadata and then the data files
 * themselves. Handing out the metadata hands out the raw files, so masks and row filters cannot be
 * enforced on that path. Loading a table therefore needs SELECT on every column with no mask and
 * no row filter applying; a principal for whom any policy shapes the table is refused (403) and
 * told to use Strata's query service, which applies the policies.
 *
 * The same reasoning makes some writes administrator-only: a commit that points a table at files
 * outside its own location (`set-location`, a manifest or data file elsewhere) could read another
 * table's raw files through a table the principal owns.
 */
import type { FastifyRequest } from 'fastify';
import type { Catalog, TableIdentifier } from '../../../catalog/index.ts';
import { StrataError } from '../../../core/index.ts';
import { shapeOf, type Governor, type Privilege, type StatementGuard } from '../../../governance/index.ts';
import {
  readManifestEntries,
  readManifestList,
  type MetadataUpdate,
  type Schema,
  type Snapshot,
  type TableMetadata,
} from '../../../table/index.ts';
import type { ObjectStore } from '../../../storage/index.ts';
import { principalOf, type ServerContext } from '../../server-context.ts';
import { databaseOf } from './rest-wire.ts';

export interface Governed {
  readonly guard: StatementGuard;
  readonly governor: Governor;
}

/** Runs one REST operation under a fresh guard and audits its outcome (denied / completed / failed). */
export async function governed<T>(request: FastifyRequest, context: ServerContext, action: string, run: (g: Governed) => Promise<T>): Promise<T> {
  const governor = await context.governance.governorFor(principalOf(request), context.engine);
  const guard = await governor.begin(`${request.method} ${request.url}`, `rest_${action}`);
  try {
    const result = await run({ guard, governor });
    await guard.finish({});
    return result;
  } catch (error) {
    await guard.finish({ error });
    throw error;
  }
}

export function onTable(id: TableIdentifier): { database: string; table: string } {
  return { database: databaseOf(id.namespace), table: id.name };
}

/** Tables of `namespace` the principal may see: DESCRIBE, or (through tag grants) some readable column. */
export async function visibleTables(catalog: Catalog, guard: StatementGuard, namespace: readonly string[]): Promise<TableIdentifier[]> {
  const tables = await catalog.listTables(namespace);
  if (guard.principal.administrator) return tables;
  const tagGrants = guard.snapshot.grants.some((g) => g.securable.kind === 'tags');
  const out: TableIdentifier[] = [];
  for (const id of tables) {
    const on = onTable(id);
    if (guard.decidePrivilege('DESCRIBE', on).allowed) out.push(id);
    else if (tagGrants && guard.decideRead(shapeOf(on.database, on.table, (await catalog.loadTable(id)).schema())).allowed) out.push(id);
  }
  return out;
}

/** A namespace is visible with DESCRIBE on it or when it holds a visible table (as SHOW DATABASES). */
export async function requireVisibleNamespace(catalog: Catalog, guard: StatementGuard, namespace: readonly string[]): Promise<void> {
  if (guard.principal.administrator || guard.decidePrivilege('DESCRIBE', { database: databaseOf(namespace) }).allowed) return;
  if ((await visibleTables(catalog, guard, namespace)).length > 0) return;
  guard.require('DESCRIBE', { database: databaseOf(namespace) });
}

/** Refuses (403) unless every column is readable unmasked and no row filter applies. */
export function requireUnrestrictedRead(guard: StatementGuard, id: TableIdentifier, schema: Schema): void {
  if (guard.principal.administrator) return;
  const on = onTable(id);
  const decision = guard.decideRead(shapeOf(on.database, on.table, schema));
  const hidden = decision.columns.filter((c) => !c.readable).map((c) => c.name);
  const masked = decision.columns.filter((c) => c.readable && c.mask !== undefined).map((c) => c.name);
  const filters = decision.rowFilters.map((f) => f.name);
  if (decision.allowed && hidden.length === 0 && masked.length === 0 && filters.length === 0) return;
  const why = [
    hidden.length > 0 ? `no SELECT on column(s) ${hidden.join(', ')}` : '',
    masked.length > 0 ? `mask(s) on column(s) ${masked.join(', ')}` : '',
    filters.length > 0 ? `row filter(s) ${filters.join(', ')}` : '',
  ].filter(Boolean);
  throw new StrataError(
    'ACCESS_DENIED',
    `${guard.principal.name} may not load ${on.database}.${on.table} through the Iceberg REST catalog (${why.join('; ')}): ` +
      `a REST client reads the raw data files, so masked, filtered or partly granted tables are only served through Strata's query service (its HTTP query API or strata sql), which applies the policies`,
    { principal: guard.principal.name, ...on },
  );
}

/**
 * The privileges a commit needs: INSERT to add data, DELETE to remove it (a delete/overwrite/replace
 * snapshot, or main moved to an older snapshot), ALTER for everything else that changes the table.
 */
export function privilegesForCommit(base: TableMetadata, updates: readonly MetadataUpdate[]): Set<Privilege> {
  const needed = new Set<Privilege>();
  const added = new Set<bigint>();
  for (const update of updates) {
    switch (update.action) {
      case 'assign-uuid':
      case 'upgrade-format-version':
        break;
      case 'add-snapshot': {
        added.add(update.snapshot.snapshotId);
        const operation = update.snapshot.summary.operation;
        if (operation !== 'delete') needed.add('INSERT');
        if (operation !== 'append') needed.add('DELETE');
        break;
      }
      case 'set-snapshot-ref':
        if (!added.has(update.ref.snapshotId)) {
          needed.add('ALTER');
          if (update.refName === 'main' && base.currentSnapshotId !== update.ref.snapshotId) needed.add('DELETE');
        }
        break;
      case 'remove-snapshot-ref':
        needed.add('ALTER');
        if (update.refName === 'main') needed.add('DELETE');
        break;
      default:
        needed.add('ALTER');
    }
  }
  return needed;
}

/**
 * For non-administrators: the table stays at `table.location` (no `set-location`), and every file an
 * added snapshot references (manifest list, manifests, data and delete files) is inside it.
 * `base` is the metadata the commit applies to (undefined for a create), `next` the result.
 */
export async function requireFilesInsideTable(
  guard: StatementGuard,
  table: { readonly store: ObjectStore; readonly name: string; readonly location: string },
  base: TableMetadata | undefined,
  next: TableMetadata,
  updates: readonly MetadataUpdate[],
): Promise<void> {
  if (guard.principal.administrator) return;
  const location = table.location.replace(/\/+$/, '');
  const refuse = (what: string) =>
    new StrataError('ACCESS_DENIED', `${guard.principal.name} may not commit ${what} to ${table.name}: only administrators may reference files outside the table's location ${location}`, {
      principal: guard.principal.name,
      table: table.name,
    });
  if (next.location !== location) throw refuse(`the location ${next.location}`);
  const inside = (path: string) => path.startsWith(`${location}/`);
  for (const update of updates) {
    if (update.action !== 'add-snapshot') continue;
    const snapshot: Snapshot = update.snapshot;
    if (!inside(snapshot.manifestList)) throw refuse(`manifest list ${snapshot.manifestList}`);
    // Manifests the parent snapshot already had were checked when it was committed.
    const parent = base?.snapshots.find((s) => s.snapshotId === snapshot.parentSnapshotId);
    const known = new Set(parent ? (await readManifestList(table.store, parent)).map((m) => m.manifestPath) : []);
    for (const manifest of await readManifestList(table.store, snapshot)) {
      if (known.has(manifest.manifestPath)) continue;
      if (!inside(manifest.manifestPath)) throw refuse(`manifest ${manifest.manifestPath}`);
      for (const entry of await readManifestEntries(table.store, next, manifest)) {
        if (!inside(entry.dataFile.filePath)) throw refuse(`file ${entry.dataFile.filePath}`);
      }
    }
  }
}

/** HEAD on a table: DESCRIBE, or (through tag grants) some readable column. */
export function requireVisibleTable(guard: StatementGuard, id: TableIdentifier, schema: Schema): void {
  const on = onTable(id);
  if (guard.principal.administrator || guard.decideRead(shapeOf(on.database, on.table, schema)).allowed) return;
  guard.require('DESCRIBE', on);
}

/**
 * Policies name tables, so a renamed table would leave its masks, row filters and tags behind under
 * the old name. Non-administrators may not rename a table any such policy names.
 */
export function requireRenameKeepsPolicies(guard: StatementGuard, from: TableIdentifier, to: TableIdentifier): void {
  if (guard.principal.administrator) return;
  const { database, table } = onTable(from);
  const db = database.toLowerCase();
  const t = table.toLowerCase();
  const names = (target: { kind: string; database?: string; table?: string }) => target.database === db && (target.table === t || (target.kind === 'database' && databaseOf(to.namespace).toLowerCase() !== db));
  const s = guard.snapshot;
  const named =
    s.masks.some((m) => m.targets.some((target) => target.kind === 'column' && names(target))) ||
    s.rowFilters.some((f) => f.target.kind === 'table' && names(f.target)) ||
    s.tags.some((a) => names(a.target));
  if (named) {
    throw new StrataError(
      'ACCESS_DENIED',
      `${guard.principal.name} may not rename ${database}.${table}: masks, row filters or tags name it (or its database), and they would not follow the new name; ask an administrator`,
      { principal: guard.principal.name, database, table },
    );
  }
}
