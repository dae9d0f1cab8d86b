/**
 * Where a stream keeps its own durable files: the lake's `system` zone, `streams/<name>/`. Keeping
 * them in the lake (not on the machine that runs the stream) is what lets a restart on another
 * machine resume: the offset log, the state checkpoints and the source logs (directory discovery,
 * HTTP ingest) all travel with the lake.
 *
 *   streams/<name>/offsets/<batch>.json   the batch's planned range (written before processing)
 *   streams/<name>/state/…                state snapshots and changelogs (state/)
 *   streams/<name>/source/…               the source's own log (directory discovery, HTTP ingest)
 */
import { PrefixedObjectStore, type LakeLayout, type ObjectStore } from '../../storage/index.ts';

export interface StreamArea {
  readonly root: ObjectStore;
  readonly offsets: ObjectStore;
  readonly state: ObjectStore;
  readonly source: ObjectStore;
}

export function streamArea(lake: LakeLayout, stream: string): StreamArea {
  const root = new PrefixedObjectStore(lake.storeFor('system'), `streams/${stream}/`);
  return {
    root,
    offsets: new PrefixedObjectStore(root, 'offsets/'),
    state: new PrefixedObjectStore(root, 'state/'),
    source: new PrefixedObjectStore(root, 'source/'),
  };
}
