/**
 * Webhook alerts for a running stream: `stream.behind` when the backlog or the watermark delay
 * crosses the definition's threshold (once per episode: again only after `stream.caught_up`),
 * `stream.checkpoint_failed` when a batch's state checkpoint could not be written, and
 * `stream.failed` when the runner gives up. Deliveries go through the shared WebhookNotifier
 * (retries with backoff, never throws), in the background so alerting never stalls a batch.
 */
import { WebhookNotifier } from '../../observe/index.ts';
import type { AlertSettings } from '../model/index.ts';

export interface LagReading {
  readonly backlogRecords?: number;
  readonly watermarkDelayMs?: number;
}

export class StreamAlerts {
  readonly #stream: string;
  readonly #settings: AlertSettings | undefined;
  readonly #notifier: WebhookNotifier;
  readonly #pending = new Set<Promise<unknown>>();
  #behind = false;

  constructor(stream: string, settings: AlertSettings | undefined, notifier: WebhookNotifier = new WebhookNotifier({ maxAttempts: 3 })) {
    this.#stream = stream;
    this.#settings = settings;
    this.#notifier = notifier;
  }

  /** After each batch: alert when the stream fell behind, and once when it caught up again. */
  lag(reading: LagReading): void {
    const settings = this.#settings;
    if (!settings) return;
    const reasons: string[] = [];
    if (settings.maxBacklogRecords !== undefined && (reading.backlogRecords ?? 0) > settings.maxBacklogRecords) {
      reasons.push(`backlog ${reading.backlogRecords} records > ${settings.maxBacklogRecords}`);
    }
    if (settings.maxWatermarkDelayMs !== undefined && (reading.watermarkDelayMs ?? 0) > settings.maxWatermarkDelayMs) {
      reasons.push(`watermark delay ${reading.watermarkDelayMs} ms > ${settings.maxWatermarkDelayMs} ms`);
    }
    if (reasons.length > 0 && !this.#behind) {
      this.#behind = true;
      this.#send('stream.behind', { reasons, ...reading });
    } else if (reasons.length === 0 && this.#behind) {
      this.#behind = false;
      this.#send('stream.caught_up', { ...reading });
    }
  }

  checkpointFailed(batchId: number, error: string): void {
    this.#send('stream.checkpoint_failed', { batchId, error });
  }

  failed(error: string): void {
    this.#send('stream.failed', { error });
  }

  /** Waits for deliveries in flight (on shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.#pending]);
  }

  #send(type: string, details: Record<string, unknown>): void {
    const url = this.#settings?.webhook;
    if (!url) return;
    const delivery = this.#notifier.deliver({ url }, { type, payload: { stream: this.#stream, ...details } });
    this.#pending.add(delivery);
    void delivery.finally(() => this.#pending.delete(delivery));
  }
}
