/**
 * Test helper, run as a child process by `sqlite-catalog-backend.test.ts`: opens the catalog, says
 * "ready", waits for "go" on stdin so all racers start together, then tries one compare-and-swap
 * and prints `{"swapped": boolean}` (or `{"error": code}`).
 *
 * Usage: node --import tsx cas-race-worker.ts <catalog-file> <namespace> <table> <expected> <next>
 */
import { createInterface } from 'node:readline';
import { StrataError } from '../../../core/index.ts';
import { SqliteCatalogBackend } from '../sqlite-catalog-backend.ts';

const [path, namespace, name, expected, next] = process.argv.slice(2);
if (path === undefined || namespace === undefined || name === undefined || expected === undefined || next === undefined) {
  throw new Error('usage: cas-race-worker <catalog-file> <namespace> <table> <expected> <next>');
}

const catalog = await SqliteCatalogBackend.open(path);
try {
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === 'go') break;
  }
  lines.close();
  try {
    const swapped = await catalog.swapMetadataLocation({ namespace: [namespace], name }, expected, next);
    process.stdout.write(`${JSON.stringify({ swapped })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: StrataError.is(error) ? error.code : String(error) })}\n`);
  }
} finally {
  await catalog.close();
}
