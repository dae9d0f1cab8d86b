/** The server section of BENCHMARKS.md: round trips per second and latency at a few concurrency levels. */
import type { ServerThroughputResult } from './server-throughput.ts';
import { markdownTable, ms } from './stats.ts';

export function serverSection(r: ServerThroughputResult): string[] {
  const rows = r.rows.map((row) => [row.scenario, String(row.concurrency), String(row.requests), row.perSecond.toFixed(0), ms(row.p50), ms(row.p95), ms(row.p99), String(row.errors)]);
  return [
    '## (g) Server: requests per second and latency',
    '',
    `Method: \`strata serve\` in this process on loopback over a ${r.tableRows.toLocaleString('en-US')}-row table, clients on the same 2 cores.`,
    '*cached query* = submit a statement an identical earlier query already answered (result reuse), poll until it finished,',
    'fetch its page: one client round trip of three or more HTTP requests; *uncached small query* = the same round trip for a',
    'small query that must run (reuse off); *table load* = `GET /v1/namespaces/bench/tables/events` over the Iceberg REST API',
    '(autocannon, p95 column is its p97.5). Latency in ms.',
    '',
    markdownTable(['scenario', 'clients', 'round trips', 'per second', 'p50', 'p95', 'p99', 'errors'], rows),
    '',
  ];
}

export function serverHeadline(r: ServerThroughputResult): string[] {
  const best = (scenario: string): number => Math.max(0, ...r.rows.filter((row) => row.scenario.startsWith(scenario)).map((row) => row.perSecond));
  return [`- Server: up to ${best('cached').toFixed(0)} cached-query round trips/s, ${best('uncached').toFixed(0)} uncached small-query round trips/s, ${best('table load').toFixed(0)} Iceberg REST table loads/s.`];
}
