/**
 * Session windows: an event at t opens the session [t, t + gap); sessions of one key that overlap
 * merge into one. Touching is not overlapping — an event exactly `gap` after the previous one
 * starts a new session, matching "a session closes after `gap` without events".
 *
 * Pure: the window operator keeps each key's open sessions (sorted, disjoint) in its state and
 * folds each event in with `addToSessions`.
 */

export interface Session<A> {
  readonly start: bigint;
  readonly end: bigint;
  /** What the session aggregates (the operator's accumulators). */
  readonly value: A;
}

/**
 * Adds the event at `t` carrying `value` to a key's sessions (sorted by start, disjoint). Every
 * session overlapping [t, t + gapUs) merges with it — one event can bridge two sessions. Values
 * merge left to right in start order, then the event's value last, so the result is deterministic.
 * Returns the new sorted, disjoint list; the input is not modified.
 */
export function addToSessions<A>(sessions: readonly Session<A>[], t: bigint, gapUs: bigint, value: A, merge: (into: A, other: A) => A): Session<A>[] {
  let start = t;
  let end = t + gapUs;
  let merged: A | undefined;
  let hasMerged = false;
  const kept: Session<A>[] = [];
  for (const session of sessions) {
    if (session.start < end && start < session.end) {
      if (session.start < start) start = session.start;
      if (session.end > end) end = session.end;
      merged = hasMerged ? merge(merged as A, session.value) : session.value;
      hasMerged = true;
    } else {
      kept.push(session);
    }
  }
  const combined = hasMerged ? merge(merged as A, value) : value;
  kept.push({ start, end, value: combined });
  return kept.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}
