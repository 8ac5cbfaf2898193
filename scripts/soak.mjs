#!/usr/bin/env node
// A bounded soak: spawns, locks and errors mixed for a fixed time. Once a
// second, between rounds, it collects garbage in the main thread and in every
// pool worker and samples memory. It exits non-zero if the live JavaScript
// heaps, the native memory or the RSS without the young generations keep
// growing, or if the shared counter is off.
// Usage: node scripts/soak.mjs [seconds=60]
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';
import { Mutex, Semaphore, spawn } from '../index.js';
import { round, TASKS_PER_ROUND } from './soak-round.mjs';

const seconds = Number(process.argv[2] ?? 60);
if (!(seconds > 0)) {
  console.error(`usage: node scripts/soak.mjs [seconds]; got ${process.argv[2]}`);
  process.exit(2);
}

// The V8 flag is set before the pool starts a worker, so that every worker
// isolate can reach gc() as well. Bun has its own Bun.gc().
// NOTE: V8 documents flags changed after startup as unsupported. Node.js 20
// to 26 and Deno 2.9 then expose gc() in new contexts, which is all this uses.
let collectGarbage = globalThis.gc;
if (typeof collectGarbage !== 'function') {
  if (globalThis.Bun) {
    collectGarbage = () => globalThis.Bun.gc(true);
  } else {
    v8.setFlagsFromString('--expose-gc');
    collectGarbage = vm.runInNewContext('gc');
  }
}

const mutex = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
const semaphore = new Semaphore(2);
const deadline = performance.now() + seconds * 1000;
const samples = [];
let tasks = 0;
let errors = 0;

async function soakRound(i) {
  // Awaited first: `errors += await …` would read errors before the await
  // and lose the counts of rounds that finish meanwhile.
  const caught = await round(i, mutex, semaphore);
  errors += caught;
  tasks += TASKS_PER_ROUND;
}

// Returns the committed size of V8's young generation (new space) in the
// calling thread, or 0 where the runtime does not report it.
function youngGenerationSize() {
  const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space ? space.space_size : 0;
}

// Collects garbage in the worker that runs it and returns the sizes of its
// JavaScript heap.
function measureWorker() {
  return eval(spawn(() => {
    if (typeof globalThis.gc === 'function') globalThis.gc();
    else if (globalThis.Bun) globalThis.Bun.gc(true);
    else vm.runInNewContext('gc')();
    const { heapUsed, heapTotal } = process.memoryUsage();
    return { threadId, heapUsed, heapTotal, young: youngGenerationSize() };
  }));
}

// Samples memory after a full collection in every thread. It runs between
// rounds, when no task is in flight, and the pool hands a task to an idle
// worker before it starts another, so one probe per pool slot reaches every
// worker once.
async function sample() {
  const probes = await Promise.all(Array.from({ length: os.availableParallelism?.() ?? os.cpus().length }, measureWorker));
  const workers = [...new Map(probes.map((probe) => [probe.threadId, probe])).values()];
  collectGarbage();
  const main = process.memoryUsage();
  const heapUsed = workers.reduce((sum, worker) => sum + worker.heapUsed, main.heapUsed);
  // Each thread's largest committed sizes so far are subtracted, because RSS
  // need not drop when V8 shrinks a heap. Node.js 24 grows and shrinks the
  // young generation by 100 MB within seconds, which would read as native
  // growth.
  const heapTotal = workers.reduce((sum, worker) => sum + largest(peakHeapTotal, worker.threadId, worker.heapTotal), largest(peakHeapTotal, threadId, main.heapTotal));
  const young = workers.reduce((sum, worker) => sum + largest(peakYoung, worker.threadId, worker.young), largest(peakYoung, threadId, youngGenerationSize()));
  samples.push({ rss: main.rss, rssWithoutYoung: main.rss - young, heapUsed, native: main.rss - heapTotal });
}

const peakHeapTotal = new Map();
const peakYoung = new Map();

// Records value for a thread and returns the largest value recorded for it.
function largest(peaks, thread, value) {
  const peak = Math.max(peaks.get(thread) ?? 0, value);
  peaks.set(thread, peak);
  return peak;
}

let i = 0;
let expected = 0;
let nextSample = performance.now();
while (performance.now() < deadline) {
  if (performance.now() >= nextSample) {
    await sample();
    nextSample += 1000;
  }
  await Promise.all(Array.from({ length: 20 }, () => soakRound(i++)));
  expected += 40;
}
await sample();

// Each check compares the maximum of the second quarter of the samples with
// that of the last quarter, which leaves the start-up out. RSS itself is only
// printed. On Node.js 20 with 2 cores it rises for about 60 s and then stays
// near 200 MB for 600 s, while the live heaps and native memory stay flat.
// The rise is V8 growing each worker's young generation from 8 to 34 MB, and
// Node.js 24 grows the main thread's to 134 MB within 3 s. docs/RELIABILITY.md
// has the runs.
const quarter = Math.max(1, Math.floor(samples.length / 4));
const windows = (key) => {
  const values = samples.map((s) => s[key]);
  return { first: values[0], max: Math.max(...values), early: Math.max(...values.slice(quarter, 2 * quarter)), late: Math.max(...values.slice(-quarter)) };
};
const series = {
  RSS: windows('rss'),
  'RSS without young generations': windows('rssWithoutYoung'),
  'live JS heaps': windows('heapUsed'),
  'native (RSS minus JS heaps)': windows('native'),
};
const mb = (bytes) => (bytes / 1e6).toFixed(1);
const count = mutex.value[0];
console.log(`soak ${seconds} s: ${tasks} tasks, ${errors} expected errors, counter ${count} of ${expected}`);
for (const [name, values] of Object.entries(series)) {
  console.log(`${name} MB: first ${mb(values.first)}, max ${mb(values.max)}, second quarter max ${mb(values.early)}, last quarter max ${mb(values.late)}`);
}

// An estimate of what the bounds catch: about 750,000 tasks run between the
// middles of the two quarters of a 60 s run on 2 cores. The bounds allow
// 3.3 MB above 13 MB of live heaps and 28 MB above 72 MB of native memory, so
// they trip at a leak of about 5 bytes per task in the heaps or 40 outside.
const grew = (values, fraction, bytes) => values.late > values.early * (1 + fraction) + bytes;
const failures = [];
if (count !== expected) failures.push(`counter mismatch: ${count} of ${expected}`);
if (grew(series['live JS heaps'], 0.1, 2e6)) failures.push('the live JavaScript heaps kept growing after garbage collection');
if (grew(series['native (RSS minus JS heaps)'], 0.25, 10e6)) failures.push('native memory (RSS minus the JavaScript heaps) kept growing');
if (grew(series['RSS without young generations'], 0.25, 20e6)) failures.push('RSS without the young generations kept growing');
if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
