#!/usr/bin/env node
// A bounded soak: spawns, locks and errors mixed for a fixed time while the
// resident set size is sampled once a second. Exits non-zero if RSS keeps
// growing. Usage: node scripts/soak.mjs [seconds=60]
import { Mutex, Semaphore, spawn } from '../index.js';

const seconds = Number(process.argv[2] ?? 60);
if (!(seconds > 0)) {
  console.error(`usage: node scripts/soak.mjs [seconds]; got ${process.argv[2]}`);
  process.exit(2);
}
const mutex = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
const semaphore = new Semaphore(2);
const deadline = performance.now() + seconds * 1000;
const samples = [];
let tasks = 0;
let errors = 0;

const sampler = setInterval(() => samples.push(process.memoryUsage().rss), 1000);

async function round(i) {
  const payload = { id: i, text: 'x'.repeat(i % 1000), list: Array.from({ length: 50 }, (_, j) => j) };
  const work = [];
  work.push(eval(spawn(() => payload.list.reduce((a, b) => a + b, payload.id))));
  work.push(eval(spawn(async () => {
    const guard = await mutex.lock();
    guard.value[0]++;
    guard.unlock();
    const permit = semaphore.acquireSync();
    permit.release();
  })));
  work.push(eval(spawn(() => {
    throw new RangeError(`expected failure ${payload.id}`, { cause: payload.text.length });
  })).catch((error) => {
    if (!(error instanceof RangeError)) throw error;
    errors++;
  }));
  const guard = await mutex.lock();
  guard.value[0]++;
  guard.unlock();
  await Promise.all(work);
  tasks += 3;
}

let i = 0;
let expected = 0;
while (performance.now() < deadline) {
  await Promise.all(Array.from({ length: 20 }, () => round(i++)));
  expected += 40;
}
clearInterval(sampler);

const mb = (bytes) => (bytes / 1e6).toFixed(1);
// Compare the second quarter of the run with the last: warm-up is excluded.
const quarter = Math.max(1, Math.floor(samples.length / 4));
const early = Math.max(...samples.slice(quarter, 2 * quarter));
const late = Math.max(...samples.slice(-quarter));
const count = mutex.value[0];
console.log(`soak ${seconds} s: ${tasks} tasks, ${errors} expected errors, counter ${count} of ${expected}`);
console.log(`RSS MB: first ${mb(samples[0])}, max ${mb(Math.max(...samples))}, second quarter max ${mb(early)}, last quarter max ${mb(late)}`);
const grew = late > early * 1.25 + 20e6;
if (count !== expected || grew) {
  console.error(grew ? 'RSS kept growing' : 'counter mismatch');
  process.exit(1);
}
