/**
 * The policy store: grants, tag keys and assignments, column masks and row filters, kept in the
 * catalog database beside identity's tables (migration `0002_policies`), written once in
 * dialect-neutral Kysely so a Postgres catalog works later. It stores and validates; deciding who
 * may read what from a `PolicySnapshot` is the decision engine's job.
 *
 * @example
 *   const policies = await PolicyStore.openSqlite(join(home, 'catalog.db'));
 *   try {
 *     await policies.grant({ privilege: 'SELECT', securable: { kind: 'table', database: 'ads', table: 'clicks' },
 *                            grantee: { kind: 'group', name: 'analysts' }, grantedBy: 'alice' });
 *     await policies.createTagKey('pii', ['true', 'false']);
 *     await policies.assignTag({ kind: 'column', database: 'ads', table: 'clicks', column: 'email' }, 'pii', 'true');
 *     await policies.createMask({ name: 'pii_hash', function: { kind: 'hash' } });
 *     await policies.attachMask('pii_hash', { kind: 'tags', expression: parseTagExpression('pii=true') });
 *     const snapshot = await policies.snapshot();
 *   } finally { await policies.close(); }
 *
 * Integrity, as in the identity store: every write is one statement, and "must exist" / "must be
 * free" are primary, unique and foreign keys whose violations map to error codes. Grants reference
 * their grantee with `ON DELETE CASCADE`, so dropping a principal, group or role drops its grants
 * and a principal recreated under the same name starts with none.
 *
 * Gotchas:
 * - Mask exemptions and row-filter `appliesTo` / `exempt` lists are JSON, not foreign keys: the
 *   grantees must exist when the policy is created or changed, but dropping one later leaves its
 *   name in the list, and a principal recreated under that name matches it again. Update the lists
 *   (`setMaskExemptions`, drop and recreate a filter) when retiring a principal.
 * - `dropTagKey` checks for referencing grants, mask targets and row filters, then deletes; a
 *   policy created concurrently in between can name a key that no longer exists. Such a policy
 *   matches nothing (no object carries the key), which for grants fails closed.
 * - Database, table and column names are not checked against the catalog (this store does not
 *   know it); the caller checks, and calls `forgetTable` / `forgetDatabase` after a drop so a table
 *   recreated under the same name does not inherit its predecessor's policies.
 */
import { randomBytes } from 'node:crypto';
import type { ExpressionBuilder, Kysely, Selectable } from 'kysely';
import { SqliteCatalogBackend, type CatalogDialect } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import type { GovernanceConnection } from '../identity/identity-store.ts';
import { migrateGovernance, openMigratedSqlite } from '../identity/migrations.ts';
import {
  granteeToString,
  securableToString,
  type Grant,
  type Grantee,
  type MaskFunction,
  type MaskPolicy,
  type MaskTarget,
  type PolicySnapshot,
  type Privilege,
  type RowFilter,
  type RowFilterTarget,
  type Securable,
  type TagAssignment,
  type TagExpression,
  type TagKey,
  type TagTarget,
} from '../model.ts';
import { formatTagExpression, tagPairsOf } from '../tags/tag-expression.ts';
import { normalizeMaskFunction } from './mask-function.ts';
import {
  compareGrants,
  compareObjects,
  compareText,
  grantKey,
  granteeColumns,
  objectColumns,
  parseGrantees,
  securableColumns,
  serializeGrantees,
  toGrant,
  toMaskTarget,
  toObject,
  toRowFilterTarget,
  toTagTarget,
} from './policy-codec.ts';
import {
  checkTagExpressionAgainstKeys,
  normalizeGrantee,
  normalizeGrantees,
  normalizeMaskTarget,
  normalizePredicate,
  normalizePrivilege,
  normalizeRowFilterTarget,
  normalizeSecurable,
  normalizeTagTarget,
} from './policy-input.ts';
import { normalizeObjectName, normalizeTagWord, validatePolicyName, type PolicyKind } from './policy-names.ts';
import type { MaskRow, PolicyDatabase, RowFilterRow } from './policy-schema.ts';

export interface PolicyStoreOptions {
  /** Milliseconds since the epoch; tests pass a controllable clock. */
  readonly clock?: () => number;
}

export interface GrantInput {
  readonly privilege: Privilege;
  readonly securable: Securable;
  readonly grantee: Grantee;
  readonly withGrantOption?: boolean;
  /** The granting principal, or `system` for ownership grants. */
  readonly grantedBy: string;
}

