/**
 * DuckDB's built-in function names, the allowlist the query inspector checks calls against: a
 * macro or user-defined function (`internal = false`) could read a table behind the rewrite.
 *
 * The names are DuckDB's whichever engine runs the query, because DuckDB's parser reads every
 * statement: on Spark they come from an embedded in-memory DuckDB (one per process), not from the
 * engine, so a Spark-only function (`reflect`, `java_method`, `input_file_name`) is refused unless
 * DuckDB has one of that name.
 */
import { DuckDbEngine, type Engine } from '../../engine/index.ts';
import { DuckDbRuntime } from '../../table/index.ts';

const cache = new WeakMap<Engine, Promise<ReadonlySet<string>>>();
let parserNames: Promise<ReadonlySet<string>> | undefined;

export function builtinFunctions(engine: Engine): Promise<ReadonlySet<string>> {
  if (engine.name !== 'duckdb') return parserFunctions();
  let names = cache.get(engine);
  if (!names) {
    names = load(engine);
    cache.set(engine, names);
    names.catch(() => cache.delete(engine));
  }
  return names;
}

/** The built-ins of the DuckDB that parses statements for a non-DuckDB engine. */
function parserFunctions(): Promise<ReadonlySet<string>> {
  if (!parserNames) {
    parserNames = (async () => {
      const runtime = await DuckDbRuntime.create({ threads: 1 });
      const engine = DuckDbEngine.create(runtime, { poolSize: 1 });
      try {
        return await load(engine);
      } finally {
        await engine.close();
        runtime.close();
      }
    })();
    parserNames.catch(() => {
      parserNames = undefined;
    });
  }
  return parserNames;
}

async function load(engine: Engine): Promise<ReadonlySet<string>> {
  const result = await engine.query('SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE internal');
  const names = new Set<string>();
  for await (const batch of result) for (const row of batch) names.add(String(row[0]));
  return names;
}
