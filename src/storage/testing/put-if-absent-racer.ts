/**
 * Child process for the cross-process putIfAbsent race test (local-object-store.test.ts).
 * Usage: node --import tsx put-if-absent-racer.ts <rootDir> <key> <content>
 * Prints "ready", waits for a line on stdin so all racers start together, then prints
 * {"won":true|false}.
 */
import { createInterface } from 'node:readline';
import { LocalObjectStore } from '../local-object-store.ts';

const [rootDir, key, content] = process.argv.slice(2);
if (rootDir === undefined || key === undefined || content === undefined) {
  throw new Error('usage: put-if-absent-racer.ts <rootDir> <key> <content>');
}
const store = new LocalObjectStore(rootDir);
const body = new TextEncoder().encode(content);
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const _line of lines) {
  const won = await store.putIfAbsent(key, body);
  process.stdout.write(`${JSON.stringify({ won })}\n`);
  break;
}
lines.close();
