#!/usr/bin/env node
// Runs the workload of scripts/soak.mjs and prints where its memory is every
// 10 s. Each line has the process RSS and the JavaScript heap of the main
// thread and of each pool worker: used/total MB, "new" for the committed
// young generation and "ext" for external memory. It ends with RSS minus all
// heaps and with the anonymous mappings of /proc/self/smaps, split into the
// brk heap, other glibc malloc arenas and the rest.
// Usage: node [--expose-gc] scripts/soak-memory.mjs [seconds=300] [--snapshots]
// --expose-gc collects garbage in every thread before each sample, so
// heapUsed is the live size (the flag reaches the workers too).
// GODEBUG=gctrace=1 makes the Go runtime print its heap size at every Go
// collection. --snapshots writes a heap snapshot of the main thread after
// 10% and at the end of the run.
import fs from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { threadId } from 'node:worker_threads';
import { Mutex, Semaphore, spawn } from '../index.js';
import { round } from './soak-round.mjs';

const seconds = Number(process.argv[2] ?? 300);
const snapshots = process.argv.includes('--snapshots');
if (!(seconds > 0)) {
  console.error(`usage: node [--expose-gc] scripts/soak-memory.mjs [seconds] [--snapshots]; got ${process.argv[2]}`);
  process.exit(2);
}

const mutex = new Mutex(new Int32Array(new SharedArrayBuffer(4)));
const semaphore = new Semaphore(2);

// Reads the JavaScript heap of the worker that runs it. Called between
// rounds, when every worker is idle, one probe per pool slot reaches each
// worker once, because the pool hands a task to an idle worker first.
function probeWorker() {
  return eval(spawn(() => {
    if (typeof globalThis.gc === 'function') globalThis.gc();
    const usage = process.memoryUsage();
    const heap = v8.getHeapStatistics();
    const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    return { threadId, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, newSpace: newSpace.space_size, external: usage.external, malloced: heap.malloced_memory };
  }));
}

// Sums the resident size of the process's anonymous mappings by kind. "brk"
// is glibc's main malloc arena. "arenas" are the other glibc malloc arenas,
// found by their start at a multiple of their 64 MiB maximum size. "other"
// is the rest: V8 heap pages, thread stacks and the Go runtime.
// NOTE: the arena test is a heuristic, so a V8 page that happens to start at
// such an address counts as an arena.
function anonymousMemory() {
  const out = { brk: 0, arenas: 0, other: 0 };
  const arenaAlignment = 64n << 20n;
  let kind;
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-[0-9a-f]+ (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (range) {
      const name = range[4];
      if (name === '[heap]') kind = 'brk';
      else if (name !== '') kind = undefined;
      else kind = range[2] === 'rw-p' && BigInt(`0x${range[1]}`) % arenaAlignment === 0n ? 'arenas' : 'other';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && kind) out[kind] += Number(rss[1]) * 1024;
  }
  return out;
}

const mb = (bytes) => (bytes / 1e6).toFixed(1);

async function sample(elapsed) {
  const workers = await Promise.all(Array.from({ length: os.availableParallelism?.() ?? os.cpus().length }, probeWorker));
  if (typeof globalThis.gc === 'function') globalThis.gc();
  const main = process.memoryUsage();
  const anon = anonymousMemory();
  const seen = new Map(workers.map((w) => [w.threadId, w]));
  const workerText = [...seen.values()].map((w) => `w${w.threadId} ${mb(w.heapUsed)}/${mb(w.heapTotal)} new ${mb(w.newSpace)} ext ${mb(w.external)}`).join(', ');
  const mainNewSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
  const heapTotals = main.heapTotal + [...seen.values()].reduce((sum, w) => sum + w.heapTotal, 0);
  console.log(
    `t=${String(Math.round(elapsed)).padStart(4)} s rss ${mb(main.rss)} | main heap ${mb(main.heapUsed)}/${mb(main.heapTotal)} new ${mb(mainNewSpace)} ext ${mb(main.external)} ab ${mb(main.arrayBuffers)} | ${workerText} | ` +
      `rss-heaps ${mb(main.rss - heapTotals)} | anon brk ${mb(anon.brk)} arenas ${mb(anon.arenas)} other ${mb(anon.other)}`,
  );
}

const start = performance.now();
const deadline = start + seconds * 1000;
let nextSample = start;
let snapshotTaken = false;
let i = 0;
while (performance.now() < deadline) {
  if (performance.now() >= nextSample) {
    await sample((performance.now() - start) / 1000);
    nextSample += 10_000;
  }
  if (snapshots && !snapshotTaken && performance.now() - start >= seconds * 100) {
    console.log(`heap snapshot: ${v8.writeHeapSnapshot()}`);
    snapshotTaken = true;
  }
  await Promise.all(Array.from({ length: 20 }, () => round(i++, mutex, semaphore)));
}
await sample((performance.now() - start) / 1000);
if (snapshots) console.log(`heap snapshot: ${v8.writeHeapSnapshot()}`);
console.log(`rounds ${i}, counter ${mutex.value[0]} of ${i * 2}`);
