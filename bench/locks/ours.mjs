// experimental-threads Mutex: lockSync()/lock() and guard.unlock().
import { performance } from 'node:perf_hooks';
import { Mutex, configure, shutdown, spawn } from 'experimental-threads';
import { startTogether } from './start.mjs';

/** Uncontended lockSync() + unlock() on this thread, in ns per pair. */
export function uncontendedSync(iterations) {
  const mutex = new Mutex(0);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) mutex.lockSync().unlock();
  return ((performance.now() - start) * 1e6) / iterations;
}

/** Uncontended `await lock()` + unlock() on this thread, in ns per pair. */
export async function uncontendedAsync(iterations) {
  const mutex = new Mutex(0);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) (await mutex.lock()).unlock();
  return ((performance.now() - start) * 1e6) / iterations;
}

// Two pool workers each take the lock, increment a shared counter and unlock
// for durationMs after a common start signal; returns total ops per second.
export async function contendedSync(durationMs) {
  configure({ size: 2 });
  const mutex = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const results = await startTogether(signal, () =>
    eval(spawn(() => {
      Atomics.add(signal, 0, 1);
      Atomics.wait(signal, 1, 0);
      const start = performance.now();
      let ops = 0;
      let now;
      do {
        for (let i = 0; i < 256; i++) {
          const guard = mutex.lockSync();
          guard.value[0]++;
          guard.unlock();
        }
        ops += 256;
        now = performance.now();
      } while (now - start < durationMs);
      return { ops, ms: now - start };
    })),
  );
  await shutdown();
  return opsPerSecond(results, mutex.lockSync().value[0]);
}

export async function contendedAsync(durationMs) {
  configure({ size: 2 });
  const mutex = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const results = await startTogether(signal, () =>
    eval(spawn(async () => {
      Atomics.add(signal, 0, 1);
      Atomics.wait(signal, 1, 0);
      const start = performance.now();
      let ops = 0;
      let now;
      do {
        for (let i = 0; i < 256; i++) {
          const guard = await mutex.lock();
          guard.value[0]++;
          guard.unlock();
        }
        ops += 256;
        now = performance.now();
      } while (now - start < durationMs);
      return { ops, ms: now - start };
    })),
  );
  await shutdown();
  return opsPerSecond(results, mutex.lockSync().value[0]);
}

function opsPerSecond(results, counter) {
  const ops = results.reduce((sum, r) => sum + r.ops, 0);
  if (counter !== ops) throw new Error(`wrong result: counter is ${counter} after ${ops} locked increments`);
  return (ops * 1000) / Math.max(...results.map((r) => r.ms));
}
