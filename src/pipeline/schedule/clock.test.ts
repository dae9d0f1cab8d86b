import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, systemClock } from './clock.ts';

describe('ManualClock', () => {
  test('advance wakes sleepers in due-time order, FIFO on ties, with now() at each due time', async () => {
    const clock = new ManualClock(1000);
    const woke: string[] = [];
    const sleep = (name: string, ms: number): Promise<void> => clock.sleep(ms).then(() => void woke.push(`${name}@${clock.now()}`));
    const all = [sleep('c', 300), sleep('a', 100), sleep('b1', 200), sleep('b2', 200), sleep('late', 1000)];
    assert.deepEqual(clock.pendingSleeps(), [1100, 1200, 1200, 1300, 2000]);
    await clock.advance(300);
    assert.deepEqual(woke, ['a@1100', 'b1@1200', 'b2@1200', 'c@1300']);
    assert.equal(clock.now(), 1300);
    assert.deepEqual(clock.pendingSleeps(), [2000]);
    await clock.advance(699);
    assert.equal(woke.length, 4);
    await clock.advance(1);
    await Promise.all(all);
    assert.deepEqual(woke.at(-1), 'late@2000');
  });

  test('a sleep started by a woken sleeper inside the window also wakes in the same advance', async () => {
    const clock = new ManualClock(0);
    const times: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        times.push(clock.now());
      }
    })();
    await clock.advance(25);
    assert.deepEqual(times, [10, 20]);
    assert.equal(clock.now(), 25);
    await clock.advance(5);
    await loop;
    assert.deepEqual(times, [10, 20, 30]);
  });

  test('set moves time; backwards wakes nobody', async () => {
    const clock = new ManualClock(100);
    let woke = false;
    const slept = clock.sleep(50).then(() => {
      woke = true;
    });
    await clock.set(10);
    assert.equal(clock.now(), 10);
    assert.equal(woke, false);
    await clock.set(150);
    await slept;
    assert.equal(woke, true);
  });

  test('abort rejects with the reason and removes the sleeper', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const slept = clock.sleep(100, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(slept, /stop/);
    assert.deepEqual(clock.pendingSleeps(), []);
    await assert.rejects(clock.sleep(5, controller.signal), /stop/);
  });

  test('waitForSleepers resolves once enough sleeps are parked; sleep(0) resolves at once', async () => {
    const clock = new ManualClock();
    const waiting = clock.waitForSleepers(2);
    let resolved = false;
    void waiting.then(() => {
      resolved = true;
    });
    void clock.sleep(10);
    await new Promise((r) => setImmediate(r));
    assert.equal(resolved, false);
    void clock.sleep(20);
    await waiting;
    assert.equal(resolved, true);
    await clock.sleep(0);
    assert.equal(clock.now(), 0);
  });
});

describe('systemClock', () => {
  test('sleeps and can be aborted', async () => {
    await systemClock.sleep(1);
    const controller = new AbortController();
    const slept = systemClock.sleep(60_000, controller.signal);
    controller.abort();
    await assert.rejects(slept, (e: unknown) => e instanceof Error && e.name === 'AbortError');
  });
});
