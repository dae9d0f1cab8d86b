/**
 * `strata describe <db.table>`: the current schema (with Iceberg field ids, nested fields flattened
 * to dotted names), the default partition spec, the table properties and the current snapshot.
 *
 * Output by format: `table` prints every section; `json` prints ONE object holding all of them;
 * `csv` and `parquet` hold one rectangular section, chosen with `--section` (default: schema).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { stringifyJson } from '../../core/index.ts';
import { indexSchema, typeToString, type Table } from '../../table/index.ts';
import type { CliContext } from '../cli-context.ts';
import { rowStreamOf, type OutputColumn, type RowStream } from '../output/index.ts';
import { loadTableForCli, splitTableName } from './load-table.ts';

const SECTIONS = ['schema', 'partitioning', 'properties'] as const;
type Section = (typeof SECTIONS)[number];

function sectionStream(table: Table, section: Section): RowStream {
  const meta = table.metadata();
  const schema = table.schema();
  switch (section) {
    case 'schema': {
      const columns: OutputColumn[] = [
        { name: 'field_id', type: 'INTEGER' },
        { name: 'name', type: 'VARCHAR' },
        { name: 'type', type: 'VARCHAR' },
        { name: 'required', type: 'BOOLEAN' },
        { name: 'doc', type: 'VARCHAR' },
      ];
      const rows = [...indexSchema(schema).values()].map((f) => [f.field.id, f.name, typeToString(f.field.type), f.field.required, f.field.doc ?? null]);
      return rowStreamOf(columns, rows);
    }
    case 'partitioning': {
      const byId = indexSchema(schema);
      const spec = table.spec();
      const rows = spec.fields.map((f) => [f.fieldId, f.name, byId.get(f.sourceId)?.name ?? `(dropped column ${f.sourceId})`, f.sourceId, f.transform]);
      return rowStreamOf(
        [
          { name: 'field_id', type: 'INTEGER' },
          { name: 'name', type: 'VARCHAR' },
          { name: 'source', type: 'VARCHAR' },
          { name: 'source_id', type: 'INTEGER' },
          { name: 'transform', type: 'VARCHAR' },
        ],
        rows,
      );
    }
    case 'properties':
      return rowStreamOf(
        [{ name: 'key', type: 'VARCHAR' }, { name: 'value', type: 'VARCHAR' }],
        Object.entries(meta.properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
  }
}

export function describeJson(table: Table): Record<string, unknown> {
  const meta = table.metadata();
  const snapshot = table.currentSnapshot();
  return {
    table: table.name,
    location: meta.location,
    metadata_location: table.ops.currentLocation() ?? null,
    format_version: meta.formatVersion,
    table_uuid: meta.tableUuid,
    schema_id: meta.currentSchemaId,
    schema: [...indexSchema(table.schema()).values()].map((f) => ({
      field_id: f.field.id,
      name: f.name,
      type: typeToString(f.field.type),
      required: f.field.required,
      ...(f.field.doc !== undefined ? { doc: f.field.doc } : {}),
    })),
    spec_id: meta.defaultSpecId,
    partitioning: table.spec().fields.map((f) => ({ field_id: f.fieldId, name: f.name, source_id: f.sourceId, transform: f.transform })),
    properties: meta.properties,
    current_snapshot:
      snapshot === undefined
        ? null
        : { snapshot_id: snapshot.snapshotId, committed_at: new Date(snapshot.timestampMs).toISOString(), summary: snapshot.summary },
  };
}

export function registerDescribe(program: Command, context: CliContext): void {
  program
    .command('describe')
    .argument('<table>', 'the table, as database.table')
    .description('Show a table: schema with field ids, partition spec, properties, current snapshot')
    .addOption(new Option('--section <section>', 'for csv/parquet output: which section').choices(SECTIONS).default('schema'))
    .addHelpText(
      'after',
      `
Examples:
  $ strata describe sales.orders
  $ strata describe sales.orders --format json | jq .schema
  $ strata describe sales.orders --format csv --section partitioning`,
    )
    .action(async (name: string, options: { section: Section }) => {
      await context.withHome(async (strata) => {
        await context.governed(strata, 'describe', `describe ${name}`, async (guard) => {
          const { database, table } = splitTableName(name);
          guard.require('DESCRIBE', { database, table });
        });
        const table = await loadTableForCli(strata.catalog, name);
        const format = context.format;
        if (format === 'json') {
          await context.stdout.write(`${stringifyJson(describeJson(table))}\n`);
          return;
        }
        if (format !== 'table') {
          await context.render(sectionStream(table, options.section), strata);
          return;
        }
        const meta = table.metadata();
        const snapshot = table.currentSnapshot();
        const out = context.stdout;
        await out.write(
          [
            `Table:            ${table.name}`,
            `Location:         ${meta.location}`,
            `Metadata:         ${table.ops.currentLocation() ?? '(none)'}`,
            `Format:           Iceberg v${meta.formatVersion}, uuid ${meta.tableUuid}`,
            `Current snapshot: ${
              snapshot === undefined
                ? '(none: the table is empty)'
                : `${snapshot.snapshotId} (${snapshot.summary.operation}, ${new Date(snapshot.timestampMs).toISOString()}, ${snapshot.summary['total-records'] ?? '?'} rows in ${snapshot.summary['total-data-files'] ?? '?'} files)`
            }`,
            '',
            `Schema (id ${meta.currentSchemaId}):`,
            '',
          ].join('\n'),
        );
        await context.render(sectionStream(table, 'schema'), strata);
        await out.write(`\nPartition spec (id ${meta.defaultSpecId}):\n`);
        await context.render(sectionStream(table, 'partitioning'), strata);
        await out.write('\nProperties:\n');
        await context.render(sectionStream(table, 'properties'), strata);
      });
    });
}
