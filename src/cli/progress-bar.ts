/**
 * A one-line progress bar on stderr, redrawn at most every 100 ms — only when stderr is a
 * terminal, so pipes and log files never receive carriage returns.
 *
 *   events-2024.ndjson [##########----------]  50%  12.0/24.0 MB  104,233 rows
 */
export interface ProgressUpdate {
  readonly label: string;
  readonly done: number;
  readonly total: number;
  readonly rows: number;
}

export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr, enabled = stream.isTTY === true) {
    this.#stream = stream;
    this.#enabled = enabled;
  }

  update(update: ProgressUpdate): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#lastDraw < 100 && update.done < update.total) return;
    this.#lastDraw = now;
    const width = Math.max(20, Math.min(80, this.#stream.columns ?? 80));
    this.#stream.write(`\r${progressLine(update, width)}\x1b[K`);
    this.#drawn = true;
  }

  /** Clears the bar so the summary starts on a clean line. */
  done(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[K');
    this.#drawn = false;
  }
}

export function progressLine(update: ProgressUpdate, width = 80): string {
  const ratio = update.total > 0 ? Math.min(1, update.done / update.total) : 0;
  const slots = 20;
  const filled = Math.round(ratio * slots);
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  const tail = ` [${'#'.repeat(filled)}${'-'.repeat(slots - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}%  ${mb(update.done)}/${mb(update.total)} MB  ${update.rows.toLocaleString('en-US')} rows`;
  const room = Math.max(8, width - tail.length - 1);
  const label = update.label.length > room ? `…${update.label.slice(update.label.length - room + 1)}` : update.label;
  return `${label}${tail}`;
}
