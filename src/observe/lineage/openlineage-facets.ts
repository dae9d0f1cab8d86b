/**
 * OpenLineage facets Strata emits, each stamped with the `_producer` and `_schemaURL` every facet
 * must carry (spec: BaseFacet requires both). `_schemaURL` points at the exact versioned facet
 * schema, `#/$defs/<Facet>` included, so a consumer (Marquez, DataHub, …) can validate each facet
 * on its own.
 *
 * Gotcha: standard facet schema versions move independently of the core spec (SchemaDatasetFacet
 * is at 1-2-0 while DatasourceDatasetFacet is at 1-0-1). The versions below are the ones whose
 * fields Strata fills; bump one only together with the fields it writes.
 */

/** Who produced the events: one constant URL for every Strata event and facet. */
export const STRATA_PRODUCER = 'https://github.com/strata/strata';

/** The core spec version the events follow. */
export const OPENLINEAGE_RUN_EVENT_SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';

/** Every facet carries these two keys (custom facets included). */
export interface FacetBase {
  readonly _producer: string;
  readonly _schemaURL: string;
}

/** A facet: the two base keys plus its own fields. */
export type Facet = FacetBase & { readonly [key: string]: unknown };

const STANDARD_SCHEMA_PATHS = {
  SchemaDatasetFacet: 'facets/1-2-0/SchemaDatasetFacet.json',
  DatasourceDatasetFacet: 'facets/1-0-1/DatasourceDatasetFacet.json',
  DatasetVersionDatasetFacet: 'facets/1-0-1/DatasetVersionDatasetFacet.json',
  OutputStatisticsOutputDatasetFacet: 'facets/1-0-2/OutputStatisticsOutputDatasetFacet.json',
  InputStatisticsInputDatasetFacet: 'facets/1-0-0/InputStatisticsInputDatasetFacet.json',
  ErrorMessageRunFacet: 'facets/1-0-1/ErrorMessageRunFacet.json',
  ParentRunFacet: 'facets/1-2-0/ParentRunFacet.json',
  NominalTimeRunFacet: 'facets/1-0-1/NominalTimeRunFacet.json',
  SQLJobFacet: 'facets/1-1-0/SQLJobFacet.json',
  JobTypeJobFacet: 'facets/2-0-4/JobTypeJobFacet.json',
  SourceCodeLocationJobFacet: 'facets/1-1-0/SourceCodeLocationJobFacet.json',
} as const;

export type StandardFacetName = keyof typeof STANDARD_SCHEMA_PATHS;

/** The `_schemaURL` of a standard facet, e.g. `https://openlineage.io/spec/facets/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet`. */
export function standardFacetSchemaUrl(name: StandardFacetName): string {
  return `https://openlineage.io/spec/${STANDARD_SCHEMA_PATHS[name]}#/$defs/${name}`;
}

/**
 * Custom facets are Strata's own (the spec asks for a prefixed key, `strata_…`, and a `_schemaURL`
 * that documents them). The schemas live with Strata's docs under `spec/facets/`.
 */
export const STRATA_ICEBERG_FACET_SCHEMA_URL = `${STRATA_PRODUCER}/blob/main/spec/facets/StrataIcebergDatasetFacet.json#/$defs/StrataIcebergDatasetFacet`;
export const STRATA_ERROR_FACET_SCHEMA_URL = `${STRATA_PRODUCER}/blob/main/spec/facets/StrataErrorRunFacet.json#/$defs/StrataErrorRunFacet`;

/** A standard facet with Strata as its producer. */
export function standardFacet(name: StandardFacetName, fields: Readonly<Record<string, unknown>>): Facet {
  return { _producer: STRATA_PRODUCER, _schemaURL: standardFacetSchemaUrl(name), ...fields };
}

/** A Strata custom facet. */
export function customFacet(schemaUrl: string, fields: Readonly<Record<string, unknown>>): Facet {
  return { _producer: STRATA_PRODUCER, _schemaURL: schemaUrl, ...fields };
}
