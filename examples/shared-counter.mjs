// A Global counter behind a Mutex, incremented by nested spawns on several
// threads; every thread reaches the same memory through the module binding.
//
//   node examples/shared-counter.mjs
import { Global, Mutex, spawn } from 'experimental-threads';

export const counter = new Global(new Mutex(new SharedArrayBuffer(4)));

const tasks = 4;
const increments = 1000;

await Promise.all(Array.from({ length: tasks }, () => eval(spawn(async () => {
  // Each task also spawns a child task of its own.
  const child = eval(spawn(async () => {
    for (let i = 0; i < increments; i++) {
      const guard = await counter.value.lock();
      new Int32Array(guard.value)[0]++;
      guard.unlock();
    }
  }));
  for (let i = 0; i < increments; i++) {
    const guard = await counter.value.lock();
    new Int32Array(guard.value)[0]++;
    guard.unlock();
  }
  await child;
}))));

const guard = counter.value.lockSync();
const total = new Int32Array(guard.value)[0];
guard.unlock();
console.log(`final count: ${total} (expected ${tasks * 2 * increments})`);
