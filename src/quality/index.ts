// The data-quality plane: DQDL rulesets (parse), their evaluation as SQL passes, checks of Strata
// tables with results kept in system.quality_results, failing rows and quarantine.
export * from './dqdl/index.ts';
export * from './evaluate/index.ts';
export * from './check/index.ts';
export * from './results/index.ts';
