/**
 * Result reuse: a query's key is the SHA-256 of what determines its result — the normalised
 * statement text, the policy fingerprint of what governance let the principal see, the snapshot
 * of every table read, and the workgroup. Two queries with equal keys return equal rows, so the
 * second is answered from the first's stored result without running.
 *
 * Normalisation is conservative: comments become whitespace, whitespace runs outside string
 * literals and quoted identifiers collapse to one space, the text is trimmed and a trailing `;`
 * dropped. Case is kept (`'A'` and `'a'` differ inside literals, and we do not parse to tell).
 *
 * Not reusable (no key): a read of a metadata table (`t$files` …), or a statement calling a
 * function whose value changes between runs or principals (`now()`, `random()`,
 * `current_principal()`, …) — listed in VOLATILE below, matched as words anywhere outside
 * literals, so a column named `now` also turns reuse off (safe, if wasteful).
 */
import { createHash } from 'node:crypto';
import { tokenize } from '../../core/index.ts';
import type { PlannedQuery } from '../../sql/index.ts';

const VOLATILE = new Set([
  'now', 'today', 'random', 'rand', 'setseed', 'uuid', 'gen_random_uuid', 'uuidv4', 'uuidv7', 'nextval', 'currval',
  'current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp', 'get_current_time', 'get_current_timestamp',
  'transaction_timestamp', 'current_localtime', 'current_localtimestamp', 'epoch_ms',
  'current_user', 'session_user', 'user', 'current_role', 'current_principal', 'current_principal_attribute', 'is_member', 'has_role',
  'current_setting', 'current_database', 'current_schema', 'current_query',
]);

/** The statement as reuse compares it (see the module comment). */
export function normalizeStatement(text: string): string {
  let out = '';
  let pendingSpace = false;
  for (const token of tokenize(text)) {
    if (token.kind === 'space' || token.kind === 'comment') {
      pendingSpace = true;
      continue;
    }
    if (pendingSpace && out !== '') out += ' ';
    pendingSpace = false;
    out += token.text;
  }
  return out.endsWith(';') ? out.slice(0, -1).trimEnd() : out;
}

/** Whether the statement calls something whose value is not fixed by its text, snapshots and policies. */
export function isVolatile(text: string): boolean {
  return tokenize(text).some((t) => t.kind === 'word' && VOLATILE.has(t.text.toLowerCase()));
}

/** The reuse key of a planned query, or undefined when its result must not be reused. */
export function reuseKeyOf(statement: string, planned: PlannedQuery, workgroup: string): string | undefined {
  if (isVolatile(statement)) return undefined;
  if (planned.plans.some((p) => p.metadataTable !== undefined)) return undefined;
  const reads = planned.plans.map((p) => `${p.table.toLowerCase()}@${p.snapshotId === undefined ? 'none' : p.snapshotId.toString()}`);
  const material = JSON.stringify(['strata-reuse-v1', normalizeStatement(statement), planned.policyFingerprint, [...new Set(reads)].sort(), workgroup]);
  return createHash('sha256').update(material).digest('hex');
}
