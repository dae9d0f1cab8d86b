/**
 * A real `strata serve` for tests: a fresh temporary home with the administrator bootstrapped and
 * a bearer token for it, optional setup on the open home (tables, principals, more tokens) before
 * the server starts, then the server on a free loopback port.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStrataHome, type StrataHome } from '../../catalog/index.ts';
import { bootstrapAdmin, openGovernance, type GovernancePlane } from '../../governance/index.ts';
import { startServer, type ServerOptions, type StrataServer } from '../strata-server.ts';

export interface TestServer {
  readonly server: StrataServer;
  /** The home directory. */
  readonly dir: string;
  /** A bearer token of the administrator `admin`. */
  readonly adminToken: string;
  close(): Promise<void>;
}

export async function startTestServer(
  setup: (home: StrataHome, governance: GovernancePlane) => Promise<void> = async () => Promise.resolve(),
  options: Omit<ServerOptions, 'home'> = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-test-server-'));
  const home = await openStrataHome(dir);
  let adminToken: string;
  try {
    const governance = await openGovernance(home.catalog);
    try {
      await bootstrapAdmin(governance.identity);
      adminToken = (await governance.identity.createToken('admin')).token;
      await setup(home, governance);
    } finally {
      await governance.close();
    }
  } finally {
    await home.close();
  }
  const server = await startServer({ home: dir, port: 0, logLevel: 'warn', duckdb: { threads: 1 }, ...options });
  return {
    server,
    dir,
    adminToken,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
