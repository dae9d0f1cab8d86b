/**
 * `strata token create|list|revoke`: API tokens for the HTTP API. A token is shown exactly once,
 * when created (Strata keeps only its hash); lose it and create another. Listing shows ids and
 * state, never tokens.
 */
import type { Command } from 'commander';
import type { TokenInfo } from '../../../governance/index.ts';
import type { CliContext } from '../../cli-context.ts';
import { parseDuration } from './command-line.ts';
import { runGoverned } from './governed-command.ts';
import { isoTime, printDone, printRows } from './report-output.ts';
import { stringifyJson } from '../../../core/index.ts';

export function registerTokenCommands(program: Command, context: CliContext): void {
  const token = program
    .command('token')
    .description('Manage API tokens: create (shown once), list, revoke')
    .addHelpText(
      'after',
      '\nExamples:\n  $ strata token create etl-nightly --expires-in 30d --description "nightly loader"\n  $ strata token list etl-nightly\n  $ strata token revoke t_1a2b3c',
    );

  token
    .command('create')
    .argument('<principal>')
    .option('--expires-in <duration>', 'lifetime: 90m, 12h, 30d (default: never expires)', parseDuration)
    .option('--description <text>', 'what the token is for')
    .description('Create an API token for a principal; it is printed once and cannot be shown again')
    .action(async (principal: string, options: { expiresIn?: number; description?: string }) => {
      await runGoverned(context, { action: 'token create', audit: 'always' }, async ({ plane }) => {
        const created = await plane.identity.createToken(principal, {
          ...(options.expiresIn === undefined ? {} : { expiresInMs: options.expiresIn }),
          ...(options.description === undefined ? {} : { description: options.description }),
        });
        const expires = isoTime(created.expiresAt);
        if (context.format === 'json') {
          await context.stdout.write(`${stringifyJson({ id: created.id, principal, token: created.token, expires_at: expires })}\n`);
        } else {
          await context.stdout.write(`${created.token}\n`);
        }
        process.stderr.write(
          `Token ${created.id} for ${principal}${expires === null ? ' (never expires)' : ` (expires ${expires})`}. ` +
            'Copy it now: it cannot be shown again.\n',
        );
      });
    });

  token
    .command('list')
    .argument('[principal]', "only this principal's tokens")
    .description('List API tokens (ids and state, never the tokens)')
    .action(async (principal: string | undefined) => {
      await runGoverned(context, { action: 'token list', audit: 'denials', ...(principal === undefined ? {} : { self: principal }) }, async ({ strata, plane }) => {
        const now = Date.now();
        const rows = (await plane.identity.listTokens(principal)).map((t) => [
          t.id,
          t.principal,
          tokenState(t, now),
          t.description,
          isoTime(t.createdAt),
          isoTime(t.expiresAt),
          isoTime(t.revokedAt),
        ]);
        await printRows(context, strata, ['id', 'principal', 'state', 'description', 'created_at', 'expires_at', 'revoked_at'], rows);
      });
    });

  token
    .command('revoke')
    .argument('<id>')
    .description('Revoke an API token by id')
    .action(async (id: string) => {
      await runGoverned(context, { action: 'token revoke', audit: 'always' }, async ({ plane }) => {
        await plane.identity.revokeToken(id);
        await printDone(context, `Revoked token ${id}`, { id });
      });
    });
}

function tokenState(token: TokenInfo, now: number): string {
  if (token.revokedAt !== undefined) return 'revoked';
  if (token.expiresAt !== undefined && now >= token.expiresAt) return 'expired';
  return 'active';
}