export interface RevokeInput {
  readonly privilege: Privilege;
  readonly securable: Securable;
  readonly grantee: Grantee;
  /** Keep the grant, clear only its grant option (`REVOKE GRANT OPTION FOR`). */
  readonly grantOptionOnly?: boolean;
}

export interface GrantFilter {
  readonly grantee?: Grantee;
  readonly database?: string;
  readonly table?: string;
}

export interface TagAssignmentFilter {
  readonly database?: string;
  readonly table?: string;
}

export interface CreateMaskInput {
  readonly name: string;
  readonly function: MaskFunction;
  readonly exempt?: readonly Grantee[];
}

export interface CreateRowFilterInput {
  readonly name: string;
  readonly target: RowFilterTarget;
  readonly predicate: string;
  readonly appliesTo?: readonly Grantee[];
  readonly exempt?: readonly Grantee[];
}

const MAX_DESCRIPTION_LENGTH = 256;
const MAX_ALLOWED_VALUES = 1000;
const TAG_KEY_UPDATE_ATTEMPTS = 100;
const MASK_TARGET_COLUMNS = ['mask_name', 'target_kind', 'database_name', 'table_name', 'column_name', 'tag_expression'] as const;

type Db = Kysely<PolicyDatabase>;
type GrantExpressions = ExpressionBuilder<PolicyDatabase, 'strata_grant'>;

export class PolicyStore {
  readonly #db: Db;
  readonly #dialect: CatalogDialect;
  readonly #clock: () => number;
  readonly #owned: SqliteCatalogBackend | undefined;
  #closed = false;

  private constructor(db: Db, dialect: CatalogDialect, clock: () => number, owned: SqliteCatalogBackend | undefined) {
    this.#db = db;
    this.#dialect = dialect;
    this.#clock = clock;
    this.#owned = owned;
  }

  /**
   * Opens the store over an existing connection to the catalog database (which stays owned by the
   * caller: `close()` does not close it), migrating governance's tables if needed.
   */
  static async open<DB>(connection: GovernanceConnection<DB>, options: PolicyStoreOptions = {}): Promise<PolicyStore> {
    await migrateGovernance(connection.db, connection.dialect);
    return new PolicyStore(asPolicyDb(connection.db), connection.dialect, options.clock ?? Date.now, undefined);
  }

  /** Opens the SQLite catalog file at `path` (creating it if needed) with its own connection. */
  static async openSqlite(path: string, options: PolicyStoreOptions = {}): Promise<PolicyStore> {
    return openMigratedSqlite(path, (db, dialect, owned) => new PolicyStore(asPolicyDb(db), dialect, options.clock ?? Date.now, owned));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#owned?.close();
  }

  // ---- grants ----------------------------------------------------------------------------------

