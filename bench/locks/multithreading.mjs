// multithreading Mutex: blockingLock()/lock() and guard.dispose().
import { performance } from 'node:perf_hooks';
import { Mutex, initRuntime, move, shutdown, spawn } from 'multithreading';
import { startTogether } from './start.mjs';

/** Uncontended blockingLock() + dispose() on this thread, in ns per pair. */
export function uncontendedSync(iterations) {
  const mutex = new Mutex(0);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) mutex.blockingLock().dispose();
  return ((performance.now() - start) * 1e6) / iterations;
}

/** Uncontended `await lock()` + dispose() on this thread, in ns per pair. */
export async function uncontendedAsync(iterations) {
  const mutex = new Mutex(0);
  const start = performance.now();
  for (let i = 0; i < iterations; i++) (await mutex.lock()).dispose();
  return ((performance.now() - start) * 1e6) / iterations;
}

// The loop bodies match bench/locks/ours.mjs; the closures cannot capture,
// so everything they use arrives through move().
export async function contendedSync(durationMs) {
  return contended(durationMs, (mutex, signal, durationMs) => {
    Atomics.add(signal, 0, 1);
    Atomics.wait(signal, 1, 0);
    const start = performance.now();
    let ops = 0;
    let now;
    do {
      for (let i = 0; i < 256; i++) {
        const guard = mutex.blockingLock();
        guard.value[0]++;
        guard.dispose();
      }
      ops += 256;
      now = performance.now();
    } while (now - start < durationMs);
    return { ops, ms: now - start };
  });
}

export async function contendedAsync(durationMs) {
  return contended(durationMs, async (mutex, signal, durationMs) => {
    Atomics.add(signal, 0, 1);
    Atomics.wait(signal, 1, 0);
    const start = performance.now();
    let ops = 0;
    let now;
    do {
      for (let i = 0; i < 256; i++) {
        const guard = await mutex.lock();
        guard.value[0]++;
        guard.dispose();
      }
      ops += 256;
      now = performance.now();
    } while (now - start < durationMs);
    return { ops, ms: now - start };
  });
}

async function contended(durationMs, loop) {
  initRuntime({ maxWorkers: 2 });
  const mutex = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const results = await startTogether(signal, async () => {
    const result = await spawn(move(mutex, signal, durationMs), loop).join();
    if (!result.ok) throw result.error;
    return result.value;
  });
  shutdown();
  const ops = results.reduce((sum, r) => sum + r.ops, 0);
  const guard = mutex.blockingLock();
  const counter = guard.value[0];
  guard.dispose();
  if (counter !== ops) throw new Error(`wrong result: counter is ${counter} after ${ops} locked increments`);
  return (ops * 1000) / Math.max(...results.map((r) => r.ms));
}
