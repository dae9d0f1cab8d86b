/**
 * Stable OpenLineage run ids for things that have no UUID of their own (a step attempt, a query):
 * a name-based UUID (RFC 9562 version 5, SHA-1) of the parts, so a retry of the reporter, or a
 * process that resumes a run after a restart, emits the SAME runId and lineage tools merge the
 * events instead of showing two runs.
 *
 *   lineageRunId(pipelineRunId, 'aggregate', '2')   // step `aggregate`, attempt 2
 */
import { createHash } from 'node:crypto';

/** Strata's own name-space UUID for lineage run ids (random, fixed forever). */
const STRATA_LINEAGE_NAMESPACE = '6b1f3c2e-8d47-4e0a-9b55-2f7c1e9a4d30';

export function lineageRunId(...parts: readonly string[]): string {
  const namespace = Buffer.from(STRATA_LINEAGE_NAMESPACE.replaceAll('-', ''), 'hex');
  // A unit separator between parts keeps ('ab','c') and ('a','bc') apart.
  const hash = createHash('sha1').update(namespace).update(parts.join('\u001f'), 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