  /**
   * Grants `privilege` on `securable` to `grantee`. Idempotent: granting an existing grant again
   * returns it unchanged (its id, grantor and time stay the first ones), except that
   * `withGrantOption: true` upgrades it. A grant never loses its option here; use
   * `revoke({ grantOptionOnly: true })` for that.
   *
   * INVALID_ARGUMENT for a column grant of anything but SELECT, and for a tags securable naming a
   * tag key or value that does not exist; PRINCIPAL_NOT_FOUND (`details.kind`) for a missing grantee.
   */
  async grant(input: GrantInput): Promise<Grant> {
    const privilege = normalizePrivilege(input.privilege);
    const securable = normalizeSecurable(input.securable, privilege);
    const grantee = normalizeGrantee(input.grantee);
    const withGrantOption = input.withGrantOption ?? false;
    if (typeof withGrantOption !== 'boolean') throw invalid('withGrantOption must be true or false', { withGrantOption });
    if (typeof input.grantedBy !== 'string' || input.grantedBy.length === 0 || input.grantedBy.length > 128) {
      throw invalid('grantedBy must name the granting principal (or system)', { grantedBy: input.grantedBy });
    }
    if (securable.kind === 'tags') await this.#checkTagExpression(securable.expression);
    const key = grantKey(privilege, securable, grantee);
    const db = this.#live();
    try {
      await db
        .insertInto('strata_grant')
        .values({
          id: `g_${randomBytes(6).toString('hex')}`,
          grant_key: key,
          privilege,
          ...securableColumns(securable),
          ...granteeColumns(grantee),
          with_grant_option: withGrantOption ? 1 : 0,
          granted_by: input.grantedBy,
          created_at: this.#clock(),
        })
        .onConflict((oc) =>
          withGrantOption ? oc.column('grant_key').doUpdateSet({ with_grant_option: 1 }) : oc.column('grant_key').doNothing(),
        )
        .execute();
    } catch (error) {
      if (this.#dialect.constraintViolation(error) === 'foreign-key') await this.#granteesMustExist([grantee]);
      throw error;
    }
    const row = await db.selectFrom('strata_grant').selectAll().where('grant_key', '=', key).executeTakeFirst();
    if (row === undefined) {
      // Only a concurrent drop of the grantee (cascading) or a revoke can get here.
      await this.#granteesMustExist([grantee]);
      throw new StrataError('POLICY_NOT_FOUND', `The grant of ${describeGrant(privilege, securable, grantee)} was revoked concurrently`, {});
    }
    return toGrant(row);
  }

  /**
   * Revokes a grant and returns what was removed (or, with `grantOptionOnly`, what lost its grant
   * option). Revoking a TABLE-level privilege also revokes the same privilege's column grants on
   * that table to the same grantee (as in Postgres), so `REVOKE SELECT ON t` leaves nothing of
   * t readable through that grantee's direct grants. POLICY_NOT_FOUND when nothing matched.
   */
  async revoke(input: RevokeInput): Promise<Grant[]> {
    const privilege = normalizePrivilege(input.privilege);
    const securable = normalizeSecurable(input.securable, privilege);
    const grantee = normalizeGrantee(input.grantee);
    const key = grantKey(privilege, securable, grantee);
    const column = granteeColumn(grantee);
    const matches = (eb: GrantExpressions) => {
      const target =
        securable.kind === 'table'
          ? eb.or([
              eb('grant_key', '=', key),
              eb.and([
                eb('securable_kind', '=', 'column'),
                eb('database_name', '=', securable.database),
                eb('table_name', '=', securable.table),
              ]),
            ])
          : eb('grant_key', '=', key);
      return eb.and([eb(column, '=', grantee.name), eb('privilege', '=', privilege), target]);
    };
    const db = this.#live();
    const rows = input.grantOptionOnly
      ? await db.updateTable('strata_grant').set({ with_grant_option: 0 }).where(matches).where('with_grant_option', '=', 1).returningAll().execute()
      : await db.deleteFrom('strata_grant').where(matches).returningAll().execute();
    if (rows.length > 0) return rows.map(toGrant).sort(compareGrants);
    const what = describeGrant(privilege, securable, grantee);
    const details = { privilege, securable, grantee };
    if (input.grantOptionOnly) {
      const held = await db.selectFrom('strata_grant').select('id').where(matches).executeTakeFirst();
      if (held !== undefined) {
        throw new StrataError('POLICY_NOT_FOUND', `${what} is held without grant option; there is no grant option to revoke`, details);
      }
    }
    throw new StrataError('POLICY_NOT_FOUND', `Nothing to revoke: ${what} is not granted; list the grants to see what is`, details);
  }

  /**
   * Grants, optionally only those to one grantee and/or on one database (its database-, table- and
   * column-level grants; catalog and tag grants name no database) or table.
   */
  async listGrants(filter: GrantFilter = {}): Promise<Grant[]> {
    let query = this.#live().selectFrom('strata_grant').selectAll();
    if (filter.grantee !== undefined) {
      const grantee = normalizeGrantee(filter.grantee);
      query = query.where(granteeColumn(grantee), '=', grantee.name);
    }
    if (filter.database !== undefined) query = query.where('database_name', '=', normalizeObjectName('database', filter.database));
    if (filter.table !== undefined) query = query.where('table_name', '=', normalizeObjectName('table', filter.table));
    return (await query.execute()).map(toGrant).sort(compareGrants);
  }

  // ---- tags ------------------------------------------------------------------------------------

  /** Keys and values are folded to lowercase; duplicate values are dropped. ALREADY_EXISTS on a taken key. */
  async createTagKey(key: string, allowedValues: readonly string[], description = ''): Promise<TagKey> {
    const tagKey = normalizeTagWord('tag key', key);
    const values = normalizeAllowedValues(allowedValues);
    if (values.length === 0) throw invalid(`Tag key ${tagKey} needs at least one allowed value`, { key: tagKey });
    if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH) {
      throw invalid(`A tag key description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`, { key: tagKey });
    }
    try {
      await this.#live()
        .insertInto('strata_tag_key')
        .values({ tag_key: tagKey, allowed_values: JSON.stringify(values), description, created_at: this.#clock() })
        .execute();
    } catch (error) {
      if (this.#dialect.constraintViolation(error) === 'unique') {
        throw new StrataError('ALREADY_EXISTS', `A tag key named ${tagKey} already exists; add values to it with addTagValues`, {
          kind: 'tag key',
          name: tagKey,
        });
      }
      throw error;
    }
    return { key: tagKey, allowedValues: values, description };
  }

  /** Adds allowed values (already allowed ones are ignored). Values are never removed. */
  async addTagValues(key: string, values: readonly string[]): Promise<TagKey> {
    const tagKey = normalizeTagWord('tag key', key);
    const added = normalizeAllowedValues(values);
    const db = this.#live();
    for (let attempt = 0; attempt < TAG_KEY_UPDATE_ATTEMPTS; attempt++) {
      const row = await db.selectFrom('strata_tag_key').selectAll().where('tag_key', '=', tagKey).executeTakeFirst();
      if (row === undefined) throw tagKeyNotFound(tagKey);
      const current = parseStringArray(row.allowed_values);
      const merged = [...current, ...added.filter((v) => !current.includes(v))];
      if (merged.length > MAX_ALLOWED_VALUES) throw invalid(`A tag key may have at most ${MAX_ALLOWED_VALUES} allowed values`, { key: tagKey });
      if (merged.length === current.length) return { key: tagKey, allowedValues: current, description: row.description };
      // Optimistic: only replace the list this call read, so concurrent additions are never lost.
      const result = await db
        .updateTable('strata_tag_key')
        .set({ allowed_values: JSON.stringify(merged) })
        .where('tag_key', '=', tagKey)
        .where('allowed_values', '=', row.allowed_values)
        .executeTakeFirst();
      if (result.numUpdatedRows > 0n) return { key: tagKey, allowedValues: merged, description: row.description };
    }
    throw new StrataError('COMMIT_CONFLICT', `Tag key ${tagKey} kept changing concurrently; try again`, { key: tagKey });
  }

  /**
   * Drops a tag key and every assignment of it. Refused with INVALID_ARGUMENT (naming them) while
   * any grant, mask target or row filter's tag expression uses the key: revoke or drop those first.
   */
  async dropTagKey(key: string): Promise<void> {
    const tagKey = normalizeTagWord('tag key', key);
    const db = this.#live();
    const exists = await db.selectFrom('strata_tag_key').select('tag_key').where('tag_key', '=', tagKey).executeTakeFirst();
    if (exists === undefined) throw tagKeyNotFound(tagKey);
    const uses = (text: string) => tagPairsOf(JSON.parse(text) as TagExpression).some((pair) => pair.key === tagKey);
    const grants = (await db.selectFrom('strata_grant').selectAll().where('securable_kind', '=', 'tags').execute())
      .filter((row) => uses(row.tag_expression))
      .map(toGrant)
      .sort(compareGrants);
    const masks = (await db.selectFrom('strata_mask_target').select(['mask_name', 'tag_expression']).where('target_kind', '=', 'tags').execute())
      .filter((row) => uses(row.tag_expression))
      .map((row) => row.mask_name);
    const rowFilters = (await db.selectFrom('strata_row_filter').select(['name', 'tag_expression']).where('target_kind', '=', 'tags').execute())
      .filter((row) => uses(row.tag_expression))
      .map((row) => row.name);
    if (grants.length > 0 || masks.length > 0 || rowFilters.length > 0) {
      const users = [
        ...grants.map((g) => `grant ${g.id} (${describeGrant(g.privilege, g.securable, g.grantee)})`),
        ...unique(masks).map((name) => `mask ${name}`),
        ...unique(rowFilters).map((name) => `row filter ${name}`),
      ];
      throw invalid(`Tag key ${tagKey} is still used by ${users.join(', ')}; revoke or drop those first`, {
        key: tagKey,
        grants: grants.map((g) => g.id),
        masks: unique(masks),
        rowFilters: unique(rowFilters),
      });
    }
    const result = await db.deleteFrom('strata_tag_key').where('tag_key', '=', tagKey).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw tagKeyNotFound(tagKey);
  }

  async listTagKeys(): Promise<TagKey[]> {
    return this.#tagKeys(this.#live());
  }

  /**
   * Sets `key` on a database, table or column to `value`, replacing the value the target had for
   * that key. POLICY_NOT_FOUND for an unknown key, INVALID_ARGUMENT for a value it does not allow.
   */
  async assignTag(target: TagTarget, key: string, value: string): Promise<void> {
    const normalized = normalizeTagTarget(target);
    const tagKey = normalizeTagWord('tag key', key);
    const tagValue = normalizeTagWord('tag value', value);
    const db = this.#live();
    const row = await db.selectFrom('strata_tag_key').selectAll().where('tag_key', '=', tagKey).executeTakeFirst();
    if (row === undefined) throw tagKeyNotFound(tagKey);
    const allowed = parseStringArray(row.allowed_values);
    if (!allowed.includes(tagValue)) {
      throw invalid(`${tagValue} is not an allowed value of tag key ${tagKey}; allowed values: ${allowed.join(', ')} (add one with addTagValues)`, {
        key: tagKey,
        value: tagValue,
        allowedValues: allowed,
      });
    }
    const { database_name, table_name, column_name } = objectColumns(normalized);
    try {
      await db
        .insertInto('strata_tag_assignment')
        .values({ target_kind: normalized.kind, database_name, table_name, column_name, tag_key: tagKey, tag_value: tagValue })
        .onConflict((oc) => oc.columns(['database_name', 'table_name', 'column_name', 'tag_key']).doUpdateSet({ tag_value: tagValue }))
        .execute();
    } catch (error) {
      if (this.#dialect.constraintViolation(error) === 'foreign-key') throw tagKeyNotFound(tagKey);
      throw error;
    }
  }

  /** Removes `key` from the target. POLICY_NOT_FOUND when the key is unknown or the target does not carry it. */
  async unassignTag(target: TagTarget, key: string): Promise<void> {
    const normalized = normalizeTagTarget(target);
    const tagKey = normalizeTagWord('tag key', key);
    const { database_name, table_name, column_name } = objectColumns(normalized);
    const db = this.#live();
    const result = await db
      .deleteFrom('strata_tag_assignment')
      .where('database_name', '=', database_name)
      .where('table_name', '=', table_name)
      .where('column_name', '=', column_name)
      .where('tag_key', '=', tagKey)
      .executeTakeFirst();
    if (result.numDeletedRows > 0n) return;
    const exists = await db.selectFrom('strata_tag_key').select('tag_key').where('tag_key', '=', tagKey).executeTakeFirst();
    if (exists === undefined) throw tagKeyNotFound(tagKey);
    throw new StrataError('POLICY_NOT_FOUND', `${describeTarget(normalized)} carries no ${tagKey} tag; nothing to remove`, {
      target: normalized,
      key: tagKey,
    });
  }

  /** Assignments, optionally only those on one database (and everything in it) or table. */
  async listTagAssignments(filter: TagAssignmentFilter = {}): Promise<TagAssignment[]> {
    let query = this.#live().selectFrom('strata_tag_assignment').selectAll();
    if (filter.database !== undefined) query = query.where('database_name', '=', normalizeObjectName('database', filter.database));
    if (filter.table !== undefined) query = query.where('table_name', '=', normalizeObjectName('table', filter.table));
    return sortAssignments((await query.execute()).map((row) => ({ target: toTagTarget(row), key: row.tag_key, value: row.tag_value })));
  }

  // ---- masks -----------------------------------------------------------------------------------

  /** A mask with no targets (attach them next). Its hash key is 32 random bytes, made here. */
  async createMask(input: CreateMaskInput): Promise<MaskPolicy> {
    validatePolicyName('mask', input.name);
    const fn = normalizeMaskFunction(input.function);
    const exempt = normalizeGrantees('A mask exemption list', input.exempt ?? []);
    await this.#granteesMustExist(exempt);
    const hashKey = randomBytes(32).toString('hex');
    const createdAt = this.#clock();
    await this.#insertPolicy('mask', input.name, (db) =>
      db
        .insertInto('strata_mask')
        .values({ name: input.name, mask_function: JSON.stringify(fn), exempt: serializeGrantees(exempt), hash_key: hashKey, created_at: createdAt })
        .execute(),
    );
    return { name: input.name, function: fn, targets: [], exempt, hashKey, createdAt };
  }

  /** Idempotent: attaching a target the mask already has changes nothing. */
  async attachMask(name: string, target: MaskTarget): Promise<MaskPolicy> {
    validatePolicyName('mask', name);
    const normalized = normalizeMaskTarget(target);
    if (normalized.kind === 'tags') await this.#checkTagExpression(normalized.expression);
    const { database_name, table_name, column_name, tag_expression } = objectColumns(normalized);
    try {
      await this.#live()
        .insertInto('strata_mask_target')
        .values({ mask_name: name, target_kind: normalized.kind, database_name, table_name, column_name, tag_expression })
        .onConflict((oc) => oc.columns(MASK_TARGET_COLUMNS).doNothing())
        .execute();
    } catch (error) {
      if (this.#dialect.constraintViolation(error) === 'foreign-key') throw policyNotFound('mask', name);
      throw error;
    }
    return this.#mask(name);
  }

  /** POLICY_NOT_FOUND when the mask is unknown or not attached to that target. */
  async detachMask(name: string, target: MaskTarget): Promise<MaskPolicy> {
    validatePolicyName('mask', name);
    const normalized = normalizeMaskTarget(target);
    const { database_name, table_name, column_name, tag_expression } = objectColumns(normalized);
    const result = await this.#live()
      .deleteFrom('strata_mask_target')
      .where('mask_name', '=', name)
      .where('target_kind', '=', normalized.kind)
      .where('database_name', '=', database_name)
      .where('table_name', '=', table_name)
      .where('column_name', '=', column_name)
      .where('tag_expression', '=', tag_expression)
      .executeTakeFirst();
    const mask = await this.#mask(name);
    if (result.numDeletedRows === 0n) {
      throw new StrataError('POLICY_NOT_FOUND', `Mask ${name} is not attached to ${describeTarget(normalized)}; list the masks to see its targets`, {
        kind: 'mask',
        name,
        target: normalized,
      });
    }
    return mask;
  }

  /** Replaces the mask's exemption list as a whole. */
  async setMaskExemptions(name: string, exempt: readonly Grantee[]): Promise<MaskPolicy> {
    validatePolicyName('mask', name);
    const grantees = normalizeGrantees('A mask exemption list', exempt);
    await this.#granteesMustExist(grantees);
    const result = await this.#live().updateTable('strata_mask').set({ exempt: serializeGrantees(grantees) }).where('name', '=', name).executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw policyNotFound('mask', name);
    return this.#mask(name);
  }

  /** Drops the mask with all its targets. */
  async dropMask(name: string): Promise<void> {
    validatePolicyName('mask', name);
    const result = await this.#live().deleteFrom('strata_mask').where('name', '=', name).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw policyNotFound('mask', name);
  }

  async listMasks(): Promise<MaskPolicy[]> {
    return this.#masks(this.#live());
  }

  // ---- row filters -----------------------------------------------------------------------------

  /**
   * A row filter on one table or on every table whose effective tags satisfy an expression. The
   * predicate is stored as written; its SQL is checked by the compiler when a query uses it.
   */
  async createRowFilter(input: CreateRowFilterInput): Promise<RowFilter> {
    validatePolicyName('row filter', input.name);
    const target = normalizeRowFilterTarget(input.target);
    const predicate = normalizePredicate(input.predicate);
    const appliesTo = normalizeGrantees("A row filter's appliesTo", input.appliesTo ?? []);
    const exempt = normalizeGrantees("A row filter's exempt list", input.exempt ?? []);
    if (target.kind === 'tags') await this.#checkTagExpression(target.expression);
    await this.#granteesMustExist([...appliesTo, ...exempt]);
    const createdAt = this.#clock();
    const { database_name, table_name, tag_expression } = objectColumns(target);
    await this.#insertPolicy('row filter', input.name, (db) =>
      db
        .insertInto('strata_row_filter')
        .values({
          name: input.name,
          target_kind: target.kind,
          database_name,
          table_name,
          tag_expression,
          predicate,
          applies_to: serializeGrantees(appliesTo),
          exempt: serializeGrantees(exempt),
          created_at: createdAt,
        })
        .execute(),
    );
    return { name: input.name, target, predicate, appliesTo, exempt, createdAt };
  }

  async dropRowFilter(name: string): Promise<void> {
    validatePolicyName('row filter', name);
    const result = await this.#live().deleteFrom('strata_row_filter').where('name', '=', name).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw policyNotFound('row filter', name);
  }

  async listRowFilters(): Promise<RowFilter[]> {
    return this.#rowFilters(this.#live());
  }

  // ---- catalog lifecycle -----------------------------------------------------------------------

  /**
   * Forgets a dropped table: its table and column grants, its table and column tag assignments,
   * mask targets naming its columns and row filters targeting it (tag-based policies stay; they
   * name no table). Idempotent. Call it after the catalog drops the table, so a table recreated
   * under the same name starts with only its creator's grants.
   */
  async forgetTable(database: string, table: string): Promise<void> {
    const db = normalizeObjectName('database', database);
    const tbl = normalizeObjectName('table', table);
    const live = this.#live();
    await live.deleteFrom('strata_grant').where('database_name', '=', db).where('table_name', '=', tbl).execute();
    await live.deleteFrom('strata_tag_assignment').where('database_name', '=', db).where('table_name', '=', tbl).execute();
    await live.deleteFrom('strata_mask_target').where('database_name', '=', db).where('table_name', '=', tbl).execute();
    await live.deleteFrom('strata_row_filter').where('database_name', '=', db).where('table_name', '=', tbl).execute();
  }

  /** Like `forgetTable` for a whole database: everything naming it or anything in it. Idempotent. */
  async forgetDatabase(database: string): Promise<void> {
    const db = normalizeObjectName('database', database);
    const live = this.#live();
    await live.deleteFrom('strata_grant').where('database_name', '=', db).execute();
    await live.deleteFrom('strata_tag_assignment').where('database_name', '=', db).execute();
    await live.deleteFrom('strata_mask_target').where('database_name', '=', db).execute();
    await live.deleteFrom('strata_row_filter').where('database_name', '=', db).execute();
  }

  // ---- snapshot --------------------------------------------------------------------------------

  /**
   * Everything, for one statement's decisions, read in one transaction so it is a consistent view.
   * Order is deterministic: grants by securable, grantee, privilege; tag keys by key; assignments
   * by target then key; masks and row filters by name (mask targets by target).
   */
  async snapshot(): Promise<PolicySnapshot> {
    return this.#live()
      .transaction()
      .execute(async (trx) => {
        const grants = (await trx.selectFrom('strata_grant').selectAll().execute()).map(toGrant).sort(compareGrants);
        const tagKeys = await this.#tagKeys(trx);
        const tags = sortAssignments(
          (await trx.selectFrom('strata_tag_assignment').selectAll().execute()).map((row) => ({
            target: toTagTarget(row),
            key: row.tag_key,
            value: row.tag_value,
          })),
        );
        const masks = await this.#masks(trx);
        const rowFilters = await this.#rowFilters(trx);
        return { grants, tagKeys, tags, masks, rowFilters };
      });
  }

  // ---- helpers ---------------------------------------------------------------------------------

  #live(): Db {
    if (this.#closed) throw invalid('The policy store is closed; open it again', {});
    return this.#db;
  }

  async #tagKeys(db: Db): Promise<TagKey[]> {
    const rows = await db.selectFrom('strata_tag_key').selectAll().execute();
    return rows
      .map((row) => ({ key: row.tag_key, allowedValues: parseStringArray(row.allowed_values), description: row.description }))
      .sort((a, b) => compareText(a.key, b.key));
  }

  async #masks(db: Db, name?: string): Promise<MaskPolicy[]> {
    let masks = db.selectFrom('strata_mask').selectAll();
    let targets = db.selectFrom('strata_mask_target').selectAll();
    if (name !== undefined) {
      masks = masks.where('name', '=', name);
      targets = targets.where('mask_name', '=', name);
    }
    const maskRows = await masks.execute();
    const byMask = new Map<string, MaskTarget[]>();
    for (const row of await targets.execute()) {
      const list = byMask.get(row.mask_name) ?? [];
      list.push(toMaskTarget(row));
      byMask.set(row.mask_name, list);
    }
    return maskRows.map((row) => toMask(row, (byMask.get(row.name) ?? []).sort(compareObjects))).sort((a, b) => compareText(a.name, b.name));
  }

