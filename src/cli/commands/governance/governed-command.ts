/**
 * The frame every governance command runs in: open the home and its governance plane, decide
 * whether the CLI's principal may run the command, audit the outcome, run it.
 *
 * Who may run what:
 * - every command is for administrators (holders of a role marked administrator, not disabled);
 * - a command that inspects one principal (`principal show`, `token list`, `access show`,
 *   `access explain`) may also be run by that principal itself (`self`);
 * - with `--as`, the configured principal must be an administrator too (you cannot borrow an
 *   administrator's name by being one of its subjects).
 *
 * Audit: a refusal is always recorded (`denied`, with the reason); a command that changes
 * something (or is marked `audit: 'always'`) records `completed`, or `failed` with the error. The
 * statement text is the command line (commandLineText) and its hash.
 */
import { StrataError, messageOf } from '../../../core/index.ts';
import type { StrataHome } from '../../../catalog/index.ts';
import { statementHash, type AuditEvent, type GovernancePlane, type IdentityStore } from '../../../governance/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { commandLineText } from './command-line.ts';

export interface GovernedCommand {
  /** The audit action, e.g. `principal create`. */
  readonly action: string;
  /** `always`: audit completion too (changes, and inspections of someone else); `denials`: only refusals. */
  readonly audit: 'always' | 'denials';
  /** A principal allowed to run it without being an administrator (the one being inspected). */
  readonly self?: string;
}

export interface GovernedScope {
  readonly strata: StrataHome;
  readonly plane: GovernancePlane;
  /** Who runs the command (`--as`, else the configured principal). */
  readonly principal: string;
  readonly actingAs?: string;
  /** Tables (`db.t`) the command touched, for the audit record (`strata audit --table`). */
  readonly tables: string[];
}

export async function runGoverned<T>(context: CliContext, command: GovernedCommand, fn: (scope: GovernedScope) => Promise<T>): Promise<T> {
  void context.format; // an invalid --format fails before anything is opened
  return context.withHome((strata) =>
    context.withGovernance(strata, async (plane) => {
      const principal = context.principal;
      const actingAs = context.actingAs;
      const text = commandLineText();
      const scope: GovernedScope = { strata, plane, principal, ...(actingAs === undefined ? {} : { actingAs }), tables: [] };
      const record = (decision: AuditEvent['decision'], reason?: string) =>
        plane.audit.append({
          principal,
          ...(actingAs === undefined ? {} : { actingAs }),
          action: command.action,
          decision,
          statementHash: statementHash(text),
          statement: text,
          ...(scope.tables.length > 0 ? { tables: scope.tables } : {}),
          ...(reason === undefined ? {} : { reason }),
        });
      const refusal = await refusalOf(plane.identity, command, principal, actingAs);
      if (refusal !== undefined) {
        await record('denied', refusal);
        throw new StrataError('ACCESS_DENIED', refusal, { principal, action: command.action });
      }
      let result: T;
      try {
        result = await fn(scope);
      } catch (error) {
        if (command.audit === 'always') await record('failed', messageOf(error));
        throw error;
      }
      if (command.audit === 'always') await record('completed');
      return result;
    }),
  );
}

async function refusalOf(identity: IdentityStore, command: GovernedCommand, principal: string, actingAs: string | undefined): Promise<string | undefined> {
  if (actingAs !== undefined && !(await isActiveAdministrator(identity, actingAs))) {
    return `Only administrators may act as another principal (--as); ${actingAs} is not one`;
  }
  if (command.self !== undefined && command.self === principal && (await isActive(identity, principal))) return undefined;
  if (await isActiveAdministrator(identity, principal)) return undefined;
  const also = command.self !== undefined ? ` (or ${command.self} itself)` : '';
  return `strata ${command.action} is for administrators${also}; ${principal} is not one. Ask an administrator, or run it as one.`;
}

/** An enabled principal holding an administrator role; unknown or malformed names are not. */
export async function isActiveAdministrator(identity: IdentityStore, name: string): Promise<boolean> {
  return (await isActive(identity, name)) && (await identity.isAdministrator(name));
}

async function isActive(identity: IdentityStore, name: string): Promise<boolean> {
  try {
    return !(await identity.getPrincipal(name)).disabled;
  } catch (error) {
    if (StrataError.is(error, 'PRINCIPAL_NOT_FOUND') || StrataError.is(error, 'INVALID_ARGUMENT')) return false;
    throw error;
  }
}
