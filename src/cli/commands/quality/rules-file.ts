/**
 * Reads a DQDL rules file for the CLI and checks its syntax before anything is opened, so a typo
 * fails fast with an editor-style location: `orders.dqdl:3:17: expected … [DQDL_SYNTAX_ERROR]`
 * (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { StrataError, messageOf } from '../../../core/index.ts';
import { parseDqdl } from '../../../quality/dqdl/parse-dqdl.ts';

export interface RulesFile {
  readonly path: string;
  readonly text: string;
  /** The default ruleset name: the file name without its extension. */
  readonly name: string;
}

export async function readRulesFile(path: string): Promise<RulesFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new StrataError('INVALID_ARGUMENT', `Cannot read the rules file ${path}: ${messageOf(error)}`, { path }, { cause: error });
  }
  try {
    parseDqdl(text);
  } catch (error) {
    if (!StrataError.is(error, 'DQDL_SYNTAX_ERROR')) throw error;
    const line = Number(error.details['line']);
    const column = Number(error.details['column']);
    const reason = error.message.replace(/^line \d+, column \d+:\s*/, '');
    throw new StrataError('DQDL_SYNTAX_ERROR', `${path}:${line}:${column}: ${reason}`, { ...error.details, path }, { cause: error });
  }
  return { path, text, name: basename(path, extname(path)) };
}