  async #mask(name: string): Promise<MaskPolicy> {
    const [mask] = await this.#masks(this.#live(), name);
    if (mask === undefined) throw policyNotFound('mask', name);
    return mask;
  }

  async #rowFilters(db: Db): Promise<RowFilter[]> {
    const rows = await db.selectFrom('strata_row_filter').selectAll().execute();
    return rows.map(toRowFilter).sort((a, b) => compareText(a.name, b.name));
  }

  /** INVALID_ARGUMENT unless the expression names only existing tag keys and their allowed values. */
  async #checkTagExpression(expression: TagExpression): Promise<void> {
    const keys = await this.#tagKeys(this.#live());
    checkTagExpressionAgainstKeys(expression, new Map(keys.map((k) => [k.key, k])));
  }

  /** PRINCIPAL_NOT_FOUND (with `details.kind`) for the first grantee that does not exist. */
  async #granteesMustExist(grantees: readonly Grantee[]): Promise<void> {
    const db = this.#live();
    for (const kind of ['principal', 'group', 'role'] as const) {
      const names = grantees.filter((g) => g.kind === kind).map((g) => g.name);
      if (names.length === 0) continue;
      const found = new Set((await db.selectFrom(IDENTITY_TABLE[kind]).select('name').where('name', 'in', names).execute()).map((r) => r.name));
      const missing = names.find((n) => !found.has(n));
      if (missing !== undefined) {
        throw new StrataError('PRINCIPAL_NOT_FOUND', `No ${kind} named ${missing} exists; create it first or check the spelling`, {
          kind,
          name: missing,
        });
      }
    }
  }

  async #insertPolicy(kind: PolicyKind, name: string, write: (db: Db) => Promise<unknown>): Promise<void> {
    try {
      await write(this.#live());
    } catch (error) {
      if (this.#dialect.constraintViolation(error) === 'unique') {
        throw new StrataError('ALREADY_EXISTS', `A ${kind} named ${name} already exists; pick another name or drop it first`, { kind, name });
      }
      throw error;
    }
  }
}

