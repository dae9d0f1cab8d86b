/**
 * A fair queue: items wait per owner (a principal), and the next item goes to the owner that was
 * served least recently — so one principal's hundred queued queries do not starve another's one.
 *
 * "Served" counts every start, including a start that never waited (`served(owner)`): with
 * concurrency 1, when A's first query runs at once and A then queues four more while B queues one,
 * B's query runs second.
 *
 * @example
 *   const queue = new FairQueue<string>();
 *   queue.served('a');                  // a's first query started without waiting
 *   queue.push('a', 'a2'); queue.push('b', 'b1');
 *   queue.shift();                      // 'b1': b was never served, a was
 */
export class FairQueue<T> {
  readonly #waiting = new Map<string, T[]>();
  readonly #lastServed = new Map<string, number>();
  #clock = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(owner: string, item: T): void {
    const list = this.#waiting.get(owner);
    if (list) list.push(item);
    else this.#waiting.set(owner, [item]);
    this.#size++;
  }

  /** Records that `owner` was served outside the queue (its item started without waiting). */
  served(owner: string): void {
    this.#lastServed.set(owner, ++this.#clock);
  }

  /** The next item: the oldest of the least recently served owner with items waiting. */
  shift(): T | undefined {
    let chosen: string | undefined;
    let chosenAt = Infinity;
    // Map iteration is insertion order, so ties (never served) go to whoever queued first.
    for (const owner of this.#waiting.keys()) {
      const at = this.#lastServed.get(owner) ?? -1;
      if (chosen === undefined || at < chosenAt) {
        chosen = owner;
        chosenAt = at;
      }
    }
    if (chosen === undefined) return undefined;
    const list = this.#waiting.get(chosen) ?? [];
    const item = list.shift();
    if (list.length === 0) this.#waiting.delete(chosen);
    this.#size--;
    this.served(chosen);
    return item;
  }

  /** Takes a waiting item out (a cancelled query); false when it was not waiting. */
  remove(item: T): boolean {
    for (const [owner, list] of this.#waiting) {
      const at = list.indexOf(item);
      if (at < 0) continue;
      list.splice(at, 1);
      if (list.length === 0) this.#waiting.delete(owner);
      this.#size--;
      return true;
    }
    return false;
  }

  /** The first waiting item matching `predicate`, left in place. */
  find(predicate: (item: T) => boolean): T | undefined {
    for (const list of this.#waiting.values()) {
      const found = list.find(predicate);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Every waiting item, in no particular order (for shutdown). */
  drain(): T[] {
    const all = [...this.#waiting.values()].flat();
    this.#waiting.clear();
    this.#size = 0;
    return all;
  }
}
