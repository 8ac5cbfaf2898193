import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Permit, Semaphore, spawn } from '../index.js';

test('acquire, release and limits', async () => {
  const semaphore = new Semaphore(3);
  assert.equal(semaphore.max, 3);
  const two = semaphore.tryAcquire(2);
  assert.ok(two instanceof Permit);
  assert.equal(semaphore.available, 1);
  assert.equal(semaphore.tryAcquire(2), null);
  const one = await semaphore.acquire();
  assert.equal(semaphore.available, 0);
  two.release();
  one.release();
  assert.equal(semaphore.available, 3);
  assert.throws(() => semaphore.release(1), { name: 'RangeError', code: 'ERR_THREADS_TOO_MANY_PERMITS', message: /exceed the maximum of 3/ });
  assert.throws(() => two.release(), { code: 'ERR_THREADS_NOT_HELD' });
  assert.throws(() => semaphore.tryAcquire(4), { name: 'RangeError', message: /maximum is 3/ });
  assert.throws(() => new Semaphore(0), { name: 'RangeError' });
  assert.throws(() => semaphore.acquireSync(1.5), { name: 'RangeError' });
});

test('never admits more than k threads', async () => {
  const permits = 2;
  const semaphore = new Semaphore(permits);
  const stats = new Int32Array(new SharedArrayBuffer(8)); // [inside, max inside]
  const rounds = 300;
  await Promise.all(Array.from({ length: 4 }, (_, w) => eval(spawn(() => {
    for (let i = 0; i < rounds; i++) {
      const permit = semaphore.acquireSync();
      const inside = Atomics.add(stats, 0, 1) + 1;
      let max = Atomics.load(stats, 1);
      while (inside > max && Atomics.compareExchange(stats, 1, max, inside) !== max) max = Atomics.load(stats, 1);
      for (let spin = 0; spin < 200; spin++);
      Atomics.sub(stats, 0, 1);
      permit.release();
    }
    return w;
  }))));
  assert.equal(stats[0], 0);
  assert.ok(stats[1] <= permits, `max inside was ${stats[1]}`);
  assert.ok(stats[1] >= 1);
  assert.equal(semaphore.available, permits);
});

test('large request is not starved', async () => {
  const semaphore = new Semaphore(4);
  const held = [semaphore.tryAcquire(1), semaphore.tryAcquire(1)];
  const order = [];
  const big = semaphore.acquire(4).then((permit) => {
    order.push('big');
    permit.release();
  });
  // Two permits are free, but the queued request for four comes first.
  assert.equal(semaphore.tryAcquire(1), null);
  const small = semaphore.acquire(1).then((permit) => {
    order.push('small');
    permit.release();
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(order, []);
  held.forEach((permit) => permit.release());
  await Promise.all([big, small]);
  assert.deepEqual(order, ['big', 'small']);
});

test('timeout and abort leave permits intact', async () => {
  const semaphore = new Semaphore(1);
  const held = semaphore.acquireSync();
  await assert.rejects(semaphore.acquire(1, { timeout: 20 }), { name: 'TimeoutError' });
  assert.throws(() => semaphore.acquireSync(1, { timeout: 20 }), { name: 'TimeoutError' });
  const controller = new AbortController();
  const pending = semaphore.acquire(1, { signal: controller.signal });
  controller.abort(new Error('stop'));
  await assert.rejects(pending, { message: 'stop' });
  held.release();
  assert.equal(semaphore.available, 1);
});

test('captured semaphore shares permits', async () => {
  const semaphore = new Semaphore(2);
  const permit = semaphore.acquireSync(2);
  const inWorker = await eval(spawn(() => [semaphore instanceof Semaphore, semaphore.tryAcquire(1) === null, semaphore.max]));
  assert.deepEqual(inWorker, [true, true, 2]);
  permit.release();
  const got = await eval(spawn(() => {
    const p = semaphore.tryAcquire(2);
    p.release();
    return p.count;
  }));
  assert.equal(got, 2);
});
