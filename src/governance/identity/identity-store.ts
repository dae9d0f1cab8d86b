/**
 * The identity store: principals (users and service principals), groups, roles and API tokens,
 * kept in the catalog database next to the catalog's own tables, written once in dialect-neutral
 * Kysely so a Postgres catalog works later.
 *
 * @example
 *   const identity = await IdentityStore.openSqlite(join(home, 'catalog.db'));
 *   try {
 *     await identity.createPrincipal('alice', { attributes: { region: 'eu' } });
 *     const { token } = await identity.createToken('alice', { expiresInMs: 86_400_000 });
 *     (await identity.authenticate(token)).name; // 'alice'
 *   } finally { await identity.close(); }
 *
 * Concurrency follows the catalog backend: every write is one statement; "must exist" and "must
 * be free" are primary and foreign keys whose violations map to error codes, so nothing races.
 * Reads after a failed write only choose the message.
 *
 * Gotcha: `authenticate` fails with one `UNAUTHENTICATED` error, identical in code, message and
 * details for a malformed, unknown, expired or revoked token and for a disabled principal, so a
 * caller cannot probe which. Log the reason on the server side if ever needed, never return it.
 */
import type { Kysely, Selectable } from 'kysely';
import { SqliteCatalogBackend, type CatalogDialect } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import type { ApiTokenRow, IdentityDatabase, PrincipalRow } from './identity-schema.ts';
import { migrateGovernance, openMigratedSqlite } from './migrations.ts';
import {
  parseAttributes,
  serializeAttributes,
  validateAttributes,
  validateName,
  type IdentityKind,
} from './names.ts';
import { generateToken, parseTokenId, tokenMatchesHash } from './tokens.ts';

export type PrincipalKind = 'user' | 'service';
const PRINCIPAL_KINDS: readonly PrincipalKind[] = ['user', 'service'];

export interface Principal {
  readonly name: string;
  readonly kind: PrincipalKind;
  readonly attributes: Readonly<Record<string, string>>;
  readonly disabled: boolean;
  readonly createdAt: number;
}

export interface Role {
  readonly name: string;
  /** Holders may do anything; the bootstrap `admin` role is one. */
  readonly administrator: boolean;
  readonly createdAt: number;
}

/** A role a principal holds, and how: directly and/or through the listed groups. */
export interface EffectiveRole {
  readonly name: string;
  readonly administrator: boolean;
  readonly direct: boolean;
  readonly viaGroups: readonly string[];
}

/** Who a role is granted to: one principal, or a group (and so each of its members). */
export type RoleGrantee = { readonly principal: string } | { readonly group: string };

export interface TokenInfo {
  readonly id: string;
  readonly principal: string;
  readonly description: string;
  readonly createdAt: number;
  readonly expiresAt?: number;
  readonly revokedAt?: number;
}

export interface CreateTokenOptions {
  /** Lifetime from now; omit for a token that never expires (it can still be revoked). */
  readonly expiresInMs?: number;
  readonly description?: string;
}

export interface CreatedToken {
  /** The token itself. Shown once: only its hash is stored, it cannot be recovered. */
  readonly token: string;
  readonly id: string;
  readonly expiresAt?: number;
}

export interface IdentityStoreOptions {
  /** Milliseconds since the epoch; tests pass a controllable clock. */
  readonly clock?: () => number;
}

/** A Kysely instance and dialect over the catalog database, e.g. `catalogBackend.connection`. */
export interface GovernanceConnection<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: CatalogDialect;
}

const MAX_DESCRIPTION_LENGTH = 256;
const UNAUTHENTICATED_MESSAGE = 'Authentication failed: the token is invalid, expired or revoked; ask an administrator for a new one';

type Db = Kysely<IdentityDatabase>;

export class IdentityStore {
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
  static async open<DB>(connection: GovernanceConnection<DB>, options: IdentityStoreOptions = {}): Promise<IdentityStore> {
    const db = asIdentityDb(connection.db);
    await migrateGovernance(db, connection.dialect);
    return new IdentityStore(db, connection.dialect, options.clock ?? Date.now, undefined);
  }

