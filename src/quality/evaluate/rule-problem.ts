/**
 * A problem with one rule (unknown column, wrong column type, a reference dataset that cannot be
 * resolved, SQL the engine refused): the rule's outcome becomes `error` with this message and the
 * other rules still evaluate. Never escapes `evaluateRuleset`.
 */
export class RuleProblem extends Error {
  override readonly name = 'RuleProblem';
}
