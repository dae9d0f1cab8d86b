import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { StreamAlerts } from './stream-alerts.ts';

test('alerts: behind once per episode, caught_up once, checkpoint failures and failure, delivered to the webhook', async () => {
  const received: { type: string; payload: Record<string, unknown> }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(JSON.parse(body) as { type: string; payload: Record<string, unknown> });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const alerts = new StreamAlerts('clicks', { webhook: url, maxBacklogRecords: 100, maxWatermarkDelayMs: 5_000 });
    alerts.lag({ backlogRecords: 10, watermarkDelayMs: 1_000 });
    alerts.lag({ backlogRecords: 500 });
    alerts.lag({ backlogRecords: 700, watermarkDelayMs: 9_000 });
    alerts.lag({ backlogRecords: 0, watermarkDelayMs: 0 });
    alerts.checkpointFailed(7, 'disk full');
    alerts.failed('gave up');
    await alerts.flush();
    assert.deepEqual(received.map((e) => e.type).sort(), ['stream.behind', 'stream.caught_up', 'stream.checkpoint_failed', 'stream.failed']);
    const behind = received.find((e) => e.type === 'stream.behind');
    assert.deepEqual(behind?.payload, { stream: 'clicks', reasons: ['backlog 500 records > 100'], backlogRecords: 500 });
    assert.equal(received.find((e) => e.type === 'stream.checkpoint_failed')?.payload['batchId'], 7);
    // Without settings nothing is sent.
    const silent = new StreamAlerts('clicks', undefined);
    silent.lag({ backlogRecords: 1e9 });
    silent.failed('x');
    await silent.flush();
    assert.equal(received.length, 4);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
