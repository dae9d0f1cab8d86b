/**
 * `RawZoneWriter`: the only sanctioned way to add files to the raw zone. Raw is the lake's
 * record of what arrived, so it is append-only: every write is a `putIfAbsent`, and writing a key
 * that already exists fails with 'OBJECT_ALREADY_EXISTS' instead of replacing evidence.
 *
 * Gotcha: re-ingesting the same file under the same name is therefore an error, by design; give
 * each delivery a unique file name (e.g. include a batch id or timestamp) or catch the code when a
 * retry may have already written it.
 *
 * @example
 *   const writer = new RawZoneWriter(layout);
 *   const key = layout.rawIngestKey('shop-api', new Date(), 'orders-0001.json');
 *   await writer.append(key, bytes);
 */
import { StrataError } from '../core/index.ts';
import type { LakeLayout } from './lake-layout.ts';
import { assertValidKey } from './object-key.ts';

export class RawZoneWriter {
  private readonly layout: LakeLayout;

  constructor(layout: LakeLayout) {
    this.layout = layout;
  }

  /**
   * Writes a new raw object. `key` is a layout key in the raw zone's home store (as returned by
   * `LakeLayout.rawIngestKey`); keys outside the raw zone are rejected with 'INVALID_ARGUMENT'.
   */
  async append(key: string, body: Uint8Array): Promise<void> {
    const { store, prefix } = this.layout.zone('raw');
    assertValidKey(key);
    if (!key.startsWith(prefix)) {
      throw new StrataError(
        'INVALID_ARGUMENT',
        `Key '${key}' is outside the raw zone (prefix '${prefix}'); build raw keys with LakeLayout.rawIngestKey.`,
        { key, prefix },
      );
    }
    const written = await store.putIfAbsent(key, body);
    if (!written) {
      throw new StrataError(
        'OBJECT_ALREADY_EXISTS',
        `Raw object '${key}' already exists and the raw zone is append-only; write the new data under a new file name.`,
        { key },
      );
    }
  }

  /** Appends `fileName` for `source` under today's (or `ingestDate`'s) partition; returns the key. */
  async appendFile(
    source: string,
    fileName: string,
    body: Uint8Array,
    ingestDate: Date = new Date(),
  ): Promise<string> {
    const key = this.layout.rawIngestKey(source, ingestDate, fileName);
    await this.append(key, body);
    return key;
  }
}
