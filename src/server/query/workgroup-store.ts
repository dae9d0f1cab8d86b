/**
 * Workgroups and their USE grants, stored in the catalog database (migrations in
 * workgroup-migrations.ts). Dialect-neutral Kysely over the catalog's own connection.
 *
 * @example
 *   const store = await WorkgroupStore.open(connection);
 *   await store.create('analysts', { scanCapBytes: 10 * 2 ** 30, concurrency: 2 });
 *   await store.grant('analysts', { kind: 'group', name: 'analysts' });
 *   store.mayUse(principalContext, await store.get('analysts')); // true for members
 */
import type { Kysely } from 'kysely';
import type { CatalogDialect } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import { namesPrincipal, type GovernanceConnection, type PrincipalContext } from '../../governance/index.ts';
import { DEFAULT_CONCURRENCY, validateSettings, validateWorkgroupName, type Workgroup, type WorkgroupEngine, type WorkgroupGrantee, type WorkgroupSettings } from './workgroup.ts';
import { PRIMARY_WORKGROUP, migrateServer } from './workgroup-migrations.ts';

interface WorkgroupRow {
  name: string;
  engine: string;
  description: string;
  scan_cap_bytes: number | string | null;
  timeout_ms: number | string | null;
  concurrency: number;
  budget_bytes_per_hour: number | string | null;
  budget_bytes_per_day: number | string | null;
  created_at: number | string;
}

interface GrantRow {
  workgroup: string;
  grantee_kind: string;
  grantee_name: string;
  created_at: number;
}

interface WorkgroupDatabase {
  strata_workgroup: WorkgroupRow;
  strata_workgroup_grant: GrantRow;
}

type Db = Kysely<WorkgroupDatabase>;

export class WorkgroupStore {
  readonly #db: Db;
  readonly #dialect: CatalogDialect;
  readonly #clock: () => number;

  private constructor(db: Db, dialect: CatalogDialect, clock: () => number) {
    this.#db = db;
    this.#dialect = dialect;
    this.#clock = clock;
  }

  /** Opens the store over the catalog database's connection (owned by the caller), migrating if needed. */
  static async open<DB>(connection: GovernanceConnection<DB>, options: { readonly clock?: () => number } = {}): Promise<WorkgroupStore> {
    await migrateServer(connection.db, connection.dialect);
    return new WorkgroupStore(connection.db as unknown as Db, connection.dialect, options.clock ?? Date.now);
  }

  async create(name: string, settings: WorkgroupSettings = {}): Promise<Workgroup> {
    validateWorkgroupName(name);
    validateSettings(settings);
    const row: WorkgroupRow = {
      name,
      engine: settings.engine ?? 'duckdb',
      description: settings.description ?? '',
      scan_cap_bytes: settings.scanCapBytes ?? null,
      timeout_ms: settings.timeoutMs ?? null,
      concurrency: settings.concurrency ?? DEFAULT_CONCURRENCY,
      budget_bytes_per_hour: settings.budgetBytesPerHour ?? null,
      budget_bytes_per_day: settings.budgetBytesPerDay ?? null,
      created_at: this.#clock(),
    };
    try {
      await this.#db.insertInto('strata_workgroup').values(row).execute();
    } catch (error) {
      if (this.#dialect.constraintViolation(error) === 'unique') {
        throw new StrataError('ALREADY_EXISTS', `Workgroup ${name} already exists; change it with PATCH /api/v1/workgroups/${name}`, { kind: 'workgroup', workgroup: name });
      }
      throw error;
    }
    return fromRow(row);
  }

  /** WORKGROUP_NOT_FOUND when there is none by that name. */
  async get(name: string): Promise<Workgroup> {
    const row = await this.#db.selectFrom('strata_workgroup').selectAll().where('name', '=', name).executeTakeFirst();
    if (!row) throw notFound(name);
    return fromRow(row);
  }

