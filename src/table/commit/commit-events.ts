/**
 * A process-wide feed of commit outcomes, for observability (the server's Prometheus counters):
 * every commit that lands, every lost race that is retried, and every commit that gives up or
 * whose outcome is unknown. Listeners must be cheap and must not throw (a throwing listener is
 * ignored): they run inside the commit loop.
 */
export type CommitEvent =
  | { readonly kind: 'committed'; readonly table: string; readonly attempts: number }
  | { readonly kind: 'conflict'; readonly table: string; readonly attempt: number }
  | { readonly kind: 'failed'; readonly table: string; readonly code: string };

type Listener = (event: CommitEvent) => void;

const listeners = new Set<Listener>();

/** Subscribes to commit events; returns the unsubscribe function. */
export function onCommitEvent(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function emitCommitEvent(event: CommitEvent): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // Observability never breaks a commit.
    }
  }
}
