/**
 * Evaluates a parsed DQDL ruleset against a dataset in as few SQL passes as possible:
 *
 * 1. every rule (and analyzer) is compiled: dynamic values are resolved through `context.history`,
 *    dataset-level aggregates are registered in one shared aggregate pass, GROUP BY metrics in one
 *    shared grouped pass (see pass-plan.ts);
 * 2. the shared passes run (at most two statements for all primary-dataset rules);
 * 3. each rule finishes: reference-dataset rules and CustomSql run their own statement here, then
 *    the observed value is checked against the condition.
 *
 * One bad rule (unknown column, SQL the engine refuses, unresolvable reference) ends in outcome
 * `error` with a message; the others still evaluate. Nothing here throws for a rule's problem.
 *
 * @example
 *   const result = await evaluateRuleset(parseDqdl('Rules = [ RowCount > 0, IsComplete "id" ]'), {
 *     dataset: { relation: 'sales.orders', columns },
 *     run: async (sql) => (await conn.runAndReadAll(sql)).getRows(),
 *   });
 *   result.passed; result.passes; // true, 1
 */
import { messageOf } from '../../core/index.ts';
import type { CompositeRule, RuleCall, RuleNode, RuleType, Ruleset } from '../dqdl/ast.ts';
import { checkNumber, formatMetric } from './check-condition.ts';
import { COLUMN_RULE_COMPILERS } from './compile-column-rules.ts';
import { CUSTOM_SQL_COMPILERS } from './compile-custom-sql.ts';
import { GROUPED_RULE_COMPILERS } from './compile-grouped-rules.ts';
import { REFERENCE_RULE_COMPILERS } from './compile-reference-rules.ts';
import type { EvaluationContext, RuleResult, RulesetResult } from './evaluation.ts';
import { metricKeyOf } from './metric-keys.ts';
import { PassPlan, type PlanResult, type Runner } from './pass-plan.ts';
import { resolveCondition, type ResolvedCondition } from './resolve-condition.ts';
import type { Finish, Measurement, RuleCompiler } from './rule-compiler.ts';

const COMPILERS: Readonly<Record<RuleType, RuleCompiler>> = {
  ...COLUMN_RULE_COMPILERS,
  ...GROUPED_RULE_COMPILERS,
  ...REFERENCE_RULE_COMPILERS,
  ...CUSTOM_SQL_COMPILERS,
};

interface PreparedCall {
  readonly kind: 'call';
  readonly call: RuleCall;
  readonly owner: number;
  readonly metricKey: string;
  readonly condition?: ResolvedCondition;
  readonly noHistory: boolean;
  readonly finish?: Finish;
  readonly problem?: string;
}

interface PreparedComposite {
  readonly kind: 'composite';
  readonly node: CompositeRule;
  readonly operands: readonly PreparedNode[];
}

type PreparedNode = PreparedCall | PreparedComposite;

export async function evaluateRuleset(ruleset: Ruleset, context: EvaluationContext): Promise<RulesetResult> {
  let passes = 0;
  const run: Runner = async (sql) => {
    passes++;
    return context.run(sql);
  };
  const now = context.now?.() ?? new Date();
  const plan = new PassPlan(context.dataset.relation);
  let owners = 0;

  const prepareCall = async (call: RuleCall, analyzer: boolean): Promise<PreparedCall> => {
    const owner = owners++;
    const metricKey = metricKeyOf(call);
    const base = { kind: 'call' as const, call, owner, metricKey };
    try {
      const env = { metricKey, now, ...(context.history === undefined ? {} : { history: context.history }) };
      const condition = !analyzer && call.condition !== undefined ? await resolveCondition(call.condition, env) : undefined;
      const threshold = !analyzer && call.threshold !== undefined ? await resolveCondition(call.threshold, env) : undefined;
      const noHistory = (condition?.noHistory ?? false) || (threshold?.noHistory ?? false);
      const finish = await COMPILERS[call.ruleType]({
        rule: call,
        owner,
        dataset: context.dataset,
        plan,
        run,
        ...(context.relationOf === undefined ? {} : { relationOf: context.relationOf }),
        now,
        metricKey,
        ...(condition === undefined ? {} : { condition: condition.condition }),
        ...(threshold === undefined ? {} : { threshold: threshold.condition }),
        analyzer,
      });
      return { ...base, noHistory, finish, ...(condition === undefined ? {} : { condition: condition.condition }) };
    } catch (error) {
      return { ...base, noHistory: false, problem: messageOf(error) };
    }
  };

  const prepareNode = async (node: RuleNode): Promise<PreparedNode> => {
    if (node.kind === 'rule') return prepareCall(node, false);
    const operands: PreparedNode[] = [];
    for (const operand of node.operands) operands.push(await prepareNode(operand));
    return { kind: 'composite', node, operands };
  };

  const rules: PreparedNode[] = [];
  for (const node of ruleset.rules) rules.push(await prepareNode(node));
  const analyzers: PreparedCall[] = [];
  for (const call of ruleset.analyzers) analyzers.push(await prepareCall(call, true));

  const shared = await plan.execute(run);

  const results: RuleResult[] = [];
  for (const node of rules) results.push(await settleNode(node, shared));
  const metrics: Record<string, number> = {};
  for (const result of results) Object.assign(metrics, result.metrics);
  const analyzerErrors: { analyzer: string; message: string }[] = [];
  for (const analyzer of analyzers) {
    const result = await settleCall(analyzer, shared);
    Object.assign(metrics, result.metrics);
    if (result.outcome === 'error') analyzerErrors.push({ analyzer: analyzer.call.text, message: result.message ?? 'error' });
  }
  return {
    rules: results,
    metrics,
    passed: results.every((r) => r.outcome === 'passed'),
    passes,
    ...(analyzerErrors.length === 0 ? {} : { analyzerErrors }),
  };
}

