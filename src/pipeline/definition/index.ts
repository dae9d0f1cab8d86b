/** Pipeline definitions: the shape, TypeScript and YAML front ends, validation, DAG, templates, versions. */
export type {
  AuditGate,
  FunctionStep,
  FunctionStepContext,
  GateAction,
  IngestStep,
  NotificationTarget,
  PipelineDefinition,
  PublishStep,
  QualityStep,
  RetryPolicy,
  ScheduleDefinition,
  SqlStep,
  StepDefinition,
  StepEngine,
  StepKind,
  WriteMode,
} from './pipeline-definition.ts';
export { definePipeline, deepFreeze } from './define-pipeline.ts';
export { parseDuration, parsePipelineYaml } from './pipeline-yaml.ts';
export { checkInputs, validatePipeline } from './validate-pipeline.ts';
export { PipelineDag } from './pipeline-dag.ts';
export { inputsOf, outputsOf, tableKey } from './step-tables.ts';
export {
  TEMPLATE_VARIABLES,
  addDays,
  isIsoDate,
  renderTemplate,
  templateVariables,
  type TemplateVariable,
  type TemplateVars,
} from './templates.ts';
export { canonicalDefinition, definitionFromCanonical, versionOf } from './pipeline-version.ts';
export { loadPipelineFile, type LoadedPipeline } from './load-pipeline-file.ts';
