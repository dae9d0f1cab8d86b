/**
 * DuckDB's built-in function names, the allowlist the query inspector checks calls against: a
 * macro or user-defined function (`internal = false`) could read a table behind the rewrite.
 */
import type { Engine } from '../../engine/index.ts';

const cache = new WeakMap<Engine, Promise<ReadonlySet<string>>>();

export function builtinFunctions(engine: Engine): Promise<ReadonlySet<string>> {
  let names = cache.get(engine);
  if (!names) {
    names = load(engine);
    cache.set(engine, names);
    names.catch(() => cache.delete(engine));
  }
  return names;
}

async function load(engine: Engine): Promise<ReadonlySet<string>> {
  const result = await engine.query('SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE internal');
  const names = new Set<string>();
  for await (const batch of result) for (const row of batch) names.add(String(row[0]));
  return names;
}
