/**
 * Governance migration 0002: grants, tag keys and assignments, masks (with their targets) and row
 * filters. Row types are in `policy-schema.ts`; change both together, and only by adding a
 * migration.
 *
 * Storage conventions, chosen so one dialect-neutral DDL works on SQLite and Postgres:
 * - Parts of a securable or target that do not apply (the table of a database grant, the tag
 *   expression of a column target) are `''`, never NULL, so composite primary keys and unique
 *   constraints compare them (NULLs are distinct in unique constraints on both backends).
 * - A grant's grantee is three nullable foreign keys (exactly one set, enforced by a CHECK), each
 *   `ON DELETE CASCADE`: dropping a principal, group or role drops its grants, and a principal
 *   recreated under the same name starts with none. Because those columns are nullable, grant
 *   uniqueness is carried by `grant_key`, a canonical JSON text of (privilege, securable, grantee).
 * - Tag expressions are stored as JSON of the `TagExpression` tree (not its text form, which
 *   re-associates `a AND (b AND c)`), so they read back exactly as written.
 * - Tag assignments reference their key with `ON DELETE CASCADE`; mask targets their mask.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const POLICY_MIGRATION: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('strata_grant')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('grant_key', 'text', (col) => col.notNull().unique())
      .addColumn('privilege', 'text', (col) => col.notNull())
      .addColumn('securable_kind', 'text', (col) => col.notNull())
      .addColumn('database_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('table_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('column_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('tag_expression', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('grantee_principal', 'text')
      .addColumn('grantee_group', 'text')
      .addColumn('grantee_role', 'text')
      .addColumn('with_grant_option', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('granted_by', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .addForeignKeyConstraint('strata_grant_principal_fk', ['grantee_principal'], 'strata_principal', ['name'], (fk) =>
        fk.onDelete('cascade'),
      )
      .addForeignKeyConstraint('strata_grant_group_fk', ['grantee_group'], 'strata_group', ['name'], (fk) =>
        fk.onDelete('cascade'),
      )
      .addForeignKeyConstraint('strata_grant_role_fk', ['grantee_role'], 'strata_role', ['name'], (fk) => fk.onDelete('cascade'))
      .addCheckConstraint(
        'strata_grant_one_grantee',
        sql`(CASE WHEN grantee_principal IS NULL THEN 0 ELSE 1 END) + (CASE WHEN grantee_group IS NULL THEN 0 ELSE 1 END) + (CASE WHEN grantee_role IS NULL THEN 0 ELSE 1 END) = 1`,
      )
      .execute();
    await db.schema.createIndex('strata_grant_object_idx').on('strata_grant').columns(['database_name', 'table_name']).execute();
    // Postgres does not index referencing columns by itself; cascades and grantee filters need them.
    await db.schema.createIndex('strata_grant_principal_idx').on('strata_grant').column('grantee_principal').execute();
    await db.schema.createIndex('strata_grant_group_idx').on('strata_grant').column('grantee_group').execute();
    await db.schema.createIndex('strata_grant_role_idx').on('strata_grant').column('grantee_role').execute();

    await db.schema
      .createTable('strata_tag_key')
      .addColumn('tag_key', 'text', (col) => col.primaryKey())
      .addColumn('allowed_values', 'text', (col) => col.notNull())
      .addColumn('description', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('strata_tag_assignment')
      .addColumn('target_kind', 'text', (col) => col.notNull())
      .addColumn('database_name', 'text', (col) => col.notNull())
      .addColumn('table_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('column_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('tag_key', 'text', (col) => col.notNull())
      .addColumn('tag_value', 'text', (col) => col.notNull())
      .addPrimaryKeyConstraint('strata_tag_assignment_pk', ['database_name', 'table_name', 'column_name', 'tag_key'])
      .addForeignKeyConstraint('strata_tag_assignment_key_fk', ['tag_key'], 'strata_tag_key', ['tag_key'], (fk) =>
        fk.onDelete('cascade'),
      )
      .execute();
    await db.schema.createIndex('strata_tag_assignment_key_idx').on('strata_tag_assignment').column('tag_key').execute();

    await db.schema
      .createTable('strata_mask')
      .addColumn('name', 'text', (col) => col.primaryKey())
      .addColumn('mask_function', 'text', (col) => col.notNull())
      .addColumn('exempt', 'text', (col) => col.notNull().defaultTo('[]'))
      .addColumn('hash_key', 'text', (col) => col.notNull())
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('strata_mask_target')
      .addColumn('mask_name', 'text', (col) => col.notNull())
      .addColumn('target_kind', 'text', (col) => col.notNull())
      .addColumn('database_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('table_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('column_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('tag_expression', 'text', (col) => col.notNull().defaultTo(''))
      .addPrimaryKeyConstraint('strata_mask_target_pk', [
        'mask_name',
        'target_kind',
        'database_name',
        'table_name',
        'column_name',
        'tag_expression',
      ])
      .addForeignKeyConstraint('strata_mask_target_mask_fk', ['mask_name'], 'strata_mask', ['name'], (fk) => fk.onDelete('cascade'))
      .execute();
    await db.schema
      .createIndex('strata_mask_target_object_idx')
      .on('strata_mask_target')
      .columns(['database_name', 'table_name'])
      .execute();

    await db.schema
      .createTable('strata_row_filter')
      .addColumn('name', 'text', (col) => col.primaryKey())
      .addColumn('target_kind', 'text', (col) => col.notNull())
      .addColumn('database_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('table_name', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('tag_expression', 'text', (col) => col.notNull().defaultTo(''))
      .addColumn('predicate', 'text', (col) => col.notNull())
      .addColumn('applies_to', 'text', (col) => col.notNull().defaultTo('[]'))
      .addColumn('exempt', 'text', (col) => col.notNull().defaultTo('[]'))
      .addColumn('created_at', 'bigint', (col) => col.notNull())
      .execute();
    await db.schema
      .createIndex('strata_row_filter_object_idx')
      .on('strata_row_filter')
      .columns(['database_name', 'table_name'])
      .execute();
  },
};
