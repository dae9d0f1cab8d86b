// The governance plane: identity now; grants, tags, masks, row filters and audit come next.
export * from './identity/index.ts';
