/**
 * A `TableOperations` decorator that counts commit attempts and lost races (COMMIT_CONFLICT), so
 * the concurrency benchmark can report retries without any hook in the commit loop itself.
 * Everything else is passed through to the real operations unchanged.
 */
import { StrataError } from '../src/core/index.ts';
import type { TableMetadata, TableOperations } from '../src/table/index.ts';

export class CountingOperations implements TableOperations {
  readonly #inner: TableOperations;
  attempts = 0;
  conflicts = 0;

  constructor(inner: TableOperations) {
    this.#inner = inner;
  }

  get store(): TableOperations['store'] {
    return this.#inner.store;
  }

  get name(): string {
    return this.#inner.name;
  }

  current(): TableMetadata | undefined {
    return this.#inner.current();
  }

  currentLocation(): string | undefined {
    return this.#inner.currentLocation();
  }

  refresh(): Promise<TableMetadata> {
    return this.#inner.refresh();
  }

  async commit(base: TableMetadata | undefined, next: TableMetadata): Promise<void> {
    this.attempts++;
    try {
      await this.#inner.commit(base, next);
    } catch (error) {
      if (StrataError.is(error, 'COMMIT_CONFLICT')) this.conflicts++;
      throw error;
    }
  }
}
