/**
 * Grantees on the command line: `user:bob`, `group:eu-team`, `role:analyst`, or a bare name
 * (a user). Lists are comma-separated (`--exempt role:auditor,group:finance,carol`) and may be
 * repeated; masks, row filters and `access show` print grantees back in the same syntax, so what
 * a command prints can be pasted into another.
 *
 * Gotcha: `principal:` is accepted as a synonym of `user:` (the model calls users principals).
 */
import { InvalidArgumentError } from 'commander';
import type { Grantee } from '../../../governance/index.ts';

const KINDS: Readonly<Record<string, Grantee['kind']>> = { user: 'principal', principal: 'principal', group: 'group', role: 'role' };

/** One grantee. InvalidArgumentError (exit 2, with usage) for an unknown kind or an empty name. */
export function parseGranteeArg(text: string): Grantee {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  const kindText = colon < 0 ? 'user' : trimmed.slice(0, colon).toLowerCase();
  const name = (colon < 0 ? trimmed : trimmed.slice(colon + 1)).trim().toLowerCase();
  const kind = KINDS[kindText];
  if (kind === undefined) {
    throw new InvalidArgumentError(`"${text}" is not a grantee: write user:<name>, group:<name>, role:<name> or a bare user name`);
  }
  if (name === '') throw new InvalidArgumentError(`"${text}" names no ${kindText}: write ${kindText}:<name>`);
  return { kind, name };
}

/** A comma-separated list of grantees (empty items are skipped). */
export function parseGranteeList(text: string): Grantee[] {
  return text
    .split(',')
    .filter((item) => item.trim() !== '')
    .map(parseGranteeArg);
}

/** For repeatable list options: `--exempt a,b --exempt c` → [a, b, c]. */
export function collectGrantees(text: string, previous: readonly Grantee[] = []): Grantee[] {
  return [...previous, ...parseGranteeList(text)];
}

export function formatGranteeArg(grantee: Grantee): string {
  return `${grantee.kind === 'principal' ? 'user' : grantee.kind}:${grantee.name}`;
}
