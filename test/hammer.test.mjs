import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configure, Global, Mutex, notify, Semaphore, shutdown, spawn, wait, waitAsync } from '../index.js';

// Every thread calls every addon export at once: analysis of new sites,
// Global definition, futex wait and wake, mutex and semaphore slow paths.
test('addon exports from many threads at once', async () => {
  await shutdown();
  configure({ size: 4 });
  const mutex = new Mutex(new Int32Array(new SharedArrayBuffer(8)));
  const semaphore = new Semaphore(2);
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const rounds = 300;
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: 8 }, (_, t) => eval(spawn(async () => {
    const g = new Global(new Int32Array(new SharedArrayBuffer(4)));
    for (let i = 0; i < rounds; i++) {
      const guard = i % 2 === 0 ? mutex.lockSync() : await mutex.lock();
      guard.value[0] = guard.value[0] + 1;
      guard.unlock();
      const permit = i % 3 === 0 ? await semaphore.acquire() : semaphore.acquireSync();
      Atomics.add(g.value, 0, 1);
      permit.release();
      Atomics.add(cells, 0, 1);
      notify(cells, 0, 1);
      if (i % 50 === 0) {
        wait(cells, 1, 1, { timeout: 1 });
        await waitAsync(cells, 1, 1, { timeout: 1 });
        const nested = await eval(spawn(() => t * 2));
        if (nested !== t * 2) throw new Error(`nested spawn returned ${nested}`);
      }
    }
    return [g.id, g.value[0]];
  }))));
  await shutdown();
  configure({});
  assert.equal(mutex.value[0], 8 * rounds);
  assert.equal(cells[0], 8 * rounds);
  assert.equal(semaphore.available, 2);
  // Each worker constructs the Global once per task at one site, so the
  // n-th construction in every worker shares one ID and one counter.
  // The last task to finish at each ID read that ID's final count.
  const byId = new Map();
  for (const [id, count] of results) byId.set(id, Math.max(byId.get(id) ?? 0, count));
  let total = 0;
  for (const count of byId.values()) total += count;
  assert.equal(total, 8 * rounds);
  assert.ok(byId.size >= 1, 'no Global ID was reported');
  assert.ok(byId.size <= 8, `${byId.size} Global IDs for 8 tasks`);
  assert.ok(performance.now() - started < 60_000);
});
