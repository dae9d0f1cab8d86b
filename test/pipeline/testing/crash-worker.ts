/**
 * Test helper, run as a child process by crash-restart.test.ts. Opens the home and either
 * triggers runs for the given dates and works the queue, or only works the queue (`resume`).
 * With a crash point `<step>:<point>`, the process SIGKILLs itself when the step reaches it —
 * no cleanup, no finally blocks, as a power cut or an OOM kill would.
 *
 * Usage: node --import tsx crash-worker.ts <home> <input-dir> run|resume [<step>:<point>] [dates…]
 */
import { openStrataHome } from '../../../src/catalog/index.ts';
import { PipelineService } from '../../../src/pipeline/index.ts';
import { crashPipeline } from './crash-pipeline.ts';

const [home, inputDir, mode, crashAt = '-', ...dates] = process.argv.slice(2);
if (home === undefined || inputDir === undefined || (mode !== 'run' && mode !== 'resume')) throw new Error('usage: crash-worker <home> <input-dir> run|resume [step:point] [dates…]');
const [crashStep, crashPoint] = crashAt.split(':');

const strata = await openStrataHome(home);
const service = await PipelineService.open({
  home: strata,
  random: () => 0,
  fault: (point, step) => {
    if (step === crashStep && point === crashPoint) process.kill(process.pid, 'SIGKILL');
  },
});
await service.register(crashPipeline(inputDir));
if (mode === 'run') for (const date of dates) await service.trigger('crashy', { logicalDate: date });
const finished = await service.runQueued();
process.stdout.write(`${JSON.stringify(finished.map((f) => [f.run.partition, f.state]))}\n`);
await service.close();
await strata.close();
