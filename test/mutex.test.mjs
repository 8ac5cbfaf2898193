import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Mutex, MutexGuard, spawn } from '../index.js';

function threadCount() {
  return Number(readFileSync('/proc/self/status', 'utf8').match(/^Threads:\s+(\d+)/m)[1]);
}

test('tryLock, unlock and double unlock', () => {
  const mutex = new Mutex('guarded');
  const guard = mutex.tryLock();
  assert.ok(guard instanceof MutexGuard);
  assert.equal(guard.value, 'guarded');
  assert.equal(mutex.locked, true);
  assert.equal(mutex.tryLock(), null);
  guard.unlock();
  assert.equal(mutex.locked, false);
  assert.throws(() => guard.unlock(), { code: 'ERR_THREADS_NOT_LOCKED', message: /the mutex is not locked/ });
});

test('dispose after unlock is a no-op', () => {
  const mutex = new Mutex();
  const guard = mutex.lockSync();
  guard[Symbol.dispose]();
  assert.equal(mutex.locked, false);
  guard[Symbol.dispose]();
  assert.equal(mutex.locked, false);
});

test('lockSync counts exactly across threads', async () => {
  const mutex = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
  const threads = 4;
  const increments = 5000;
  const started = performance.now();
  await Promise.all(Array.from({ length: threads }, () => eval(spawn(() => {
    for (let i = 0; i < increments; i++) {
      const guard = mutex.lockSync();
      const cell = guard.value;
      const read = cell[0];
      cell[0] = read + 1;
      guard.unlock();
    }
  }))));
  assert.equal(mutex.value[0], threads * increments);
  assert.ok(performance.now() - started < 30_000);
});

test('async lock counts exactly across threads', async () => {
  const mutex = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
  const increments = 500;
  const worker = () => eval(spawn(async () => {
    for (let i = 0; i < increments; i++) {
      const guard = await mutex.lock();
      const cell = guard.value;
      const read = cell[0];
      await null; // give other holders a chance to interleave if the lock were broken
      cell[0] = read + 1;
      guard.unlock();
    }
  }));
  const main = (async () => {
    for (let i = 0; i < increments; i++) {
      const guard = await mutex.lock();
      const read = guard.value[0];
      await null;
      guard.value[0] = read + 1;
      guard.unlock();
    }
  })();
  await Promise.all([worker(), worker(), main]);
  assert.equal(mutex.value[0], 3 * increments);
});

test('lock does not block the event loop', async () => {
  const mutex = new Mutex();
  const held = mutex.lockSync();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const pending = mutex.lock();
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.ok(ticks >= 3, `event loop ran ${ticks} timer ticks`);
  held.unlock();
  const guard = await pending;
  clearInterval(timer);
  guard.unlock();
  assert.equal(mutex.locked, false);
});

test('lock timeout rejects and leaves mutex alone', async () => {
  const mutex = new Mutex();
  const held = mutex.lockSync();
  await assert.rejects(mutex.lock({ timeout: 30 }), { name: 'TimeoutError', code: 'ERR_THREADS_TIMEOUT' });
  assert.throws(() => mutex.lockSync({ timeout: 30 }), { name: 'TimeoutError', code: 'ERR_THREADS_TIMEOUT' });
  const workerOutcome = await eval(spawn(() => {
    try {
      mutex.lockSync({ timeout: 50 });
      return 'locked';
    } catch (error) {
      return error.name;
    }
  }));
  assert.equal(workerOutcome, 'TimeoutError');
  held.unlock();
  assert.equal(mutex.locked, false);
});

test('aborted lock rejects with the reason', async () => {
  const mutex = new Mutex();
  const already = AbortSignal.abort(new Error('gave up early'));
  await assert.rejects(mutex.lock({ signal: already }), { message: 'gave up early' });

  const held = mutex.lockSync();
  const controller = new AbortController();
  const pending = mutex.lock({ signal: controller.signal });
  setTimeout(() => controller.abort(new Error('gave up waiting')), 20);
  await assert.rejects(pending, { message: 'gave up waiting' });
  held.unlock();
  assert.equal(mutex.locked, false);
  const again = mutex.tryLock();
  assert.notEqual(again, null);
  again.unlock();
});

test('1000 pending locks keep threads bounded', async () => {
  const mutex = new Mutex();
  const held = mutex.lockSync();
  const before = threadCount();
  const pending = Array.from({ length: 1000 }, () => mutex.lock().then((guard) => guard.unlock()));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const during = threadCount();
  assert.ok(during - before < 16, `threads went from ${before} to ${during}`);
  held.unlock();
  await Promise.all(pending);
  assert.equal(mutex.locked, false);
});

test('captured mutex is the same lock', async () => {
  const mutex = new Mutex({ note: 'copied value' });
  const guard = mutex.lockSync();
  const seen = await eval(spawn(() => [mutex instanceof Mutex, mutex.tryLock() === null, mutex.value.note]));
  assert.deepEqual(seen, [true, true, 'copied value']);
  guard.unlock();
  const free = await eval(spawn(() => {
    const g = mutex.tryLock();
    if (g) g.unlock();
    return g !== null;
  }));
  assert.equal(free, true);
});

test('bad options are rejected', () => {
  const mutex = new Mutex();
  assert.throws(() => mutex.lockSync(5), { name: 'TypeError', message: /lockSync\(\) options must be an object/ });
  assert.throws(() => mutex.lockSync({ timeout: -1 }), { name: 'RangeError', message: /timeout must be a non-negative number/ });
});
