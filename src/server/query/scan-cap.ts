/**
 * The per-query scan cap, checked from the plan — after partition and file pruning, before the
 * engine reads a byte. A refusal says how much the query would read, the cap, and how to narrow
 * it: by filtering on the partition columns of the tables it reads (named, with their transform),
 * since that is what makes pruning skip files.
 */
import type { Catalog } from '../../catalog/index.ts';
import { StrataError } from '../../core/index.ts';
import type { TableReadPlan } from '../../sql/index.ts';

/** Bytes the plans will read (metadata-table reads count as zero: they read manifests, not data). */
export function bytesPlanned(plans: readonly TableReadPlan[]): number {
  return plans.reduce((sum, plan) => sum + (plan.stats?.bytesPlanned ?? 0), 0);
}

/** Throws SCAN_LIMIT_EXCEEDED when the plans read more than `capBytes`. */
export async function enforceScanCap(catalog: Catalog, plans: readonly TableReadPlan[], capBytes: number | null, workgroup: string): Promise<void> {
  const bytes = bytesPlanned(plans);
  if (capBytes === null || bytes <= capBytes) return;
  const tables = [...new Set(plans.filter((p) => p.metadataTable === undefined && (p.stats?.bytesPlanned ?? 0) > 0).map((p) => p.table))];
  const partitionColumns: Record<string, string[]> = {};
  for (const id of tables) partitionColumns[id] = await partitionColumnsOf(catalog, id);
  const hints = tables.map((id) => {
    const columns = partitionColumns[id] ?? [];
    return columns.length > 0 ? `${id} (partitioned by ${columns.join(', ')})` : `${id} (not partitioned: select fewer columns or ask for a bigger cap)`;
  });
  throw new StrataError(
    'SCAN_LIMIT_EXCEEDED',
    `This query would scan ${formatBytes(bytes)} (${bytes} bytes), more than workgroup ${workgroup}'s per-query cap of ${formatBytes(capBytes)} (${capBytes} bytes); ` +
      `narrow it with a WHERE filter on the partition columns of the tables it reads: ${hints.join('; ')}`,
    { bytesPlanned: bytes, scanCapBytes: capBytes, workgroup, tables, partitionColumns },
  );
}

/** `ts (day)`, `region (identity)`: the source column and transform of each partition field. */
async function partitionColumnsOf(catalog: Catalog, id: string): Promise<string[]> {
  try {
    const table = await catalog.loadTable(id);
    const fields = table.schema().fields;
    return table.spec().fields.map((f) => `${fields.find((c) => c.id === f.sourceId)?.name ?? f.name} (${String(f.transform)})`);
  } catch {
    return [];
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
