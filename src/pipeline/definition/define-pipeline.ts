/**
 * The TypeScript way to write a pipeline: `export default definePipeline({ … })` in a
 * `pipelines/*.ts` file. The `const` type parameter keeps step ids and kinds as literal types, so
 * editors complete and check them; the definition is validated here (a typo fails at import, not
 * at 2 a.m.) and returned deeply frozen so nothing changes it after its version is computed.
 *
 * @example
 *   export default definePipeline({
 *     name: 'daily_sales',
 *     steps: [{ id: 'conform', kind: 'sql', inputs: ['raw.orders'], output: 'processed.orders',
 *               mode: 'append', sql: "SELECT * FROM raw.orders WHERE order_date = DATE '{{ ds }}'" }],
 *   });
 */
import type { PipelineDefinition } from './pipeline-definition.ts';
import { validatePipeline } from './validate-pipeline.ts';

/** Validates (PIPELINE_INVALID on any problem) and returns the same definition, deeply frozen. */
export function definePipeline<const T extends PipelineDefinition>(definition: T): T {
  validatePipeline(definition);
  return deepFreeze(definition);
}

/** Freezes plain objects and arrays recursively; functions (a step's `run`) are left alone. */
export function deepFreeze<T>(value: T, seen: WeakSet<object> = new WeakSet()): T {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  for (const child of Object.values(value)) deepFreeze(child, seen);
  return Object.freeze(value);
}
