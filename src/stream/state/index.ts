// The stream state store: bounded memory with spill to local disk, changelog checkpoints to the lake.
export { openStateStore, type StateStoreOptions } from './local-state-store.ts';
export { encodeState, decodeState } from './state-codec.ts';
