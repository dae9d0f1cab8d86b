import { randomBytes } from 'node:crypto';

/** A new random positive 63-bit snapshot id (the spec requires ids to be unique within a table). */
export function newSnapshotId(): bigint {
  for (;;) {
    const id = randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
    if (id !== 0n) return id;
  }
}
