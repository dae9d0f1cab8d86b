/**
 * Pipelines in YAML: the same definition as `definePipeline`, with snake_case keys, durations as
 * text (`30s`, `5m`, `1h`, `500ms`, `1h30m`, or a number of milliseconds) and SQL / rules either
 * inline or in a file next to the YAML (`sql_file:`, `rules_file:`).
 *
 * Every error is PIPELINE_INVALID and says where: `details.path` is the YAML path
 * (`steps[2].mrge_keys`), `details.line`/`details.column` (1-based) the position, and the message
 * starts with `file:line:column`. Unknown keys are errors with a "did you mean" suggestion, never
 * silently ignored: a misspelt `merge_keys` must not turn a merge into something else.
 *
 * Gotchas:
 * - Function steps exist only in TypeScript (YAML cannot hold code): `kind: function` is an error.
 * - A notification's secret is never written in YAML: use `secret_env: NAME_OF_ENV_VAR`.
 * - A list of one may be written as a plain string (`depends_on: ingest`).
 * - Quote cron expressions that start with `*` (`cron: "*\/5 * * * *"`): a bare `*` is a YAML alias.
 *
 * @example
 *   name: daily_sales
 *   schedule: { cron: "0 2 * * *", timezone: Europe/Berlin }
 *   steps:
 *     - id: conform
 *       kind: sql
 *       inputs: [raw.orders]
 *       output: processed.orders
 *       mode: merge
 *       merge_keys: [order_id]
 *       sql_file: sql/conform.sql
 */
import { parseDuration } from '../../core/duration.ts';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { StrataError, closestName, messageOf } from '../../core/index.ts';
import type { PipelineDefinition } from './pipeline-definition.ts';
import { validatePipeline } from './validate-pipeline.ts';

interface Position {
  readonly line: number;
  readonly column: number;
  /** The YAML path this position belongs to. */
  readonly yamlPath: string;
}

type Converter = (node: Node | null, yamlPath: string, tsPath: string) => unknown;

interface KeySpec {
  /** Property name in the definition (camelCase). */
  readonly ts: string;
  readonly convert: Converter;
}

const COMMON_STEP_KEYS = ['id', 'kind', 'description', 'depends_on', 'retries', 'timeout', 'engine'];
const KIND_KEYS: Record<string, readonly string[]> = {
  sql: ['inputs', 'output', 'sql', 'sql_file', 'mode', 'merge_keys', 'partition_by', 'audit'],
  ingest: ['paths', 'into', 'format', 'schema', 'max_bad_ratio'],
  quality: ['table', 'rules', 'rules_file', 'action', 'ruleset'],
  publish: ['tables'],
};

/**
 * Parses and validates a YAML pipeline. `source` (the file path) makes messages point at the file
 * and anchors `sql_file`/`rules_file` (default: relative to the working directory).
 */
export function parsePipelineYaml(text: string, source?: string): PipelineDefinition {
  return new YamlPipelineReader(text, source).read();
}

class YamlPipelineReader {
  readonly #text: string;
  readonly #source: string | undefined;
  readonly #lines = new LineCounter();
  readonly #positions = new Map<string, Position>();
  #doc: Document | undefined;
  #pipeline: string | undefined;

  constructor(text: string, source: string | undefined) {
    this.#text = text;
    this.#source = source;
  }

