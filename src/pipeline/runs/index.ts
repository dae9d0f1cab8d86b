/**
 * Persisted run state of pipelines in the catalog database: versions, runs, steps and attempts with
 * leases, backfills and scheduler ticks.
 */
export * from './run-model.ts';
export { PIPELINE_MIGRATIONS, PIPELINE_MIGRATION_TABLE, PIPELINE_MIGRATION_LOCK_TABLE, migratePipelines } from './run-migrations.ts';
export { RunStore, LEASE_EXPIRED, type ClaimFilter, type RunFilter, type RunStoreConnection, type StepOutcome } from './run-store.ts';
