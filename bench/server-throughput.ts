/**
 * `strata serve` under load on loopback, at a few concurrency levels:
 *
 *   cached query   — submit a statement whose identical twin has a stored result (result reuse),
 *                    poll until it finished, fetch its page: the whole client round trip;
 *   uncached query — the same round trip for a small query that must run (reuse off);
 *   table load     — GET /v1/namespaces/{ns}/tables/{t} over the Iceberg REST API (autocannon).
 *
 * Requests (round trips) per second and latency percentiles. The server runs in this process;
 * the clients are fetch loops (queries) and autocannon (table load) on the same 2 cores, so the
 * absolute numbers are a floor; the ratios between rows are what to read.
 */
import { join } from 'node:path';
import autocannon from 'autocannon';
import { openStrataHome } from '../src/catalog/index.ts';
import { DuckDbEngine } from '../src/engine/index.ts';
import { bootstrapAdmin, openGovernance } from '../src/governance/index.ts';
import { startServer } from '../src/server/index.ts';
import { SqlSession } from '../src/sql/index.ts';
import { now, percentile } from './stats.ts';

export interface ThroughputRow {
  readonly scenario: string;
  readonly concurrency: number;
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly errors: number;
}

export interface ServerThroughputResult {
  readonly rows: readonly ThroughputRow[];
  readonly tableRows: number;
}

export async function serverThroughput(dir: string, levels: readonly number[], requestsPerLevel: number, loadSeconds: number): Promise<ServerThroughputResult> {
  const homeDir = join(dir, 'server-home');
  const tableRows = 100_000;
  const token = await prepareHome(homeDir, tableRows);
  const server = await startServer({ home: homeDir, port: 0, logLevel: 'silent', poolSize: 4 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const roundTrip = async (sql: string, reuse: boolean): Promise<boolean> => {
    const submitted = (await (await fetch(`${server.url}/api/v1/queries`, { method: 'POST', headers, body: JSON.stringify({ sql, reuse }) })).json()) as { id: string; state: string };
    let state = submitted.state;
    for (let wait = 2; !['succeeded', 'failed', 'cancelled'].includes(state); wait = Math.min(wait * 2, 50)) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      state = ((await (await fetch(`${server.url}/api/v1/queries/${submitted.id}`, { headers })).json()) as { state: string }).state;
    }
    if (state !== 'succeeded') return false;
    const page = await fetch(`${server.url}/api/v1/queries/${submitted.id}/results?format=json`, { headers });
    await page.arrayBuffer();
    return page.ok;
  };
  const rows: ThroughputRow[] = [];
  try {
    const cachedSql = 'SELECT region, count(*) AS n, sum(amount) AS total FROM bench.events GROUP BY region ORDER BY region';
    await roundTrip(cachedSql, true); // stores the result the cached scenario reuses
    for (const concurrency of levels) {
      rows.push(await loop('cached query (result reuse)', concurrency, requestsPerLevel, () => roundTrip(cachedSql, true)));
      let n = 0;
      rows.push(await loop('uncached small query', concurrency, requestsPerLevel, () => roundTrip(`SELECT count(*) FROM bench.events WHERE id < ${(n++ % 1000) * 100}`, false)));
      rows.push(await tableLoad(server.url, token, concurrency, loadSeconds));
    }
  } finally {
    await server.close();
  }
  return { rows, tableRows };
}

async function prepareHome(homeDir: string, tableRows: number): Promise<string> {
  const home = await openStrataHome(homeDir);
  try {
    const governance = await openGovernance(home.catalog);
    await bootstrapAdmin(governance.identity);
    const token = (await governance.identity.createToken('admin')).token;
    await governance.close();
    const engine = DuckDbEngine.create(home.runtime);
    const session = await SqlSession.open({ catalog: home.catalog, engine });
    await session.execute('CREATE DATABASE bench');
    await session.execute(`CREATE TABLE bench.events AS SELECT range AS id, 'r' || (range % 7) AS region, (range % 100) * 1.5 AS amount FROM range(${tableRows})`);
    await session.close();
    await engine.close();
    return token;
  } finally {
    await home.close();
  }
}

async function loop(scenario: string, concurrency: number, total: number, op: () => Promise<boolean>): Promise<ThroughputRow> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t0 = now();
        const ok = await op().catch(() => false);
        latencies.push(now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (now() - started) / 1000;
  return { scenario, concurrency, requests: latencies.length, perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), errors };
}

async function tableLoad(url: string, token: string, concurrency: number, seconds: number): Promise<ThroughputRow> {
  const result = await autocannon({
    url: `${url}/v1/namespaces/bench/tables/events`,
    headers: { authorization: `Bearer ${token}` },
    connections: concurrency,
    duration: seconds,
  });
  return {
    scenario: 'table load (Iceberg REST)',
    concurrency,
    requests: result.requests.total,
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p95: result.latency.p97_5,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}
