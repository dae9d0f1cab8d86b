/**
 * The dependency graph of a pipeline, derived from the definition alone: a step runs after
 *   - every step in its `dependsOn`,
 *   - the step that writes a table it reads (a SQL/function step's inputs, a quality step's table,
 *     a publish step's tables).
 * A step reading its own output (an incremental merge reading the current target) is not an edge.
 *
 * Use it for the run order (`order()`), for "what can start now" (`ready()`), and for "what does
 * this failure block / what must re-run" (`downstream()`, `upstream()`).
 *
 * Gotcha: readers of a table do NOT implicitly wait for a quality step on that table; list the
 * check in their `dependsOn` to gate them on it (that keeps a warn-only check from blocking).
 *
 * @example
 *   const dag = new PipelineDag(definition);
 *   for (const id of dag.order()) …
 *   dag.ready(new Set(['ingest'])) // → ['conform']
 */
import { StrataError } from '../../core/index.ts';
import type { PipelineDefinition, StepDefinition } from './pipeline-definition.ts';
import { inputsOf, outputsOf, tableKey } from './step-tables.ts';

export class PipelineDag {
  readonly pipeline: string;
  readonly #steps = new Map<string, StepDefinition>();
  /** Definition order, for stable results. */
  readonly #index = new Map<string, number>();
  readonly #dependencies = new Map<string, string[]>();
  readonly #dependants = new Map<string, string[]>();
  /** Why `from → to` exists, for cycle messages. */
  readonly #reasons = new Map<string, string>();
  readonly #writers = new Map<string, string>();
  readonly #order: readonly string[];

