/**
 * `strata init [--force]`: creates a Strata home — the lake's zone directories, the spill
 * directory, the catalog database and a commented `strata.yaml` — and bootstraps the local
 * administrator (the configured `principal`, default `admin`, holding the `admin` role). Idempotent: running it again on
 * an initialised home changes nothing. `--force` rewrites `strata.yaml` from the template (the old
 * file is kept as `strata.yaml.bak`); it never touches data or the catalog.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { openStrataHome } from '../../catalog/index.ts';
import { bootstrapAdmin, openGovernance, type BootstrapResult } from '../../governance/index.ts';
import { CONFIG_FILE_NAME, configTemplate, loadConfig } from '../../config/index.ts';
import { ZONES } from '../../storage/index.ts';
import type { CliContext } from '../cli-context.ts';
import { homeOptionsOf } from '../home-options.ts';

export interface InitResult {
  readonly home: string;
  /** Paths created by this run (empty when the home was already initialised). */
  readonly created: readonly string[];
  /** The local administrator (the configured `principal`), and whether this run created it. */
  readonly admin: string;
  readonly adminCreated: boolean;
}

export async function initHome(home: string, options: { force?: boolean } = {}): Promise<InitResult> {
  const created: string[] = [];
  const ensureDir = (path: string) => {
    if (!existsSync(path)) {
      mkdirSync(path, { recursive: true });
      created.push(path);
    }
  };
  ensureDir(home);

  const configFile = join(home, CONFIG_FILE_NAME);
  if (options.force === true && existsSync(configFile)) renameSync(configFile, `${configFile}.bak`);
  if (!existsSync(configFile)) {
    writeFileSync(configFile, configTemplate());
    created.push(configFile);
  }
  // Validates the file (INVALID_CONFIG for a broken one) before anything opens DuckDB with it.
  const config = loadConfig(home);
  ensureDir(config.values['duckdb.temp_directory']);
  // An s3:// lake (lake.uri) has no directories to make: its zones are key prefixes.
  if (config.values['lake.uri'] === '') for (const zone of ZONES) ensureDir(join(home, 'lake', zone));

  const catalogUrl = config.values['catalog.url'];
  const catalogFile = join(home, 'catalog.db');
  const hadCatalog = catalogUrl !== '' || existsSync(catalogFile);
  const strata = await openStrataHome(home, { tempDirectory: config.values['duckdb.temp_directory'] }, homeOptionsOf(config.values));
  let admin: BootstrapResult;
  try {
    const governance = await openGovernance(strata.catalog);
    try {
      admin = await bootstrapAdmin(governance.identity, config.values.principal);
    } finally {
      await governance.close();
    }
  } finally {
    await strata.close();
  }
  if (!hadCatalog) created.push(catalogFile);
  return { home, created, admin: config.values.principal, adminCreated: admin.createdPrincipal };
}

export function registerInit(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('Create a Strata home (lake directories, catalog, commented strata.yaml); safe to run again')
    .option('--force', 'rewrite strata.yaml from the template (the old one is kept as strata.yaml.bak); never touches data')
    .addHelpText(
      'after',
      `
Examples:
  $ strata init                        # ./.strata, or $STRATA_HOME
  $ strata --home /data/strata init
  $ strata init --force                # reset strata.yaml to the commented defaults`,
    )
    .action(async (options: { force?: boolean }) => {
      const result = await initHome(context.home, { force: options.force === true });
      const out = context.stdout;
      if (result.created.length === 0) {
        await out.write(`Strata home ${result.home} is already initialised; nothing changed.\n`);
      } else {
        await out.write(`Initialised Strata home ${result.home}\n`);
        for (const path of result.created) await out.write(`  created ${path}\n`);
      }
      if (result.adminCreated) await out.write(`Created the local administrator ${result.admin} (role admin); the CLI acts as it by default.\n`);
      await out.write(`Next: strata --home ${result.home} config   (see what is in force)\n`);
    });
}