  async list(): Promise<Workgroup[]> {
    return (await this.#db.selectFrom('strata_workgroup').selectAll().orderBy('name').execute()).map(fromRow);
  }

  /** Changes the given settings (`null` removes a limit); the rest stay. */
  async update(name: string, settings: WorkgroupSettings): Promise<Workgroup> {
    validateSettings(settings);
    const changes: Partial<WorkgroupRow> = {};
    if (settings.engine !== undefined) changes.engine = settings.engine;
    if (settings.description !== undefined) changes.description = settings.description;
    if (settings.scanCapBytes !== undefined) changes.scan_cap_bytes = settings.scanCapBytes;
    if (settings.timeoutMs !== undefined) changes.timeout_ms = settings.timeoutMs;
    if (settings.concurrency !== undefined) changes.concurrency = settings.concurrency;
    if (settings.budgetBytesPerHour !== undefined) changes.budget_bytes_per_hour = settings.budgetBytesPerHour;
    if (settings.budgetBytesPerDay !== undefined) changes.budget_bytes_per_day = settings.budgetBytesPerDay;
    if (Object.keys(changes).length > 0) {
      const result = await this.#db.updateTable('strata_workgroup').set(changes).where('name', '=', name).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw notFound(name);
    }
    return this.get(name);
  }

  /** Drops a workgroup and its grants. The primary workgroup cannot be dropped. */
  async drop(name: string): Promise<void> {
    if (name === PRIMARY_WORKGROUP) {
      throw new StrataError('INVALID_ARGUMENT', 'The primary workgroup cannot be dropped; change its limits instead', { workgroup: name });
    }
    await this.#db.deleteFrom('strata_workgroup_grant').where('workgroup', '=', name).execute();
    const result = await this.#db.deleteFrom('strata_workgroup').where('name', '=', name).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw notFound(name);
  }

  /** Grants USE on a workgroup (idempotent). The caller checks that the grantee exists. */
  async grant(name: string, grantee: WorkgroupGrantee): Promise<void> {
    await this.get(name);
    try {
      await this.#db.insertInto('strata_workgroup_grant').values({ workgroup: name, grantee_kind: grantee.kind, grantee_name: grantee.name, created_at: this.#clock() }).execute();
    } catch (error) {
      if (this.#dialect.constraintViolation(error) !== 'unique') throw error;
    }
  }

  /** Revokes USE; POLICY_NOT_FOUND when there was no such grant. */
  async revoke(name: string, grantee: WorkgroupGrantee): Promise<void> {
    const result = await this.#db
      .deleteFrom('strata_workgroup_grant')
      .where('workgroup', '=', name)
      .where('grantee_kind', '=', grantee.kind)
      .where('grantee_name', '=', grantee.name)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      throw new StrataError('POLICY_NOT_FOUND', `${grantee.kind} ${grantee.name} holds no USE grant on workgroup ${name}`, { workgroup: name, grantee });
    }
  }

  async grants(name: string): Promise<WorkgroupGrantee[]> {
    const rows = await this.#db.selectFrom('strata_workgroup_grant').selectAll().where('workgroup', '=', name).orderBy('grantee_kind').orderBy('grantee_name').execute();
    return rows.map((r) => ({ kind: r.grantee_kind as WorkgroupGrantee['kind'], name: r.grantee_name }));
  }

  /** Whether `principal` may run queries in `workgroup`: primary is open to all, administrators use all. */
  async mayUse(principal: PrincipalContext, workgroup: string): Promise<boolean> {
    if (workgroup === PRIMARY_WORKGROUP || principal.administrator) return true;
    return namesPrincipal(await this.grants(workgroup), principal);
  }
}

function notFound(name: string): StrataError {
  return new StrataError('WORKGROUP_NOT_FOUND', `Workgroup ${name} does not exist; list them with GET /api/v1/workgroups`, { workgroup: name });
}

function fromRow(row: WorkgroupRow): Workgroup {
  const n = (v: number | string | null): number | null => (v === null ? null : Number(v));
  return {
    name: row.name,
    engine: row.engine as WorkgroupEngine,
    description: row.description,
    scanCapBytes: n(row.scan_cap_bytes),
    timeoutMs: n(row.timeout_ms),
    concurrency: Number(row.concurrency),
    budgetBytesPerHour: n(row.budget_bytes_per_hour),
    budgetBytesPerDay: n(row.budget_bytes_per_day),
    createdAt: Number(row.created_at),
  };
}
