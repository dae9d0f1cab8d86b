/**
 * A `CommitTableRequest` body (requirements + updates, in the REST spec's kebab-case JSON) as the
 * table plane's `TableChange`, which `checkRequirements` / `applyUpdates` already understand.
 *
 * Unknown actions and requirement types are refused (406 UnsupportedOperation, 400 for garbage)
 * rather than skipped: a commit must never land with part of what the client asked for missing.
 * Statistics updates (`set-statistics`, …) are among them: Strata does not keep Puffin files yet.
 */
import { StrataError, messageOf, toBigInt } from '../../../core/index.ts';
import {
  parseRef,
  parseSnapshot,
  parseSortOrder,
  schemaFromJson,
  specFromJson,
  type MetadataUpdate,
  type TableChange,
  type TableRequirement,
} from '../../../table/index.ts';
import { badRequest, objectOf, stringArrayOf, stringMapOf, stringOf, type Json } from './rest-wire.ts';

export function tableChangeFromJson(body: Json): TableChange {
  const requirements = body['requirements'] ?? [];
  const updates = body['updates'] ?? [];
  if (!Array.isArray(requirements)) throw badRequest('requirements must be an array');
  if (!Array.isArray(updates)) throw badRequest('updates must be an array');
  return {
    requirements: requirements.map((r, i) => requirementFromJson(objectOf(r, `requirements[${i}]`))),
    updates: updates.map((u, i) => updateFromJson(objectOf(u, `updates[${i}]`))),
  };
}

function requirementFromJson(json: Json): TableRequirement {
  const type = json['type'];
  switch (type) {
    case 'assert-create':
      return { type };
    case 'assert-table-uuid':
      return { type, uuid: stringOf(json['uuid'], 'assert-table-uuid.uuid') };
    case 'assert-ref-snapshot-id': {
      const id = json['snapshot-id'];
      return { type, ref: stringOf(json['ref'], 'assert-ref-snapshot-id.ref'), snapshotId: id === null || id === undefined ? null : long(id, 'snapshot-id') };
    }
    case 'assert-last-assigned-field-id':
      return { type, lastAssignedFieldId: int(json['last-assigned-field-id'], type) };
    case 'assert-current-schema-id':
      return { type, currentSchemaId: int(json['current-schema-id'], type) };
    case 'assert-last-assigned-partition-id':
      return { type, lastAssignedPartitionId: int(json['last-assigned-partition-id'], type) };
    case 'assert-default-spec-id':
      return { type, defaultSpecId: int(json['default-spec-id'], type) };
    case 'assert-default-sort-order-id':
      return { type, defaultSortOrderId: int(json['default-sort-order-id'], type) };
    default:
      throw new StrataError('UNSUPPORTED_FEATURE', `Requirement type ${JSON.stringify(type)} is not supported by Strata's REST catalog`);
  }
}

function updateFromJson(json: Json): MetadataUpdate {
  const action = json['action'];
  try {
    switch (action) {
      case 'assign-uuid':
        return { action, uuid: stringOf(json['uuid'], 'assign-uuid.uuid') };
      case 'upgrade-format-version':
        return { action, formatVersion: int(json['format-version'], action) };
      case 'add-schema': {
        const last = json['last-column-id'];
        return { action, schema: schemaFromJson(json['schema']), ...(last === undefined || last === null ? {} : { lastColumnId: int(last, 'last-column-id') }) };
      }
      case 'set-current-schema':
        return { action, schemaId: int(json['schema-id'], action) };
      case 'add-spec':
        return { action, spec: specFromJson(json['spec']) };
      case 'set-default-spec':
        return { action, specId: int(json['spec-id'], action) };
      case 'add-sort-order':
        return { action, sortOrder: parseSortOrder(json['sort-order']) };
      case 'set-default-sort-order':
        return { action, sortOrderId: int(json['sort-order-id'], action) };
      case 'add-snapshot':
        return { action, snapshot: parseSnapshot(json['snapshot']) };
      case 'set-snapshot-ref': {
        const refName = stringOf(json['ref-name'], 'set-snapshot-ref.ref-name');
        return { action, refName, ref: parseRef(json, refName) };
      }
      case 'remove-snapshot-ref':
        return { action, refName: stringOf(json['ref-name'], 'remove-snapshot-ref.ref-name') };
      case 'remove-snapshots': {
        const ids = json['snapshot-ids'];
        if (!Array.isArray(ids)) throw badRequest('remove-snapshots.snapshot-ids must be an array');
        return { action, snapshotIds: ids.map((id) => long(id, 'snapshot-ids')) };
      }
      case 'set-location':
        return { action, location: stringOf(json['location'], 'set-location.location') };
      case 'set-properties':
        return { action, updates: stringMapOf(json['updates'], 'set-properties.updates') };
      case 'remove-properties':
        return { action, removals: stringArrayOf(json['removals'], 'remove-properties.removals') };
      default:
        throw new StrataError('UNSUPPORTED_FEATURE', `Table update ${JSON.stringify(action)} is not supported by Strata's REST catalog`);
    }
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw badRequest(`update ${String(action)}: ${messageOf(error)}`);
  }
}

function int(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRequest(`${what} needs an integer`);
  return value;
}

function long(value: unknown, what: string): bigint {
  try {
    return toBigInt(value, what);
  } catch (error) {
    throw badRequest(messageOf(error));
  }
}
