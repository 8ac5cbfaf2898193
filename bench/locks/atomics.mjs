// The baseline: a spin-lock of one Int32 in a SharedArrayBuffer, taken with
// Atomics.compareExchange and released with Atomics.store, and no waiting
// other than spinning.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { startTogether } from './start.mjs';

const LOCK = 0;
// The counter sits 64 bytes away from the lock word, on another cache line.
const COUNTER = 16;

/** Uncontended lock + unlock on this thread, in ns per pair. */
export function uncontendedSync(iterations) {
  const word = new Int32Array(new SharedArrayBuffer(128));
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    while (Atomics.compareExchange(word, LOCK, 0, 1) !== 0);
    Atomics.store(word, LOCK, 0);
  }
  return ((performance.now() - start) * 1e6) / iterations;
}

const threadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { word, signal, durationMs } = workerData;
Atomics.add(signal, 0, 1);
Atomics.wait(signal, 1, 0);
const start = performance.now();
let ops = 0;
let now;
do {
  for (let i = 0; i < 256; i++) {
    while (Atomics.compareExchange(word, ${LOCK}, 0, 1) !== 0);
    word[${COUNTER}]++;
    Atomics.store(word, ${LOCK}, 0);
  }
  ops += 256;
  now = performance.now();
} while (now - start < durationMs);
parentPort.postMessage({ ops, ms: now - start });
`;

/** Two worker threads contending on the spin-lock; total ops per second. */
export async function contendedSync(durationMs) {
  const word = new Int32Array(new SharedArrayBuffer(128));
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const results = await startTogether(signal, () => {
    const worker = new Worker(threadSource, { eval: true, workerData: { word, signal, durationMs } });
    return new Promise((resolve, reject) => {
      worker.once('message', (result) => {
        resolve(result);
        worker.terminate();
      });
      worker.once('error', reject);
    });
  });
  const ops = results.reduce((sum, r) => sum + r.ops, 0);
  if (word[COUNTER] !== ops) throw new Error(`wrong result: counter is ${word[COUNTER]} after ${ops} locked increments`);
  return (ops * 1000) / Math.max(...results.map((r) => r.ms));
}
