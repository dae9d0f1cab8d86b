/**
 * Small argument helpers shared by the governance commands: the command line as audit text,
 * `key=value` pairs, durations and whole numbers.
 */
import { InvalidArgumentError } from 'commander';

/** Global options that take a value; they are not part of what a command does, so audit text omits them. */
const GLOBAL_OPTIONS_WITH_VALUE = ['--home', '--format', '--output', '-o', '--as'];

/**
 * The command as the audit log records it: `strata principal create bob --attr region=eu`,
 * without --home/--format/--output/--as (the record names the principal and who acted as it).
 * Arguments with spaces or quotes are single-quoted, so the text can be pasted into a shell.
 */
export function commandLineText(argv: readonly string[] = process.argv.slice(2)): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (GLOBAL_OPTIONS_WITH_VALUE.includes(arg)) {
      i++;
      continue;
    }
    if (GLOBAL_OPTIONS_WITH_VALUE.some((option) => option.startsWith('--') && arg.startsWith(`${option}=`))) continue;
    kept.push(arg);
  }
  return ['strata', ...kept.map(shellWord)].join(' ');
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `k=v` → [k, v]; `k=` → [k, ''] (callers decide what an empty value means). */
export function parseKeyValue(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${text}" is not key=value`);
  return [text.slice(0, eq).trim(), text.slice(eq + 1).trim()];
}

/** For repeatable `--attr k=v` options. */
export function collectKeyValue(text: string, previous: readonly [string, string][] = []): [string, string][] {
  return [...previous, parseKeyValue(text)];
}

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90m`, `12h`, `30d` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([mhd])$/.exec(text.trim());
  const amount = match ? Number(match[1]) : NaN;
  const unit = match ? UNIT_MS[match[2] ?? ''] : undefined;
  if (unit === undefined || !Number.isSafeInteger(amount) || amount <= 0) {
    throw new InvalidArgumentError(`"${text}" is not a duration: write a positive number of minutes, hours or days, e.g. 90m, 12h, 30d`);
  }
  return amount * unit;
}

/** A whole number, for commander option parsers. */
export function parseWholeNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value)) throw new InvalidArgumentError(`expected a whole number, got "${text}"`);
  return value;
}

/** A comma-separated list of words (`--values a,b,c`). */
export function parseWordList(text: string): string[] {
  return text
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '');
}
