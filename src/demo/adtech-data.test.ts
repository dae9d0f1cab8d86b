import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedDailyRollups, generateAdTech, writeAdTech } from './adtech-data.ts';

test('the data set is deterministic: same scale and seed, byte-identical files', () => {
  const a = mkdtempSync(join(tmpdir(), 'adtech-a-'));
  const b = mkdtempSync(join(tmpdir(), 'adtech-b-'));
  try {
    const fa = writeAdTech(a, generateAdTech({ scale: 0.1 }));
    const fb = writeAdTech(b, generateAdTech({ scale: 0.1 }));
    for (const [x, y] of [...fa.impressions.map((p, i) => [p, fb.impressions[i]]), [fa.partner, fb.partner]]) {
      assert.ok(x && y);
      assert.equal(readFileSync(x, 'utf8'), readFileSync(y, 'utf8'));
    }
    const other = generateAdTech({ scale: 0.1, seed: 7 });
    assert.notEqual(other.impressions[0]?.impression_id, generateAdTech({ scale: 0.1 }).impressions[0]?.impression_id);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('the data set has skew, duplicates and one malformed line of every kind', () => {
  const data = generateAdTech({ scale: 0.5 });
  const byAdvertiser = new Map<number, number>();
  for (const i of data.impressions) byAdvertiser.set(i.advertiser_id, (byAdvertiser.get(i.advertiser_id) ?? 0) + 1);
  const counts = [...byAdvertiser.values()].sort((x, y) => y - x);
  assert.ok((counts[0] ?? 0) > 10 * (counts[counts.length - 1] ?? 1), 'the heaviest advertiser dwarfs the lightest');
  const ids = new Set(data.impressions.map((i) => i.impression_id));
  assert.ok(ids.size < data.impressions.length, 'some impressions are logged twice');
  assert.deepEqual(new Set(data.malformed.map((m) => m.kind)), new Set(['not-json', 'type-mismatch', 'missing-field', 'oversize', 'bad-timestamp']));
  assert.equal(data.partnerLines.length, data.partnerImpressions.length + data.partnerNegative.length + data.malformed.length);
  assert.ok(data.partnerNegative.length > 0 && data.partnerNegative.every((i) => i.cost_micros < 0));
});

test('the expected rollups count every distinct impression and click once', () => {
  const data = generateAdTech({ scale: 0.2 });
  const rollups = expectedDailyRollups(data);
  const impressions = new Set([...data.impressions, ...data.partnerImpressions].map((i) => i.impression_id)).size;
  assert.equal(rollups.reduce((n, r) => n + r.impressions, 0), impressions);
  assert.equal(rollups.reduce((n, r) => n + r.clicks, 0), new Set(data.clicks.map((c) => c.click_id)).size);
  assert.ok(rollups.every((r) => r.ctr >= 0 && r.ctr <= 1));
});
