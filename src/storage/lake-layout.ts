/**
 * `LakeLayout`: where things live in the lake. Data flows through zones:
 * - `raw`: files exactly as ingested, immutable and append-only, partitioned by ingest date
 *   (`raw/<source>/ingest_date=YYYY-MM-DD/<file>`); write them with `RawZoneWriter`.
 * - `processed`: cleaned, typed Iceberg tables built from raw.
 * - `curated`: the published, governed Iceberg tables users query.
 * - `results`: query results and exports; `system`: Strata's own tables (history, audit, metrics).
 *
 * Each zone is either a prefix of the root store (default `<zone>/`) or a store of its own (another
 * bucket, another disk). Layout keys (`tableLocation`, `rawIngestKey`) are keys in the zone's
 * *home store*, `zone(z).store`: with the default layout that is the root store, so the keys
 * carry the zone prefix (`curated/sales.db/orders`); a zone with its own store has prefix ''.
 *
 * Table directories follow the Hive/Iceberg warehouse convention: one `<name>.db` directory per
 * namespace level, then the table name, so a table and a child namespace never share a directory.
 *
 * @example
 *   const layout = new LakeLayout({ root: new LocalObjectStore('/lake') });
 *   layout.tableLocation('curated', ['sales'], 'orders'); // 'curated/sales.db/orders'
 *   layout.tableUri('curated', ['sales'], 'orders');      // 'file:///lake/curated/sales.db/orders'
 */
import { StrataError } from '../core/index.ts';
import { directoryPrefix } from './object-key.ts';
import type { ObjectStore } from './object-store.ts';
import { PrefixedObjectStore } from './prefixed-object-store.ts';

export const ZONES = ['raw', 'processed', 'curated', 'results', 'system'] as const;
export type Zone = (typeof ZONES)[number];

export type ZoneConfig = { readonly prefix: string } | { readonly store: ObjectStore };

export interface LakeLayoutConfig {
  /** The default store; zones without their own store are prefixes of it. */
  readonly root: ObjectStore;
  readonly zones?: Partial<Record<Zone, ZoneConfig>>;
}

/** A zone's home store and the prefix of the zone inside it ('' or ending in '/'). */
export interface ZoneLocation {
  readonly store: ObjectStore;
  readonly prefix: string;
}

/**
 * Checks one path segment that names a namespace level, table, source or file: it must not be
 * empty, contain '/', '\\' or control characters, or be '.'/'..'.
 */
export function assertValidName(what: string, name: string): string {
  // eslint-disable-next-line no-control-regex
  const bad = typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\\\u0000-\u001f]/.test(name);
  if (bad) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `Invalid ${what} name ${JSON.stringify(name)}: use a non-empty name without '/', '\\' or control characters.`,
      { [what]: name },
    );
  }
  return name;
}

/** Formats a date as its UTC calendar day, `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new StrataError('INVALID_ARGUMENT', `Invalid ingest date ${String(date)}: pass a valid Date.`, {
      date: String(date),
    });
  }
  return date.toISOString().slice(0, 10);
}

export class LakeLayout {
  readonly root: ObjectStore;
  private readonly locations: ReadonlyMap<Zone, ZoneLocation>;
  private readonly scoped = new Map<Zone, ObjectStore>();

  constructor(config: LakeLayoutConfig) {
    this.root = config.root;
    const locations = new Map<Zone, ZoneLocation>();
    for (const zone of ZONES) {
      const zoneConfig = config.zones?.[zone];
      if (zoneConfig !== undefined && 'store' in zoneConfig) {
        locations.set(zone, { store: zoneConfig.store, prefix: '' });
      } else {
        const prefix = directoryPrefix(zoneConfig?.prefix ?? `${zone}/`);
        locations.set(zone, { store: config.root, prefix });
      }
    }
    for (const name of Object.keys(config.zones ?? {})) {
      if (!(ZONES as readonly string[]).includes(name)) {
        throw new StrataError('INVALID_CONFIG', `Unknown lake zone '${name}'; zones are ${ZONES.join(', ')}.`, {
          zone: name,
        });
      }
    }
    this.locations = locations;
    this.checkNoOverlap();
  }

  /** The zone's home store and prefix: where `tableLocation` and `rawIngestKey` keys resolve. */
  zone(zone: Zone): ZoneLocation {
    const location = this.locations.get(zone);
    if (location === undefined) {
      throw new StrataError('INVALID_ARGUMENT', `Unknown lake zone '${String(zone)}'; zones are ${ZONES.join(', ')}.`, {
        zone,
      });
    }
    return location;
  }

  /** A store scoped to the zone: key 'x' is `<zone prefix>x` in the zone's home store. */
  storeFor(zone: Zone): ObjectStore {
    let store = this.scoped.get(zone);
    if (store === undefined) {
      const { store: home, prefix } = this.zone(zone);
      store = prefix === '' ? home : new PrefixedObjectStore(home, prefix);
      this.scoped.set(zone, store);
    }
    return store;
  }

  /**
   * The key prefix (no trailing '/') of a table's directory in the zone's home store, e.g.
   * `curated/sales.db/orders`. Iceberg metadata and data files go under it.
   */
  tableLocation(zone: Zone, namespace: readonly string[], table: string): string {
    if (namespace.length === 0) {
      throw new StrataError('INVALID_ARGUMENT', `Table '${table}' needs a namespace (e.g. ['default']).`, {
        table,
      });
    }
    const levels = namespace.map((level) => `${assertValidName('namespace', level)}.db`);
    return `${this.zone(zone).prefix}${levels.join('/')}/${assertValidName('table', table)}`;
  }

  /** The URI of a table's directory (Iceberg's table `location`), e.g. `s3://lake/curated/sales.db/orders`. */
  tableUri(zone: Zone, namespace: readonly string[], table: string): string {
    return this.zone(zone).store.uri(this.tableLocation(zone, namespace, table));
  }

  /** A store scoped to one table's directory. */
  tableStore(zone: Zone, namespace: readonly string[], table: string): ObjectStore {
    return new PrefixedObjectStore(this.zone(zone).store, this.tableLocation(zone, namespace, table));
  }

  /** `raw/<source>/ingest_date=YYYY-MM-DD/<fileName>` (UTC day) in the raw zone's home store. */
  rawIngestKey(source: string, ingestDate: Date, fileName: string): string {
    return `${this.zone('raw').prefix}${assertValidName('source', source)}/ingest_date=${utcDay(ingestDate)}/${assertValidName('file', fileName)}`;
  }

  /** Two zones that share a store must not nest, or one zone's listing would include the other. */
  private checkNoOverlap(): void {
    const entries = [...this.locations.entries()];
    for (const [zoneA, a] of entries) {
      for (const [zoneB, b] of entries) {
        if (zoneA >= zoneB || a.store !== b.store) continue;
        if (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix)) {
          throw new StrataError(
            'INVALID_CONFIG',
            `Lake zones '${zoneA}' and '${zoneB}' overlap (prefixes '${a.prefix}' and '${b.prefix}' in one store); give each zone its own prefix or store.`,
            { zones: [zoneA, zoneB], prefixes: [a.prefix, b.prefix] },
          );
        }
      }
    }
  }
}
