// Policies: grants, tag keys and assignments, column masks and row filters, stored in the catalog database.
export {
  PolicyStore,
  type CreateMaskInput,
  type CreateRowFilterInput,
  type GrantFilter,
  type GrantInput,
  type PolicyStoreOptions,
  type RevokeInput,
  type TagAssignmentFilter,
} from './policy-store.ts';
export { normalizeMaskFunction, MAX_MASK_EXPRESSION_LENGTH, MAX_MASK_TEXT_LENGTH } from './mask-function.ts';
export { MAX_POLICY_NAME_LENGTH, validatePolicyName, type PolicyKind } from './policy-names.ts';
export { MAX_PREDICATE_LENGTH, MAX_TAG_EXPRESSION_NODES } from './policy-input.ts';
