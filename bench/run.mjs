// One measurement of one contender in this process. The parent
// (scripts/bench.js) starts a fresh process for every measurement and reads
// the last stdout line, which starts with RESULT_PREFIX and contains JSON.
//
//   node bench/run.mjs CONTENDER MEASUREMENT [OPTIONS_JSON]
//
// CONTENDER is a file name in bench/contenders/ (or `main` for the
// main-thread reference of the speed-up test); MEASUREMENT is one of the
// keys of `measurements` below.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { burn } from './work.js';

const RESULT_PREFIX = 'BENCH_RESULT ';

const [contenderName, measurementName, optionsText] = process.argv.slice(2);
const options = optionsText ? JSON.parse(optionsText) : {};
const size = options.size ?? 2;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function readPeakRssKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function check(condition, message) {
  if (!condition) throw new Error(`wrong result: ${message}`);
}

async function openContender() {
  const module = await import(`./contenders/${contenderName}.mjs`);
  return { module, pool: await module.open(size) };
}

const measurements = {
  // 20,000 tasks of x + 1 awaited in batches of 1,000, after one untimed batch.
  async throughput({ tasks = 20000, batch = 1000 }) {
    const { pool } = await openContender();
    const runBatch = async (base) => {
      const results = await Promise.all(Array.from({ length: batch }, (_, i) => pool.tiny(base + i)));
      check(results[batch - 1] === base + batch, `task ${base + batch - 1} returned ${results[batch - 1]}`);
    };
    await runBatch(0);
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    for (let done = 0; done < tasks; done += batch) await runBatch(done);
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    await pool.close();
    // CPU time of all threads of the process per task, in µs: less sensitive
    // than tasks/s to other jobs on the machine.
    return { value: tasks / seconds, cpuPerTask: (cpu.user + cpu.system) / tasks };
  },

  // One tiny task awaited at a time; the median round trip in microseconds.
  async latency({ warmup = 5000, iterations = 3000 }) {
    const { pool } = await openContender();
    for (let i = 0; i < warmup; i++) await pool.tiny(i);
    const samples = new Float64Array(iterations);
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      const result = await pool.tiny(i);
      samples[i] = (performance.now() - start) * 1000;
      check(result === i + 1, `tiny(${i}) returned ${result}`);
    }
    await pool.close();
    return { value: median(samples) };
  },

  // The moment of the first result, as timeOrigin + now() so that the
  // parent can compare it with its own clock, and the peak RSS so far
  // (VmHWM), which the parent uses when /usr/bin/time is missing.
  async cold() {
    const { pool } = await openContender();
    const result = await pool.tiny(41);
    const firstResultAt = performance.timeOrigin + performance.now();
    check(result === 42, `tiny(41) returned ${result}`);
    await pool.close();
    return { firstResultAt, peakRssKb: readPeakRssKb() };
  },

  // Eight CPU-bound tasks at once, timed after every worker has run one
  // short task (so worker start-up and module loading are not counted). The
  // `main` contender runs the same tasks one after another on this thread.
  async cpu({ iterations, checksum, tasks = 8 }) {
    if (contenderName === 'main') {
      burn(1000);
      const start = performance.now();
      const results = [];
      for (let i = 0; i < tasks; i++) results.push(burn(iterations));
      const ms = performance.now() - start;
      for (const result of results) check(result === checksum, `burn checksum ${result}, expected ${checksum}`);
      return { value: ms };
    }
    const { pool } = await openContender();
    await Promise.all(Array.from({ length: size }, () => pool.burn(1000)));
    const start = performance.now();
    const results = await Promise.all(Array.from({ length: tasks }, () => pool.burn(iterations)));
    const ms = performance.now() - start;
    for (const result of results) check(result === checksum, `burn checksum ${result}, expected ${checksum}`);
    await pool.close();
    return { value: ms };
  },

  // Calibration: the burn() iterations that take about `ms` on this thread,
  // and their checksum.
  async calibrate({ ms = 200 }) {
    let iterations = 1_000_000;
    burn(iterations);
    for (let pass = 0; pass < 3; pass++) {
      const start = performance.now();
      burn(iterations);
      const took = performance.now() - start;
      iterations = Math.round((iterations * ms) / took);
    }
    return { iterations, checksum: burn(iterations) };
  },

  // A 16 MiB ArrayBuffer to a worker and back: copied, or transferred both
  // ways. Median of `repeats` round trips after one untimed trip.
  async buffer({ mode, bytes = 16 * 1024 * 1024, repeats = 10 }) {
    const { module, pool } = await openContender();
    if (mode === 'transfer' && !pool.echoTransfer) {
      await pool.close();
      return { text: module.transferSupport };
    }
    const send = mode === 'transfer' ? pool.echoTransfer : pool.echo;
    let buffer = new ArrayBuffer(bytes);
    new Uint8Array(buffer).fill(7);
    buffer = await send(buffer);
    const samples = [];
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      buffer = await send(buffer);
      samples.push(performance.now() - start);
      check(buffer instanceof ArrayBuffer && buffer.byteLength === bytes, `got ${buffer && buffer.byteLength} bytes back`);
    }
    check(new Uint8Array(buffer)[bytes - 1] === 7, 'buffer contents changed');
    await pool.close();
    return { value: median(samples) };
  },

  // Lock benchmarks live in bench/locks/CONTENDER.mjs. Uncontended: the
  // iteration count is scaled so one repetition takes about repeatMs, and
  // the median of 5 repetitions is returned in ns per lock + unlock.
  // Contended: total lock + increment + unlock operations per second.
  async lock({ mode, repeatMs = 100, durationMs = 300 }) {
    const locks = await import(`./locks/${contenderName}.mjs`);
    if (mode === 'sync' || mode === 'async') {
      const run = mode === 'sync' ? locks.uncontendedSync : locks.uncontendedAsync;
      if (!run) return { text: 'not available' };
      let iterations = 1000;
      for (let ns = await run(iterations); ns * iterations < repeatMs * 0.5e6; ns = await run(iterations)) {
        iterations = Math.max(iterations * 2, Math.round((repeatMs * 1e6) / Math.max(ns, 1)));
      }
      const samples = [];
      for (let rep = 0; rep < 5; rep++) samples.push(await run(iterations));
      return { value: median(samples) };
    }
    const run = mode === 'contendedSync' ? locks.contendedSync : locks.contendedAsync;
    if (!run) return { text: 'not available' };
    return { value: await run(durationMs) };
  },
};

const measure = measurements[measurementName];
if (!measure) {
  console.error(`unknown measurement ${JSON.stringify(measurementName)}; expected one of ${Object.keys(measurements).join(', ')}`);
  process.exit(2);
}
const result = await measure(options);
process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(result)}\n`);