/**
 * The policy tables live beside the caller's tables in the same database; Kysely's types only need
 * to know governance's. The instance and its connection are shared, not copied.
 */
function asPolicyDb<DB>(db: Kysely<DB>): Db {
  return db as unknown as Db;
}

const IDENTITY_TABLE = { principal: 'strata_principal', group: 'strata_group', role: 'strata_role' } as const;

function granteeColumn(grantee: Grantee): 'grantee_principal' | 'grantee_group' | 'grantee_role' {
  return `grantee_${grantee.kind}`;
}

function toMask(row: Selectable<MaskRow>, targets: MaskTarget[]): MaskPolicy {
  return {
    name: row.name,
    function: JSON.parse(row.mask_function) as MaskFunction,
    targets,
    exempt: parseGrantees(row.exempt),
    hashKey: row.hash_key,
    createdAt: Number(row.created_at),
  };
}

function toRowFilter(row: Selectable<RowFilterRow>): RowFilter {
  return {
    name: row.name,
    target: toRowFilterTarget(row),
    predicate: row.predicate,
    appliesTo: parseGrantees(row.applies_to),
    exempt: parseGrantees(row.exempt),
    createdAt: Number(row.created_at),
  };
}

function sortAssignments(assignments: TagAssignment[]): TagAssignment[] {
  return assignments.sort((a, b) => compareObjects(a.target, b.target) || compareText(a.key, b.key));
}

