import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Global, notify, spawn, wait, waitAsync } from '../index.js';

test('wait returns not-equal and timed-out', () => {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  assert.equal(wait(cells, 0, 1), 'not-equal');
  const started = performance.now();
  assert.equal(wait(cells, 0, 0, { timeout: 30 }), 'timed-out');
  assert.ok(performance.now() - started >= 25);
  assert.equal(notify(cells, 0), 0);
});

test('wait and notify work on Global memory', async () => {
  const g = new Global(new Int32Array(new SharedArrayBuffer(8)));
  const woken = waitAsync(g.value, 1, 0, { timeout: 5000 });
  const fromWorker = eval(spawn(() => {
    g.value[1] = 1;
    return notify(g.value, 1);
  }));
  assert.equal(await woken, 'ok');
  assert.equal(await fromWorker, 1);
});

test('worker blocks until main notifies', async () => {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const result = eval(spawn(() => wait(cells, 0, 0, { timeout: 10_000 })));
  // notify() returns how many waiters it woke, so it reports 1 only once the
  // worker is blocked in wait, however long the worker takes to get there.
  const started = performance.now();
  let woken = 0;
  while (woken === 0 && performance.now() - started < 5_000) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    woken = notify(cells, 0);
  }
  assert.equal(woken, 1);
  assert.equal(await result, 'ok');
});

test('captured SharedArrayBuffer is the same memory', async () => {
  const buffer = new SharedArrayBuffer(16);
  const view = new Int32Array(buffer);
  view[0] = 7;
  const seen = await eval(spawn(() => {
    const inWorker = new Int32Array(buffer);
    inWorker[1] = inWorker[0] * 6;
    return buffer instanceof SharedArrayBuffer;
  }));
  assert.equal(seen, true);
  assert.equal(view[1], 42);
});

test('randomized ping-pong loses no wake-up', async () => {
  // Two threads take turns through one word: each waits for its turn and
  // then hands the turn over. A lost wake-up stalls the game past the bound.
  const rounds = 2000;
  const turn = new Int32Array(new SharedArrayBuffer(4));
  const started = performance.now();
  const player = (me, other) => eval(spawn(async () => {
    for (let i = 0; i < rounds; i++) {
      for (;;) {
        const current = Atomics.load(turn, 0);
        if (current === me) break;
        if (Math.random() < 0.5) wait(turn, 0, current, { timeout: 10_000 });
        else await waitAsync(turn, 0, current, { timeout: 10_000 });
      }
      Atomics.store(turn, 0, other);
      notify(turn, 0);
    }
    return me;
  }));
  Atomics.store(turn, 0, 1);
  const results = await Promise.all([player(1, 2), player(2, 1)]);
  assert.deepEqual(results, [1, 2]);
  assert.ok(performance.now() - started < 30_000);
});

test('waitAsync ping-pong wakes promptly', async () => {
  // Only asynchronous waits, so every hand-over is a result that the addon
  // delivers to the other worker's event loop. Deno 2.9.6 sometimes left
  // such a delivery queued for about 30 s without waking the loop, which
  // this many rounds hit in most runs before the addon woke it again.
  const rounds = 20_000;
  const turn = new Int32Array(new SharedArrayBuffer(4));
  const player = (me, other) => eval(spawn(async () => {
    let maxWaitMs = 0;
    for (let i = 0; i < rounds; i++) {
      for (;;) {
        const current = Atomics.load(turn, 0);
        if (current === me) break;
        const started = performance.now();
        await waitAsync(turn, 0, current, { timeout: 20_000 });
        maxWaitMs = Math.max(maxWaitMs, performance.now() - started);
      }
      Atomics.store(turn, 0, other);
      notify(turn, 0);
    }
    return maxWaitMs;
  }));
  Atomics.store(turn, 0, 1);
  const maxWaits = await Promise.all([player(1, 2), player(2, 1)]);
  for (const ms of maxWaits) assert.ok(ms < 5_000, `one wait took ${Math.round(ms)} ms`);
});

test('bad arguments are rejected', () => {
  assert.throws(() => wait(new Uint8Array(4), 0, 0), { name: 'TypeError', message: /expects an Int32Array over shared memory, got Uint8Array/ });
  assert.throws(() => wait(new Int32Array(4), 0, 0), { name: 'TypeError', message: /expects an Int32Array over shared memory \(a SharedArrayBuffer or Global memory\), got one over an ArrayBuffer/ });
  assert.throws(() => notify(new Int32Array(4), 0), { name: 'TypeError', message: /^notify\(\) expects an Int32Array over shared memory/ });
  assert.throws(() => notify(new Int32Array(new SharedArrayBuffer(4)), 1), { name: 'RangeError', message: /index 1 is outside/ });
  assert.throws(() => wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1.5), { name: 'RangeError' });
});