  /** Opens the SQLite catalog file at `path` (creating it if needed) with its own connection. */
  static async openSqlite(path: string, options: IdentityStoreOptions = {}): Promise<IdentityStore> {
    return openMigratedSqlite(path, (db, dialect, owned) => new IdentityStore(asIdentityDb(db), dialect, options.clock ?? Date.now, owned));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#owned?.close();
  }

  // ---- principals ------------------------------------------------------------------------------

  async createPrincipal(
    name: string,
    options: { readonly kind?: PrincipalKind; readonly attributes?: Readonly<Record<string, string>> } = {},
  ): Promise<Principal> {
    validateName('principal', name);
    const kind = options.kind ?? 'user';
    if (!PRINCIPAL_KINDS.includes(kind)) {
      throw new StrataError('INVALID_ARGUMENT', `Principal kind must be 'user' or 'service', not ${JSON.stringify(kind)}`, {
        kind,
      });
    }
    const attributes = options.attributes ?? {};
    validateAttributes(attributes);
    const createdAt = this.#clock();
    await this.#insert('principal', name, (db) =>
      db
        .insertInto('strata_principal')
        .values({ name, kind, attributes: serializeAttributes(attributes), disabled: 0, created_at: createdAt })
        .execute(),
    );
    return { name, kind, attributes: { ...attributes }, disabled: false, createdAt };
  }

  /** Throws `PRINCIPAL_NOT_FOUND` when there is no such principal. */
  async getPrincipal(name: string): Promise<Principal> {
    validateName('principal', name);
    const row = await this.#live().selectFrom('strata_principal').selectAll().where('name', '=', name).executeTakeFirst();
    if (row === undefined) throw notFound('principal', name);
    return toPrincipal(row);
  }

  async listPrincipals(): Promise<Principal[]> {
    const rows = await this.#live().selectFrom('strata_principal').selectAll().orderBy('name').execute();
    return rows.map(toPrincipal);
  }

  /** A disabled principal keeps its roles and tokens, but no token authenticates as it. */
  async setPrincipalDisabled(name: string, disabled: boolean): Promise<void> {
    validateName('principal', name);
    const result = await this.#live()
      .updateTable('strata_principal')
      .set({ disabled: disabled ? 1 : 0 })
      .where('name', '=', name)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound('principal', name);
  }

  /** Replaces the principal's attributes as a whole. */
  async setPrincipalAttributes(name: string, attributes: Readonly<Record<string, string>>): Promise<void> {
    validateName('principal', name);
    validateAttributes(attributes);
    const result = await this.#live()
      .updateTable('strata_principal')
      .set({ attributes: serializeAttributes(attributes) })
      .where('name', '=', name)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound('principal', name);
  }

  /** Drops the principal with its group memberships, role grants and tokens. */
  async dropPrincipal(name: string): Promise<void> {
    await this.#drop('principal', 'strata_principal', name);
  }

  // ---- groups ----------------------------------------------------------------------------------

  async createGroup(name: string): Promise<void> {
    validateName('group', name);
    const createdAt = this.#clock();
    await this.#insert('group', name, (db) => db.insertInto('strata_group').values({ name, created_at: createdAt }).execute());
  }

  async listGroups(): Promise<string[]> {
    const rows = await this.#live().selectFrom('strata_group').select('name').orderBy('name').execute();
    return rows.map((row) => row.name);
  }

  async dropGroup(name: string): Promise<void> {
    await this.#drop('group', 'strata_group', name);
  }

  /** Idempotent: adding a member twice is not an error. */
  async addGroupMember(group: string, principal: string): Promise<void> {
    validateName('group', group);
    validateName('principal', principal);
    await this.#link(
      (db) => db.insertInto('strata_group_member').values({ group_name: group, principal }).execute(),
      [
        ['group', group],
        ['principal', principal],
      ],
    );
  }

  async removeGroupMember(group: string, principal: string): Promise<void> {
    validateName('group', group);
    validateName('principal', principal);
    await this.#live()
      .deleteFrom('strata_group_member')
      .where('group_name', '=', group)
      .where('principal', '=', principal)
      .execute();
  }

  async listGroupMembers(group: string): Promise<string[]> {
    validateName('group', group);
    await this.#mustExist('group', group);
    const rows = await this.#live()
      .selectFrom('strata_group_member')
      .select('principal')
      .where('group_name', '=', group)
      .orderBy('principal')
      .execute();
    return rows.map((row) => row.principal);
  }

  async groupsOf(principal: string): Promise<string[]> {
    validateName('principal', principal);
    await this.#mustExist('principal', principal);
    const rows = await this.#live()
      .selectFrom('strata_group_member')
      .select('group_name')
      .where('principal', '=', principal)
      .orderBy('group_name')
      .execute();
    return rows.map((row) => row.group_name);
  }

  // ---- roles -----------------------------------------------------------------------------------

  async createRole(name: string, options: { readonly administrator?: boolean } = {}): Promise<Role> {
    validateName('role', name);
    const administrator = options.administrator ?? false;
    const createdAt = this.#clock();
    await this.#insert('role', name, (db) =>
      db.insertInto('strata_role').values({ name, administrator: administrator ? 1 : 0, created_at: createdAt }).execute(),
    );
    return { name, administrator, createdAt };
  }

  async getRole(name: string): Promise<Role> {
    validateName('role', name);
    const row = await this.#live().selectFrom('strata_role').selectAll().where('name', '=', name).executeTakeFirst();
    if (row === undefined) throw notFound('role', name);
    return { name: row.name, administrator: Number(row.administrator) === 1, createdAt: Number(row.created_at) };
  }

  async listRoles(): Promise<Role[]> {
    const rows = await this.#live().selectFrom('strata_role').selectAll().orderBy('name').execute();
    return rows.map((row) => ({ name: row.name, administrator: Number(row.administrator) === 1, createdAt: Number(row.created_at) }));
  }

  async setRoleAdministrator(name: string, administrator: boolean): Promise<void> {
    validateName('role', name);
    const result = await this.#live()
      .updateTable('strata_role')
      .set({ administrator: administrator ? 1 : 0 })
      .where('name', '=', name)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) throw notFound('role', name);
  }

  async dropRole(name: string): Promise<void> {
    await this.#drop('role', 'strata_role', name);
  }

  /** Grants `role` to a principal or a group. Idempotent. */
  async grantRole(role: string, grantee: RoleGrantee): Promise<void> {
    validateName('role', role);
    if ('principal' in grantee) {
      validateName('principal', grantee.principal);
      await this.#link(
        (db) => db.insertInto('strata_role_principal').values({ role, principal: grantee.principal }).execute(),
        [
          ['role', role],
          ['principal', grantee.principal],
        ],
      );
    } else {
      validateName('group', grantee.group);
      await this.#link(
        (db) => db.insertInto('strata_role_group').values({ role, group_name: grantee.group }).execute(),
        [
          ['role', role],
          ['group', grantee.group],
        ],
      );
    }
  }

  /** Revokes a direct grant; a no-op when there is none. */
  async revokeRole(role: string, grantee: RoleGrantee): Promise<void> {
    validateName('role', role);
    if ('principal' in grantee) {
      validateName('principal', grantee.principal);
      await this.#live()
        .deleteFrom('strata_role_principal')
        .where('role', '=', role)
        .where('principal', '=', grantee.principal)
        .execute();
    } else {
      validateName('group', grantee.group);
      await this.#live().deleteFrom('strata_role_group').where('role', '=', role).where('group_name', '=', grantee.group).execute();
    }
  }

  /**
   * Every role `principal` holds, granted directly or through any group it belongs to, sorted by
   * name. Groups do not nest, so one level of indirection is all there is. A disabled principal
   * still resolves here (admin tools want to see it); authentication is what refuses it.
   */
  async effectiveRoles(principal: string): Promise<EffectiveRole[]> {
    validateName('principal', principal);
    await this.#mustExist('principal', principal);
    const db = this.#live();
    const direct = await db
      .selectFrom('strata_role_principal as rp')
      .innerJoin('strata_role as r', 'r.name', 'rp.role')
      .select(['r.name as name', 'r.administrator as administrator'])
      .where('rp.principal', '=', principal)
      .execute();
    const viaGroups = await db
      .selectFrom('strata_group_member as gm')
      .innerJoin('strata_role_group as rg', 'rg.group_name', 'gm.group_name')
      .innerJoin('strata_role as r', 'r.name', 'rg.role')
      .select(['r.name as name', 'r.administrator as administrator', 'gm.group_name as group_name'])
      .where('gm.principal', '=', principal)
      .execute();
    const roles = new Map<string, { administrator: boolean; direct: boolean; viaGroups: string[] }>();
    const entry = (name: string, administrator: number) => {
      let found = roles.get(name);
      if (found === undefined) {
        found = { administrator: Number(administrator) === 1, direct: false, viaGroups: [] };
        roles.set(name, found);
      }
      return found;
    };
    for (const row of direct) entry(row.name, row.administrator).direct = true;
    for (const row of viaGroups) entry(row.name, row.administrator).viaGroups.push(row.group_name);
    return [...roles.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([name, r]) => ({ name, administrator: r.administrator, direct: r.direct, viaGroups: r.viaGroups.sort(compareText) }));
  }

  /** True when the principal holds an administrator role (directly or through a group). */
  async isAdministrator(principal: string): Promise<boolean> {
    return (await this.effectiveRoles(principal)).some((role) => role.administrator);
  }

  // ---- API tokens ------------------------------------------------------------------------------

  /** Creates a token for `principal`. The returned `token` is the only time it is ever visible. */
  async createToken(principal: string, options: CreateTokenOptions = {}): Promise<CreatedToken> {
    validateName('principal', principal);
    const { expiresInMs, description = '' } = options;
    if (expiresInMs !== undefined && (!Number.isSafeInteger(expiresInMs) || expiresInMs <= 0)) {
      throw new StrataError('INVALID_ARGUMENT', `expiresInMs must be a positive whole number of milliseconds, not ${expiresInMs}`, {
        expiresInMs,
      });
    }
    if (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH) {
      throw new StrataError('INVALID_ARGUMENT', `A token description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`, {});
    }
    const now = this.#clock();
    const expiresAt = expiresInMs === undefined ? undefined : now + expiresInMs;
    const generated = generateToken();
    await this.#link(
      (db) =>
        db
          .insertInto('strata_api_token')
          .values({
            id: generated.id,
            principal,
            token_hash: generated.hash,
            description,
            created_at: now,
            expires_at: expiresAt ?? null,
            revoked_at: null,
          })
          .execute(),
      [['principal', principal]],
    );
    return { token: generated.token, id: generated.id, ...(expiresAt === undefined ? {} : { expiresAt }) };
  }

  /** The principal a token stands for, or `UNAUTHENTICATED` (one error for every reason). */
  async authenticate(token: string): Promise<Principal> {
    const id = parseTokenId(token);
    if (id === undefined) throw unauthenticated();
    const row = await this.#live()
      .selectFrom('strata_api_token as t')
      .innerJoin('strata_principal as p', 'p.name', 't.principal')
      .select([
        't.token_hash as token_hash',
        't.expires_at as expires_at',
        't.revoked_at as revoked_at',
        'p.name as name',
        'p.kind as kind',
        'p.attributes as attributes',
        'p.disabled as disabled',
        'p.created_at as created_at',
      ])
      .where('t.id', '=', id)
      .executeTakeFirst();
    if (row === undefined || !tokenMatchesHash(token, row.token_hash)) throw unauthenticated();
    const now = this.#clock();
    const expired = row.expires_at !== null && now >= Number(row.expires_at);
    if (row.revoked_at !== null || expired || Number(row.disabled) === 1) throw unauthenticated();
    return toPrincipal(row);
  }

  /** Revokes a token by id; revoking twice keeps the first revocation time. */
  async revokeToken(id: string): Promise<void> {
    const db = this.#live();
    const result = await db
      .updateTable('strata_api_token')
      .set({ revoked_at: this.#clock() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) return;
    const exists = await db.selectFrom('strata_api_token').select('id').where('id', '=', id).executeTakeFirst();
    if (exists === undefined) {
      throw new StrataError('INVALID_ARGUMENT', `There is no API token with id ${JSON.stringify(id)}; list the tokens to find its id`, {
        id,
      });
    }
  }

  /** Token metadata (never the token or its hash), newest first, optionally for one principal. */
  async listTokens(principal?: string): Promise<TokenInfo[]> {
    let query = this.#live().selectFrom('strata_api_token').selectAll();
    if (principal !== undefined) {
      validateName('principal', principal);
      await this.#mustExist('principal', principal);
      query = query.where('principal', '=', principal);
    }
    const rows = await query.orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(toTokenInfo);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  #live(): Db {
    if (this.#closed) throw new StrataError('INVALID_ARGUMENT', 'The identity store is closed; open it again', {});
    return this.#db;
  }

  async #insert(kind: IdentityKind, name: string, write: (db: Db) => Promise<unknown>): Promise<void> {
    try {
      await write(this.#live());
    } catch (error) {
      if (this.#dialect.constraintViolation(error) === 'unique') {
        throw new StrataError('ALREADY_EXISTS', `A ${kind} named ${name} already exists; pick another name`, { kind, name });
      }
      throw error;
    }
  }

  /** Inserts a link row; a duplicate is fine, a missing endpoint names the first one that is absent. */
  async #link(write: (db: Db) => Promise<unknown>, endpoints: ReadonlyArray<readonly [IdentityKind, string]>): Promise<void> {
    try {
      await write(this.#live());
    } catch (error) {
      const violation = this.#dialect.constraintViolation(error);
      if (violation === 'unique') return;
      if (violation === 'foreign-key') {
        for (const [kind, name] of endpoints) await this.#mustExist(kind, name);
      }
      throw error;
    }
  }

  async #mustExist(kind: IdentityKind, name: string): Promise<void> {
    const table = TABLE_OF[kind];
    const row = await this.#live().selectFrom(table).select('name').where('name', '=', name).executeTakeFirst();
    if (row === undefined) throw notFound(kind, name);
  }

  async #drop(kind: IdentityKind, table: (typeof TABLE_OF)[IdentityKind], name: string): Promise<void> {
    validateName(kind, name);
    const result = await this.#live().deleteFrom(table).where('name', '=', name).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw notFound(kind, name);
  }
}