  read(): PipelineDefinition {
    const doc = parseDocument(this.#text, { lineCounter: this.#lines, prettyErrors: false, uniqueKeys: true });
    this.#doc = doc;
    const error = doc.errors[0];
    if (error !== undefined) {
      const { line, col } = this.#lines.linePos(error.pos[0]);
      const problem = error.message.split('\n')[0] ?? error.message;
      throw this.#error(`not valid YAML: ${problem}`, { line, column: col, yamlPath: '' });
    }
    const root = this.#deref(doc.contents);
    if (root === null || !isMap(root)) {
      this.#fail('a pipeline file must be a mapping with name and steps', root, '');
    }
    const nameNode = root.items.find((pair) => isScalar(pair.key) && pair.key.value === 'name');
    if (nameNode !== undefined && isScalar(nameNode.value) && typeof nameNode.value.value === 'string') {
      this.#pipeline = nameNode.value.value;
    }
    const definition = this.#object(root, '', '', {
      name: { ts: 'name', convert: this.#string },
      description: { ts: 'description', convert: this.#string },
      schedule: { ts: 'schedule', convert: this.#schedule },
      concurrency: { ts: 'concurrency', convert: this.#number },
      retries: { ts: 'retries', convert: this.#retries },
      timeout: { ts: 'timeoutMs', convert: this.#duration },
      engine: { ts: 'engine', convert: this.#string },
      compute: { ts: 'compute', convert: this.#string },
      notifications: { ts: 'notifications', convert: this.#notifications },
      steps: { ts: 'steps', convert: this.#steps },
    }) as unknown as PipelineDefinition;
    try {
      validatePipeline(definition);
    } catch (error) {
      throw this.#located(error, definition);
    }
    return definition;
  }

  // ── structure ──────────────────────────────────────────────────────────────────────────────

  #object(
    node: Node | null,
    yamlPath: string,
    tsPath: string,
    spec: Record<string, KeySpec>,
    unknownKey?: (key: string, pair: Pair) => void,
  ): Record<string, unknown> {
    const map = this.#deref(node);
    if (map === null || !isMap(map)) this.#fail(`${yamlPath || 'the document'} must be a mapping (key: value)`, map, yamlPath);
    const result: Record<string, unknown> = {};
    for (const pair of map.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : undefined;
      const childYaml = join(yamlPath, key ?? '?');
      if (key === undefined) this.#fail(`${yamlPath || 'the document'} has a key that is not a plain name`, keyNode, childYaml);
      const keySpec = Object.hasOwn(spec, key) ? spec[key] : undefined;
      if (keySpec === undefined) {
        unknownKey?.(key, pair);
        const suggestion = closestName(key, Object.keys(spec));
        this.#fail(
          `unknown key "${key}" at ${childYaml}${suggestion ? `; did you mean "${suggestion}"?` : ''} Valid keys here: ${Object.keys(spec).join(', ')}`,
          keyNode,
          childYaml,
          suggestion === undefined ? { key } : { key, suggestion },
        );
      }
      const childTs = join(tsPath, keySpec.ts);
      this.#remember(childTs, keyNode, childYaml);
      const value = keySpec.convert(this.#deref(pair.value as Node | null), childYaml, childTs);
      if (value !== undefined) {
        if (Object.hasOwn(result, keySpec.ts)) {
          this.#fail(`${childYaml} gives ${keySpec.ts} a second time (inline and from a file?); keep one`, keyNode, childYaml);
        }
        result[keySpec.ts] = value;
      }
    }
    return result;
  }

  #list<T>(node: Node | null, yamlPath: string, tsPath: string, item: (node: Node | null, yamlPath: string, tsPath: string) => T): T[] {
    if (node === null) this.#fail(`${yamlPath} needs a value`, node, yamlPath);
    if (!isSeq(node)) this.#fail(`${yamlPath} must be a list`, node, yamlPath);
    return node.items.map((child, i) => {
      const childNode = this.#deref(child as Node | null);
      const childYaml = `${yamlPath}[${i}]`;
      const childTs = `${tsPath}[${i}]`;
      this.#remember(childTs, childNode, childYaml);
      return item(childNode, childYaml, childTs);
    });
  }

  #steps = (node: Node | null, yamlPath: string, tsPath: string): unknown[] =>
    this.#list(node, yamlPath, tsPath, (step, stepYaml, stepTs) => this.#step(step, stepYaml, stepTs));

  #step(node: Node | null, yamlPath: string, tsPath: string): Record<string, unknown> {
    if (node === null || !isMap(node)) this.#fail(`${yamlPath} must be a mapping with id and kind`, node, yamlPath);
    const kindPair = node.items.find((pair) => isScalar(pair.key) && pair.key.value === 'kind');
    const kindNode = this.#deref((kindPair?.value ?? null) as Node | null);
    const kind = isScalar(kindNode) ? kindNode.value : undefined;
    const kinds = Object.keys(KIND_KEYS);
    if (kindPair === undefined) {
      this.#fail(`${yamlPath} needs kind: one of ${kinds.join(', ')}`, node, yamlPath);
    }
    if (kind === 'function') {
      this.#fail(
        `${yamlPath}: function steps exist only in TypeScript pipelines (YAML cannot hold code); define this pipeline with definePipeline in a .ts file, or use kind sql`,
        kindNode,
        `${yamlPath}.kind`,
      );
    }
    if (typeof kind !== 'string' || !Object.hasOwn(KIND_KEYS, kind)) {
      const suggestion = typeof kind === 'string' ? closestName(kind, kinds) : undefined;
      this.#fail(
        `${yamlPath}.kind ${JSON.stringify(kind)} is not one of ${kinds.join(', ')}${suggestion ? `; did you mean ${suggestion}?` : ''}`,
        kindNode,
        `${yamlPath}.kind`,
      );
    }
    const allowed = [...COMMON_STEP_KEYS, ...(KIND_KEYS[kind] ?? [])];
    const all: Record<string, KeySpec> = {
      id: { ts: 'id', convert: this.#string },
      kind: { ts: 'kind', convert: this.#string },
      description: { ts: 'description', convert: this.#string },
      depends_on: { ts: 'dependsOn', convert: this.#strings },
      retries: { ts: 'retries', convert: this.#retries },
      timeout: { ts: 'timeoutMs', convert: this.#duration },
      engine: { ts: 'engine', convert: this.#string },
      inputs: { ts: 'inputs', convert: this.#strings },
      output: { ts: 'output', convert: this.#string },
      sql: { ts: 'sql', convert: this.#string },
      sql_file: { ts: 'sql', convert: this.#file },
      mode: { ts: 'mode', convert: this.#string },
      merge_keys: { ts: 'mergeKeys', convert: this.#strings },
      partition_by: { ts: 'partitionBy', convert: this.#strings },
      audit: { ts: 'audit', convert: this.#audit },
      paths: { ts: 'paths', convert: this.#strings },
      into: { ts: 'into', convert: this.#string },
      format: { ts: 'format', convert: this.#string },
      schema: { ts: 'schema', convert: this.#string },
      max_bad_ratio: { ts: 'maxBadRatio', convert: this.#number },
      table: { ts: 'table', convert: this.#string },
      rules: { ts: 'rules', convert: this.#string },
      rules_file: { ts: 'rules', convert: this.#file },
      action: { ts: 'action', convert: this.#string },
      ruleset: { ts: 'ruleset', convert: this.#string },
      tables: { ts: 'tables', convert: this.#strings },
    };
    const spec = Object.fromEntries(allowed.map((key) => [key, all[key] as KeySpec]));
    return this.#object(node, yamlPath, tsPath, spec, (key, pair) => {
      if (Object.hasOwn(all, key)) {
        this.#fail(
          `${join(yamlPath, key)}: "${key}" does not apply to a ${kind} step (it takes ${allowed.join(', ')})`,
          pair.key as Node,
          join(yamlPath, key),
          { key },
        );
      }
    });
  }

  #retries = (node: Node | null, yamlPath: string, tsPath: string): unknown =>
    this.#object(node, yamlPath, tsPath, {
      max_attempts: { ts: 'maxAttempts', convert: this.#number },
      initial_delay: { ts: 'initialDelayMs', convert: this.#duration },
      max_delay: { ts: 'maxDelayMs', convert: this.#duration },
      multiplier: { ts: 'multiplier', convert: this.#number },
      retry_on: { ts: 'retryOn', convert: this.#strings },
    });

  #schedule = (node: Node | null, yamlPath: string, tsPath: string): unknown =>
    this.#object(node, yamlPath, tsPath, {
      cron: { ts: 'cron', convert: this.#string },
      timezone: { ts: 'timezone', convert: this.#string },
      catchup: { ts: 'catchup', convert: this.#boolean },
    });

  #audit = (node: Node | null, yamlPath: string, tsPath: string): unknown =>
    this.#object(node, yamlPath, tsPath, {
      rules: { ts: 'rules', convert: this.#string },
      rules_file: { ts: 'rules', convert: this.#file },
      action: { ts: 'action', convert: this.#string },
      where: { ts: 'where', convert: this.#string },
      ruleset: { ts: 'ruleset', convert: this.#string },
    });

  #notifications = (node: Node | null, yamlPath: string, tsPath: string): unknown =>
    this.#list(node, yamlPath, tsPath, (item, itemYaml, itemTs) =>
      this.#object(
        item,
        itemYaml,
        itemTs,
        {
          url: { ts: 'url', convert: this.#string },
          secret_env: { ts: 'secretEnv', convert: this.#string },
          events: { ts: 'events', convert: this.#strings },
        },
        (key, pair) => {
          if (key === 'secret') {
            this.#fail(
              `${itemYaml}.secret: secrets do not belong in pipeline files; put it in an environment variable and write secret_env: ITS_NAME`,
              pair.key as Node,
              `${itemYaml}.secret`,
            );
          }
        },
      ),
    );

  // ── scalars ────────────────────────────────────────────────────────────────────────────────

  #string = (node: Node | null, yamlPath: string): string => {
    if (!isScalar(node) || typeof node.value !== 'string') {
      this.#fail(`${yamlPath} must be text${this.#got(node)}`, node, yamlPath);
    }
    return node.value;
  };

  #number = (node: Node | null, yamlPath: string): number => {
    if (!isScalar(node) || typeof node.value !== 'number') this.#fail(`${yamlPath} must be a number${this.#got(node)}`, node, yamlPath);
    return node.value;
  };

  #boolean = (node: Node | null, yamlPath: string): boolean => {
    if (!isScalar(node) || typeof node.value !== 'boolean') this.#fail(`${yamlPath} must be true or false${this.#got(node)}`, node, yamlPath);
    return node.value;
  };

  #strings = (node: Node | null, yamlPath: string, tsPath: string): string[] => {
    if (isScalar(node) && typeof node.value === 'string') return [node.value];
    return this.#list(node, yamlPath, tsPath, (item, itemYaml) => this.#string(item, itemYaml));
  };

  #duration = (node: Node | null, yamlPath: string): number => {
    const value = isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? parseDuration(node.value) : undefined;
    if (value === undefined) {
      this.#fail(`${yamlPath} must be a duration such as 500ms, 30s, 5m, 1h or a number of milliseconds${this.#got(node)}`, node, yamlPath);
    }
    return value;
  };

  /** Reads a file named relative to the YAML file's directory. */
  #file = (node: Node | null, yamlPath: string): string => {
    const name = this.#string(node, yamlPath);
    const base = this.#source === undefined ? process.cwd() : dirname(resolve(this.#source));
    const path = resolve(base, name);
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      return this.#fail(`${yamlPath}: cannot read ${name} (${path}): ${messageOf(error)}`, node, yamlPath, { file: path });
    }
  };

  #got(node: Node | null): string {
    if (node === null) return ', got nothing';
    if (isScalar(node)) return `, got ${JSON.stringify(node.value)}`;
    return isSeq(node) ? ', got a list' : ', got a mapping';
  }

  // ── positions and errors ───────────────────────────────────────────────────────────────────

  #deref(node: Node | null | undefined): Node | null {
    if (node === undefined || node === null) return null;
    if (isAlias(node) && this.#doc !== undefined) return (node.resolve(this.#doc) as Node | undefined) ?? null;
    return node;
  }

  #remember(tsPath: string, node: Node | null, yamlPath: string): void {
    const position = this.#positionOf(node, yamlPath);
    if (position !== undefined) this.#positions.set(tsPath, position);
  }

  #positionOf(node: Node | null | undefined, yamlPath: string): Position | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.#lines.linePos(offset);
    return { line, column: col, yamlPath };
  }

  #fail(problem: string, node: Node | null | undefined, yamlPath: string, extra: Record<string, unknown> = {}): never {
    throw this.#error(problem, this.#positionOf(node, yamlPath) ?? { line: 1, column: 1, yamlPath }, extra);
  }

  #error(problem: string, at: Position, extra: Record<string, unknown> = {}): StrataError {
    const where = `${this.#source ?? 'pipeline.yaml'}:${at.line}:${at.column}`;
    return new StrataError('PIPELINE_INVALID', `${where}: ${problem}`, {
      ...(this.#pipeline === undefined ? {} : { pipeline: this.#pipeline }),
      path: at.yamlPath,
      line: at.line,
      column: at.column,
      ...(this.#source === undefined ? {} : { source: this.#source }),
      ...extra,
    });
  }

  /** A validation error with the YAML position of its path (or of its step) added. */
  #located(error: unknown, definition: PipelineDefinition): unknown {
    if (!StrataError.is(error, 'PIPELINE_INVALID')) return error;
    let path = typeof error.details.path === 'string' ? error.details.path : undefined;
    if (path === undefined && typeof error.details.step === 'string') {
      const index = definition.steps.findIndex((s) => s.id === error.details.step);
      if (index >= 0) path = `steps[${index}]`;
    }
    let position: Position | undefined;
    while (path !== undefined && path !== '' && position === undefined) {
      position = this.#positions.get(path);
      path = parentPath(path);
    }
    if (position === undefined) return error;
    const where = `${this.#source ?? 'pipeline.yaml'}:${position.line}:${position.column}`;
    return new StrataError(
      'PIPELINE_INVALID',
      `${where}: ${error.message}`,
      {
        ...error.details,
        path: position.yamlPath,
        line: position.line,
        column: position.column,
        ...(this.#source === undefined ? {} : { source: this.#source }),
      },
      { cause: error },
    );
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** `steps[2].mergeKeys[0]` → `steps[2].mergeKeys` → `steps[2]` → `steps` → undefined. */
function parentPath(path: string): string | undefined {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? undefined : path.slice(0, cut);
}

export { parseDuration };