function normalizeAllowedValues(values: readonly string[]): string[] {
  if (!Array.isArray(values) || values.length > MAX_ALLOWED_VALUES) {
    throw invalid(`Allowed values must be a list of at most ${MAX_ALLOWED_VALUES} values`, {});
  }
  return unique(values.map((v) => normalizeTagWord('tag value', v)));
}

function parseStringArray(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function describeGrant(privilege: Privilege, securable: Securable, grantee: Grantee): string {
  return `${privilege} on ${securableToString(securable, formatTagExpression)} to ${granteeToString(grantee)}`;
}

function describeTarget(target: TagTarget | MaskTarget): string {
  return securableToString(toObject(target.kind, objectColumns(target)), formatTagExpression);
}

function tagKeyNotFound(key: string): StrataError {
  return new StrataError('POLICY_NOT_FOUND', `No tag key named ${key} exists; create it with createTagKey or check the spelling`, {
    kind: 'tag key',
    name: key,
  });
}

function policyNotFound(kind: PolicyKind, name: string): StrataError {
  return new StrataError('POLICY_NOT_FOUND', `No ${kind} named ${name} exists; list them to check the spelling`, { kind, name });
}

function invalid(message: string, details: Record<string, unknown>): StrataError {
  return new StrataError('INVALID_ARGUMENT', message, details);
}