/**
 * The identity tables live beside the caller's tables in the same database; Kysely's types only
 * need to know theirs. The instance and its connection are shared, not copied.
 */
function asIdentityDb<DB>(db: Kysely<DB>): Db {
  return db as unknown as Db;
}

const TABLE_OF = { principal: 'strata_principal', group: 'strata_group', role: 'strata_role' } as const;

function toPrincipal(row: Pick<Selectable<PrincipalRow>, 'name' | 'kind' | 'attributes' | 'disabled' | 'created_at'>): Principal {
  return {
    name: row.name,
    kind: row.kind === 'service' ? 'service' : 'user',
    attributes: parseAttributes(row.attributes),
    disabled: Number(row.disabled) === 1,
    createdAt: Number(row.created_at),
  };
}

function toTokenInfo(row: Selectable<ApiTokenRow>): TokenInfo {
  return {
    id: row.id,
    principal: row.principal,
    description: row.description,
    createdAt: Number(row.created_at),
    ...(row.expires_at === null ? {} : { expiresAt: Number(row.expires_at) }),
    ...(row.revoked_at === null ? {} : { revokedAt: Number(row.revoked_at) }),
  };
}

function notFound(kind: IdentityKind, name: string): StrataError {
  return new StrataError('PRINCIPAL_NOT_FOUND', `No ${kind} named ${name} exists; create it first or check the spelling`, {
    kind,
    name,
  });
}

function unauthenticated(): StrataError {
  return new StrataError('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE, {});
}

/** Code-unit order, identical on every database whatever its collation. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
