// The pipeline plane: DAG definitions (TypeScript and YAML), schedules, persisted runs, and the runner.
export * from './definition/index.ts';
export * from './schedule/index.ts';
export * from './runs/index.ts';
export * from './runner/index.ts';
