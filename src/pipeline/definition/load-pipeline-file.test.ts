import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StrataError } from '../../core/index.ts';
import { loadPipelineFile } from './load-pipeline-file.ts';

const definePipelineUrl = pathToFileURL(join(import.meta.dirname, 'define-pipeline.ts')).href;

describe('loadPipelineFile', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-load-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('YAML', async () => {
    const path = join(dir, 'a.yml');
    await writeFile(path, 'name: from_yaml\nsteps:\n  - { id: p, kind: ingest, paths: [x], into: r.x }\n');
    const { definition, source } = await loadPipelineFile(path);
    assert.equal(definition.name, 'from_yaml');
    assert.equal(source, path);
  });

  test('TypeScript default export through definePipeline, with a function step', async () => {
    const path = join(dir, 'b.ts');
    await writeFile(
      path,
      `import { definePipeline } from ${JSON.stringify(definePipelineUrl)};
       export default definePipeline({ name: 'from_ts', steps: [{ id: 'f', kind: 'function', run: async () => {} }] });`,
    );
    const { definition } = await loadPipelineFile(path);
    assert.equal(definition.name, 'from_ts');
    assert.equal(definition.steps[0]?.kind, 'function');
  });

  test('a named `pipeline` export of a plain object is validated', async () => {
    const good = join(dir, 'c.mjs');
    await writeFile(good, `export const pipeline = { name: 'named', steps: [{ id: 'p', kind: 'ingest', paths: ['x'], into: 'r.x' }] };`);
    assert.equal((await loadPipelineFile(good)).definition.name, 'named');
    const bad = join(dir, 'd.mjs');
    await writeFile(bad, `export default { name: 'bad', steps: [{ id: 'p', kind: 'sql', inputs: [], output: 'r.x', mode: 'merge', sql: 'SELECT 1' }] };`);
    await assert.rejects(loadPipelineFile(bad), (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID') && e.details.path === 'steps[0].mergeKeys');
  });

  test('an edited module is re-imported, not served from the module cache', async () => {
    const path = join(dir, 'e.mjs');
    await writeFile(path, `export default { name: 'first', steps: [{ id: 'p', kind: 'ingest', paths: ['x'], into: 'r.x' }] };`);
    assert.equal((await loadPipelineFile(path)).definition.name, 'first');
    await writeFile(path, `export default { name: 'second_version', steps: [{ id: 'p', kind: 'ingest', paths: ['x'], into: 'r.x' }] };`);
    await utimes(path, new Date(), new Date(Date.now() + 5000));
    assert.equal((await loadPipelineFile(path)).definition.name, 'second_version');
  });

  test('errors: missing file, wrong extension, no export, broken module', async () => {
    await assert.rejects(loadPipelineFile(join(dir, 'nope.yaml')), (e: unknown) => StrataError.is(e, 'PIPELINE_NOT_FOUND'));
    await assert.rejects(loadPipelineFile(join(dir, 'x.json')), (e: unknown) => StrataError.is(e, 'INVALID_ARGUMENT'));
    const empty = join(dir, 'f.mjs');
    await writeFile(empty, 'export const other = 1;');
    await assert.rejects(loadPipelineFile(empty), (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID') && /exports no pipeline/.test(e.message));
    const broken = join(dir, 'g.mjs');
    await writeFile(broken, 'export default {;');
    await assert.rejects(loadPipelineFile(broken), (e: unknown) => StrataError.is(e, 'PIPELINE_INVALID') && /Cannot load/.test(e.message));
  });
});