  /**
   * Throws PIPELINE_INVALID when a `dependsOn` names an unknown step or the steps form a cycle
   * (`details.cycle` is the path, first step repeated at the end).
   */
  constructor(definition: PipelineDefinition) {
    this.pipeline = definition.name;
    definition.steps.forEach((step, i) => {
      this.#steps.set(step.id, step);
      this.#index.set(step.id, i);
      this.#dependencies.set(step.id, []);
      this.#dependants.set(step.id, []);
      for (const table of outputsOf(step)) {
        if (!this.#writers.has(tableKey(table))) this.#writers.set(tableKey(table), step.id);
      }
    });
    definition.steps.forEach((step, i) => {
      (step.dependsOn ?? []).forEach((dep, j) => {
        if (!this.#steps.has(dep)) {
          throw new StrataError(
            'PIPELINE_INVALID',
            `Pipeline ${definition.name}: step ${step.id} depends on unknown step "${dep}"; known steps: ${[...this.#steps.keys()].join(', ')}`,
            { pipeline: definition.name, step: step.id, path: `steps[${i}].dependsOn[${j}]` },
          );
        }
        this.#addEdge(dep, step.id, `${step.id} depends on ${dep}`);
      });
      for (const table of inputsOf(step)) {
        const writer = this.#writers.get(tableKey(table));
        if (writer !== undefined) this.#addEdge(writer, step.id, `${step.id} reads ${table} written by ${writer}`);
      }
    });
    this.#order = this.#topologicalOrder();
  }

  /** Step ids in definition order. */
  get stepIds(): readonly string[] {
    return [...this.#steps.keys()];
  }

  step(stepId: string): StepDefinition {
    const step = this.#steps.get(stepId);
    if (step === undefined) {
      throw new StrataError('PIPELINE_INVALID', `Pipeline ${this.pipeline} has no step "${stepId}"`, {
        pipeline: this.pipeline,
        step: stepId,
      });
    }
    return step;
  }

  /** Topological order; among steps free to run, the one defined first comes first. */
  order(): readonly string[] {
    return this.#order;
  }

  /** Direct dependencies of a step, in definition order. */
  dependenciesOf(stepId: string): readonly string[] {
    this.step(stepId);
    return this.#dependencies.get(stepId) ?? [];
  }

  /** Direct dependants of a step, in definition order. */
  dependantsOf(stepId: string): readonly string[] {
    this.step(stepId);
    return this.#dependants.get(stepId) ?? [];
  }

  /** Every step that must succeed before `stepId` (transitive), in run order. */
  upstream(stepId: string): readonly string[] {
    return this.#reach(stepId, this.#dependencies);
  }

  /** Every step that waits on `stepId` (transitive), in run order: what a failure of it blocks. */
  downstream(stepId: string): readonly string[] {
    return this.#reach(stepId, this.#dependants);
  }

  /**
   * Steps that may start now: not done, not excluded (running, failed, skipped …) and with every
   * dependency done. Run order.
   */
  ready(done: ReadonlySet<string>, exclude: ReadonlySet<string> = new Set()): readonly string[] {
    return this.#order.filter(
      (id) => !done.has(id) && !exclude.has(id) && (this.#dependencies.get(id) ?? []).every((dep) => done.has(dep)),
    );
  }

  /** The step that writes `table` in this pipeline, if any. */
  writerOf(table: string): string | undefined {
    return this.#writers.get(tableKey(table));
  }

  /** Tables the step reads (lineage inputs). */
  inputsOf(stepId: string): readonly string[] {
    return inputsOf(this.step(stepId));
  }

  /** Tables the step writes (lineage outputs). */
  outputsOf(stepId: string): readonly string[] {
    return outputsOf(this.step(stepId));
  }

  #addEdge(from: string, to: string, reason: string): void {
    if (from === to) return;
    const deps = this.#dependencies.get(to) ?? [];
    if (deps.includes(from)) return;
    deps.push(from);
    deps.sort((a, b) => this.#position(a) - this.#position(b));
    const dependants = this.#dependants.get(from) ?? [];
    dependants.push(to);
    dependants.sort((a, b) => this.#position(a) - this.#position(b));
    this.#reasons.set(`${from}\u0000${to}`, reason);
  }

  #position(stepId: string): number {
    return this.#index.get(stepId) ?? Number.MAX_SAFE_INTEGER;
  }

  #reach(stepId: string, edges: ReadonlyMap<string, readonly string[]>): readonly string[] {
    this.step(stepId);
    const seen = new Set<string>();
    const pending = [...(edges.get(stepId) ?? [])];
    while (pending.length > 0) {
      const next = pending.pop() as string;
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(...(edges.get(next) ?? []));
    }
    return this.#order.filter((id) => seen.has(id));
  }

  /** Kahn's algorithm, always taking the earliest-defined ready step; reports a cycle when stuck. */
  #topologicalOrder(): readonly string[] {
    const remaining = new Map<string, number>();
    for (const [id, deps] of this.#dependencies) remaining.set(id, deps.length);
    const order: string[] = [];
    const ready = [...remaining].filter(([, n]) => n === 0).map(([id]) => id);
    while (ready.length > 0) {
      ready.sort((a, b) => this.#position(a) - this.#position(b));
      const id = ready.shift() as string;
      order.push(id);
      for (const dependant of this.#dependants.get(id) ?? []) {
        const left = (remaining.get(dependant) ?? 0) - 1;
        remaining.set(dependant, left);
        if (left === 0) ready.push(dependant);
      }
    }
    if (order.length < this.#steps.size) this.#throwCycle(new Set(order));
    return Object.freeze(order);
  }

  #throwCycle(ordered: ReadonlySet<string>): never {
    // Every step left over waits on another left-over step, so walking dependencies from any of
    // them must come back to a step already seen: that loop is the cycle.
    const start = [...this.#steps.keys()].find((id) => !ordered.has(id)) as string;
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let current = start;
    while (!onPath.has(current)) {
      onPath.set(current, path.length);
      path.push(current);
      current = (this.#dependencies.get(current) ?? []).find((id) => !ordered.has(id)) as string;
    }
    // The loop in run direction, starting at its earliest-defined step.
    const loop = path.slice(onPath.get(current) ?? 0).reverse();
    const first = loop.reduce((best, id, i) => (this.#position(id) < this.#position(loop[best] as string) ? i : best), 0);
    const rotated = [...loop.slice(first), ...loop.slice(0, first)];
    const cycle = [...rotated, rotated[0] as string];
    const reasons = cycle.slice(1).map((to, i) => this.#reasons.get(`${cycle[i]}\u0000${to}`) ?? `${to} after ${cycle[i]}`);
    throw new StrataError(
      'PIPELINE_INVALID',
      `Pipeline ${this.pipeline}: steps form a cycle ${cycle.join(' → ')} (${reasons.join('; ')}); remove one of these dependencies`,
      { pipeline: this.pipeline, step: cycle[0], cycle },
    );
  }
}
