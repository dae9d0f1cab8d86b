// The query service of `strata serve`: queries, workgroups, fair queueing, scan caps, result reuse, history.
export { createQueryService, QueryService, type HistoryRequest, type QueryServiceOptions } from './query-service.ts';
export { QUERY_STATES, type PageRequest, type QueryInfo, type QueryState, type SubmitRequest } from './query-record.ts';
export { WorkgroupStore } from './workgroup-store.ts';
export { WORKGROUP_ENGINES, type Workgroup, type WorkgroupEngine, type WorkgroupGrantee, type WorkgroupSettings } from './workgroup.ts';
export { PRIMARY_WORKGROUP, SERVER_MIGRATIONS, SERVER_MIGRATION_TABLE, migrateServer } from './workgroup-migrations.ts';
export { HISTORY_TABLE_ID, QueryHistory } from './query-history.ts';
export { normalizeStatement, reuseKeyOf } from './reuse-key.ts';
export { FairQueue } from './fair-queue.ts';
