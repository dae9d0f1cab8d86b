// The observe plane: lineage (OpenLineage run events, kept in `system.lineage_events`) and
// notifications (signed webhooks with retries).
export {
  STRATA_PRODUCER,
  OPENLINEAGE_RUN_EVENT_SCHEMA_URL,
  STRATA_ICEBERG_FACET_SCHEMA_URL,
  STRATA_ERROR_FACET_SCHEMA_URL,
  standardFacetSchemaUrl,
  type Facet,
  type FacetBase,
  type StandardFacetName,
} from './lineage/openlineage-facets.ts';
export {
  RUN_EVENT_TYPES,
  runEvent,
  isUuid,
  type RunEvent,
  type RunEventType,
  type RunEventInput,
  type LineageDataset,
  type LineageRun,
  type LineageJob,
  type InputDataset,
  type OutputDataset,
  type Facets,
  type JobTypeInput,
  type SourceCodeLocationInput,
} from './lineage/openlineage-event.ts';
export { lineageRunId } from './lineage/lineage-run-id.ts';
export { LineageStore, LINEAGE_TABLE_ID, datasetList, type LineageFilter } from './lineage/lineage-store.ts';
export {
  WebhookNotifier,
  WEBHOOK_USER_AGENT,
  parseRetryAfter,
  type WebhookNotifierOptions,
  type WebhookClock,
  type WebhookTarget,
  type WebhookEvent,
  type DeliveryResult,
} from './notify/webhook-notifier.ts';
export { signPayload, verifySignature, SIGNATURE_PREFIX, type VerifyOptions } from './notify/webhook-signature.ts';