async function settleNode(node: PreparedNode, shared: PlanResult): Promise<RuleResult> {
  if (node.kind === 'call') return settleCall(node, shared);
  const operands: RuleResult[] = [];
  for (const operand of node.operands) operands.push(await settleNode(operand, shared));
  return combine(node.node, operands);
}

async function settleCall(prepared: PreparedCall, shared: PlanResult): Promise<RuleResult> {
  const { call } = prepared;
  const base = { rule: call.text, ruleType: call.ruleType, position: call.position, metricKey: prepared.metricKey };
  const error = (message: string): RuleResult => ({ ...base, outcome: 'error', metrics: {}, message });
  if (prepared.problem !== undefined) return error(prepared.problem);
  const failure = shared.failures.get(prepared.owner);
  if (failure !== undefined) return error(`The engine refused this rule's SQL: ${failure}`);
  if (prepared.finish === undefined) return error('rule was not compiled');
  let m: Measurement;
  try {
    m = await prepared.finish(shared.values);
  } catch (e) {
    return error(messageOf(e));
  }
  const measured = { ...base, metrics: m.metrics, ...(m.observed === undefined ? {} : { observed: m.observed }) };
  if (prepared.noHistory) {
    return {
      ...measured,
      outcome: 'passed',
      message: `No history for ${prepared.metricKey} yet: the dynamic rule passes on its first evaluations, as in Glue`,
    };
  }
  const rows = m.passingRows === undefined ? {} : { passingRows: m.passingRows };
  const note = m.note === undefined ? '' : ` ${m.note}`;
  if (m.verdict !== undefined) {
    const message = m.verdict.message === undefined ? {} : { message: m.verdict.message + note };
    return { ...measured, ...rows, outcome: m.verdict.passed ? 'passed' : 'failed', ...message };
  }
  if (prepared.condition === undefined) {
    // Analyzers and the boolean rules that decide without a condition end here.
    return { ...measured, ...rows, outcome: 'passed' };
  }
  if (m.observed === undefined) {
    return { ...measured, ...rows, outcome: 'failed', message: 'Value: NULL does not meet the constraint requirement! (no value to check: no rows, or only NULLs)' };
  }
  try {
    return checkNumber(m.observed, prepared.condition)
      ? { ...measured, ...rows, outcome: 'passed' }
      : { ...measured, ...rows, outcome: 'failed', message: `Value: ${formatMetric(m.observed)} does not meet the constraint requirement!${note}` };
  } catch (e) {
    return { ...measured, outcome: 'error', message: messageOf(e) };
  }
}

/**
 * `and`: failed if any operand failed, else error if any errored, else passed. `or`: passed if any
 * operand passed, else error if any errored, else failed. A composite has no observed value; its
 * metrics are its operands'; it is row-level when every operand is.
 */
function combine(node: CompositeRule, operands: readonly RuleResult[]): RuleResult {
  const outcomes = operands.map((o) => o.outcome);
  const outcome =
    node.operator === 'and'
      ? outcomes.includes('failed') ? 'failed' : outcomes.includes('error') ? 'error' : 'passed'
      : outcomes.includes('passed') ? 'passed' : outcomes.includes('error') ? 'error' : 'failed';
  const metrics: Record<string, number> = {};
  for (const o of operands) Object.assign(metrics, o.metrics);
  const predicates = operands.map((o) => o.passingRows);
  const passingRows = predicates.every((p): p is string => p !== undefined)
    ? `(${predicates.map((p) => `coalesce(${p}, false)`).join(node.operator === 'and' ? ' AND ' : ' OR ')})`
    : undefined;
  const notPassed = operands.filter((o) => o.outcome !== 'passed');
  const message =
    outcome === 'passed' ? undefined : notPassed.map((o) => `(${o.rule}) ${o.outcome}: ${o.message ?? ''}`.trim()).join('; ');
  return {
    rule: node.text,
    ruleType: 'composite',
    outcome,
    metrics,
    position: node.position,
    ...(message === undefined ? {} : { message }),
    ...(passingRows === undefined ? {} : { passingRows }),
  };
}
