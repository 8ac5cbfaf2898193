#!/usr/bin/env node
// npm run bench: compares experimental-threads with piscina, tinypool,
// workerpool, multithreading and a hand-written worker_threads pool (the
// floor), then rewrites BENCHMARKS.md from this one run.
//
//   node scripts/bench.js [--quick] [--rounds N] [--only ID,ID] [--output FILE]
//
// Every measurement of every contender runs in a fresh process started from
// bench/run.mjs. Contenders take turns within each round, and the order
// rotates by one each round, so load from other jobs on the machine falls on
// all of them alike. Tables give the median and the min–max range over rounds.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const root = path.join(__dirname, '..');
const runner = path.join(root, 'bench', 'run.mjs');
const RESULT_PREFIX = 'BENCH_RESULT ';
const POOL_SIZE = 2;

const usage = `usage: node scripts/bench.js [--quick] [--rounds N] [--only ID,ID] [--output FILE]
  --quick        3 rounds and shorter runs, which take about a third of the time of a full run
  --rounds N     rounds per measurement (default 5, or 3 with --quick)
  --only IDS     run only these measurements, comma-separated: throughput, latency, cold, cpu, buffer, locks, analyzer
  --output FILE  where to write the report (default BENCHMARKS.md in the package root)`;

function parseArguments(argv) {
  const options = { quick: false, rounds: undefined, only: undefined, output: path.join(root, 'BENCHMARKS.md') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--quick') options.quick = true;
    else if (arg === '--rounds') {
      options.rounds = Number(value());
      if (!Number.isInteger(options.rounds) || options.rounds < 1) fail(`--rounds expects a whole number of at least 1, got ${argv[i]}`);
    } else if (arg === '--only') options.only = value().split(',').filter(Boolean);
    else if (arg === '--output') options.output = path.resolve(value());
    else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else fail(`unknown option ${arg}`);
  }
  options.rounds ??= options.quick ? 3 : 5;
  return options;
}

function fail(message) {
  console.error(`bench: ${message}\n${usage}`);
  process.exit(2);
}

const options = parseArguments(process.argv.slice(2));

// Runtimes. The system Node.js is the one running this script (npm starts it
// as $npm_node_execpath). node_modules/.bin/node is the node22 package, so
// every child gets an absolute runtime path, never a bare `node`.
const node20 = process.execPath;
const node22 = path.join(root, 'node_modules', 'node22', 'bin', 'node');
const taskset = ['/usr/bin/taskset', '/bin/taskset'].find((file) => fs.existsSync(file));
const timeTool = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const ours = { id: 'ours', label: 'experimental-threads', runtime: node20 };
const piscina = { id: 'piscina', label: 'piscina', runtime: node20 };
const tinypool = { id: 'tinypool', label: 'tinypool', runtime: node20 };
const workerpool = { id: 'workerpool', label: 'workerpool', runtime: node20 };
const multithreading = { id: 'multithreading', label: 'multithreading', runtime: node22 };
const floor = { id: 'floor', label: 'floor (worker_threads)', runtime: node20 };
const floor22 = { id: 'floor', key: 'floor22', label: 'floor (worker_threads), Node 22', runtime: node22 };
const main20 = { id: 'main', key: 'main20', label: 'main thread, no pool', runtime: node20 };
const main22 = { id: 'main', key: 'main22', label: 'main thread, no pool, Node 22', runtime: node22 };
const poolContenders = [ours, piscina, tinypool, workerpool, multithreading, floor];
const peers = [piscina, tinypool, workerpool, multithreading];
const lockOurs = { id: 'ours', label: 'experimental-threads Mutex', runtime: node20 };
const lockMultithreading = { id: 'multithreading', label: 'multithreading Mutex', runtime: node22 };
const lockBaseline = { id: 'atomics', label: 'Atomics spin-lock (baseline)', runtime: node20 };
const lockContenders = [lockOurs, lockMultithreading, lockBaseline];

const keyOf = (contender) => contender.key || contender.id;

// Sizes of the runs. --quick shortens those that the task definitions leave open.
const sizes = options.quick
  ? { latencyIterations: 1000, latencyWarmup: 1000, cpuTaskMs: 100, bufferRepeats: 5, lockRepeatMs: 50, lockDurationMs: 200, coldRounds: options.rounds }
  : { latencyIterations: 3000, latencyWarmup: 5000, cpuTaskMs: 200, bufferRepeats: 10, lockRepeatMs: 100, lockDurationMs: 300, coldRounds: options.rounds + 2 };

const CHILD_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------
// Child processes

/**
 * Runs one measurement in a fresh process and returns { result } or
 * { error }, plus the wall time in ms and, with `measureMemory`, the peak
 * RSS in kB from /usr/bin/time -v.
 */
function runChild(contender, measurement, childOptions = {}, { pinned = false, measureMemory = false } = {}) {
  if (!fs.existsSync(contender.runtime)) return { error: `runtime not found: ${contender.runtime}` };
  if (pinned && !taskset) return { error: 'taskset not found, so the run cannot be pinned' };

  let command = contender.runtime;
  let args = [runner, contender.id, measurement, JSON.stringify({ size: POOL_SIZE, ...childOptions })];
  if (pinned) {
    args = ['-c', '0', command, ...args];
    command = taskset;
  }
  let timeFile;
  if (measureMemory && timeTool) {
    timeFile = path.join(os.tmpdir(), `bench-time-${process.pid}-${Date.now()}.txt`);
    args = ['-v', '-o', timeFile, command, ...args];
    command = timeTool;
  }

  const startedAt = performance.timeOrigin + performance.now();
  const child = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.timeOrigin + performance.now() - startedAt;

  let peakRssKb;
  if (timeFile) {
    try {
      const match = /Maximum resident set size \(kbytes\): (\d+)/.exec(fs.readFileSync(timeFile, 'utf8'));
      if (match) peakRssKb = Number(match[1]);
      fs.unlinkSync(timeFile);
    } catch {
      // Left undefined: the child's own VmHWM reading is used instead.
    }
  }

  if (child.error) {
    const reason = child.error.code === 'ETIMEDOUT' ? `timed out after ${CHILD_TIMEOUT_MS / 1000} s` : child.error.message;
    return { error: reason, wallMs };
  }
  const line = child.stdout.split('\n').reverse().find((text) => text.startsWith(RESULT_PREFIX));
  if (child.status !== 0 || !line) {
    const how = child.signal ? `killed by ${child.signal}` : `exit code ${child.status}`;
    return { error: `${how}: ${firstErrorLine(child.stderr || child.stdout)}`, wallMs };
  }
  return { result: JSON.parse(line.slice(RESULT_PREFIX.length)), wallMs, startedAt, peakRssKb };
}

// The line of a child's stderr that names the error, not the stack.
function firstErrorLine(text) {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  const named = lines.find((line) => /^(\w*Error|Error)\b|^error:|wrong result/i.test(line));
  return (named || lines[lines.length - 1] || 'no output').slice(0, 200);
}

/**
 * Runs measure(contender, round) for every contender, round after round,
 * rotating the order each round. Returns Map key -> [{ value } | { text } | { error }].
 */
function interleave(title, contenders, rounds, measure) {
  const samples = new Map(contenders.map((contender) => [keyOf(contender), []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(i + round) % contenders.length];
      const sample = measure(contender, round);
      samples.get(keyOf(contender)).push(sample);
      const shown = sample.error ? `failed: ${sample.error}` : sample.text ?? formatNumber(sample.value);
      console.log(`[${title}] round ${round + 1}/${rounds} ${contender.label}: ${shown}`);
    }
  }
  return samples;
}

function valueOf(outcome, pick = (result) => result.value) {
  if (outcome.error) return { error: outcome.error };
  if (outcome.result.text !== undefined) return { text: outcome.result.text };
  return { value: pick(outcome.result) };
}

// ---------------------------------------------------------------------------
// Statistics and formatting

function summarize(samples) {
  const values = samples.filter((s) => typeof s.value === 'number' && Number.isFinite(s.value)).map((s) => s.value);
  const errors = samples.filter((s) => s.error).map((s) => s.error);
  const text = samples.find((s) => s.text !== undefined);
  if (values.length === 0) {
    if (errors.length) return { text: `failed: ${errors[0]}` };
    return { text: text ? text.text : 'no data' };
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], count: values.length, failed: errors.length, firstError: errors[0] };
}

function formatNumber(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  // Three significant digits, and none after the point from 100 up.
  const abs = Math.abs(value);
  let digits = 3;
  if (abs >= 100) digits = 0;
  else if (abs >= 10) digits = 1;
  else if (abs >= 1) digits = 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function escapeCell(text) {
  return String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

// "median" and "min–max" cells for a summary, scaled by `scale`.
function cells(summary, scale = 1) {
  if (summary.median === undefined) return [escapeCell(summary.text), '—'];
  let median = formatNumber(summary.median * scale);
  if (summary.failed) median += ` (${summary.failed} of ${summary.count + summary.failed} rounds failed: ${escapeCell(summary.firstError)})`;
  return [median, `${formatNumber(summary.min * scale)}–${formatNumber(summary.max * scale)}`];
}

function table(headers, rows) {
  const lines = [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

function runtimeName(runtime) {
  return runtime === node22 ? 'Node.js 22' : 'Node.js 20';
}

// ---------------------------------------------------------------------------
// Measurements. Each returns { id, markdown, summaries } where summaries maps
// a name to a summary, for the targets table.

function measureThroughput() {
  const contenders = [...poolContenders, floor22];
  const cpu = new Map(contenders.map((contender) => [keyOf(contender), []]));
  const samples = interleave('throughput', contenders, options.rounds, (contender) => {
    const outcome = runChild(contender, 'throughput', { tasks: 20000, batch: 1000 });
    cpu.get(keyOf(contender)).push(valueOf(outcome, (result) => result.cpuPerTask));
    return valueOf(outcome);
  });
  const summaries = new Map(contenders.map((contender) => [keyOf(contender), summarize(samples.get(keyOf(contender)))]));
  const rows = contenders.map((contender) => [
    contender.label,
    runtimeName(contender.runtime),
    ...cells(summaries.get(keyOf(contender))),
    ...cells(summarize(cpu.get(keyOf(contender)))),
  ]);
  const markdown = [
    '## 1. Throughput of tiny tasks',
    '',
    `20,000 tasks of \`x + 1\`, awaited in batches of 1,000, after one untimed batch of 1,000; pool size ${POOL_SIZE}. Higher is better. ` +
      'CPU µs per task is the user + system time of all threads of the process (`process.cpuUsage()`) over the timed tasks, divided by 20,000; ' +
      'it moves less than tasks/s when other jobs load the machine. Lower is better.',
    '',
    table(['contender', 'runtime', 'tasks/s (median)', 'range (min–max)', 'CPU µs per task (median)', 'range'], rows),
  ].join('\n');
  return { id: 'throughput', markdown, summaries };
}

function measureLatency() {
  const contenders = [...poolContenders, floor22];
  const run = (pinned) => (contender) =>
    valueOf(runChild(contender, 'latency', { warmup: sizes.latencyWarmup, iterations: sizes.latencyIterations }, { pinned }));
  const pinnedSamples = interleave('latency, pinned', contenders, options.rounds, run(true));
  const freeSamples = interleave('latency, unpinned', contenders, options.rounds, run(false));
  const summaries = new Map();
  const rows = contenders.map((contender) => {
    const pinned = summarize(pinnedSamples.get(keyOf(contender)));
    const free = summarize(freeSamples.get(keyOf(contender)));
    summaries.set(`${keyOf(contender)}:pinned`, pinned);
    summaries.set(`${keyOf(contender)}:unpinned`, free);
    return [contender.label, runtimeName(contender.runtime), ...cells(pinned), ...cells(free)];
  });
  const markdown = [
    '## 2. Latency of one tiny task',
    '',
    `One \`x + 1\` task awaited at a time: ${sizes.latencyWarmup.toLocaleString('en-US')} untimed, then ${sizes.latencyIterations.toLocaleString('en-US')} timed; each process reports its median round trip. ` +
      'The untimed tasks let each contender reach optimized code, so the median is a steady-state round trip (start-up is section 3); with fewer of them, the contenders that run more JavaScript per task are measured partly before the engine has optimized it. ' +
      '"Pinned" runs the whole process (main thread and workers) on CPU 0 with `taskset -c 0`. Lower is better.',
    '',
    table(['contender', 'runtime', 'pinned µs (median)', 'pinned range', 'unpinned µs (median)', 'unpinned range'], rows),
  ].join('\n');
  return { id: 'latency', markdown, summaries };
}

function measureCold() {
  const contenders = poolContenders;
  const first = new Map(contenders.map((c) => [keyOf(c), []]));
  const wall = new Map(contenders.map((c) => [keyOf(c), []]));
  const rss = new Map(contenders.map((c) => [keyOf(c), []]));
  interleave('cold start', contenders, sizes.coldRounds, (contender) => {
    const outcome = runChild(contender, 'cold', {}, { measureMemory: true });
    const key = keyOf(contender);
    if (outcome.error) {
      for (const list of [first, wall, rss]) list.get(key).push({ error: outcome.error });
      return { error: outcome.error };
    }
    first.get(key).push({ value: outcome.result.firstResultAt - outcome.startedAt });
    wall.get(key).push({ value: outcome.wallMs });
    rss.get(key).push({ value: (outcome.peakRssKb ?? outcome.result.peakRssKb) / 1024 });
    return { value: outcome.result.firstResultAt - outcome.startedAt };
  });
  const summaries = new Map();
  const rows = contenders.map((contender) => {
    const key = keyOf(contender);
    const s = [summarize(first.get(key)), summarize(wall.get(key)), summarize(rss.get(key))];
    summaries.set(`${key}:first`, s[0]);
    summaries.set(`${key}:wall`, s[1]);
    summaries.set(`${key}:rss`, s[2]);
    return [contender.label, runtimeName(contender.runtime), ...s.flatMap((summary) => cells(summary))];
  });
  const memorySource = timeTool ? '`/usr/bin/time -v` (maximum resident set size)' : 'VmHWM from /proc/self/status read before exit';
  const markdown = [
    '## 3. Cold start',
    '',
    'A fresh process imports the library, runs one `x + 1` task, shuts the pool down and exits. ' +
      '"First result" is from just before the parent starts the process to the moment the result arrives; "wall" is until the process has exited. ' +
      `Peak RSS comes from ${memorySource}. ${sizes.coldRounds} rounds. Lower is better.`,
    '',
    table(['contender', 'runtime', 'first result ms', 'range', 'wall ms', 'range', 'peak RSS MiB', 'range'], rows),
  ].join('\n');
  return { id: 'cold', markdown, summaries };
}

function measureCpu() {
  const calibration = runChild(main20, 'calibrate', { ms: sizes.cpuTaskMs });
  if (calibration.error) {
    const markdown = `## 4. Speed-up of CPU-bound tasks\n\nCalibration failed: ${escapeCell(calibration.error)}`;
    return { id: 'cpu', markdown, summaries: new Map() };
  }
  const { iterations, checksum } = calibration.result;
  const contenders = [main20, main22, ...poolContenders];
  const times = interleave('cpu', contenders, options.rounds, (contender) => valueOf(runChild(contender, 'cpu', { iterations, checksum, tasks: 8 })));

  // Speed-up per round: the main-thread time of the same runtime in the same
  // round divided by the contender's time.
  const speedups = new Map();
  for (const contender of poolContenders) {
    const reference = times.get(contender.runtime === node22 ? 'main22' : 'main20');
    speedups.set(
      keyOf(contender),
      times.get(keyOf(contender)).map((sample, round) => {
        const base = reference[round];
        if (sample.error || base.error) return { error: sample.error || `main thread: ${base.error}` };
        return { value: base.value / sample.value };
      }),
    );
  }
  const summaries = new Map();
  const rows = contenders.map((contender) => {
    const time = summarize(times.get(keyOf(contender)));
    const speedup = speedups.has(keyOf(contender)) ? summarize(speedups.get(keyOf(contender))) : { text: '1 (reference)' };
    summaries.set(keyOf(contender), speedup);
    return [contender.label, runtimeName(contender.runtime), ...cells(time), ...cells(speedup)];
  });
  const markdown = [
    '## 4. Speed-up of CPU-bound tasks',
    '',
    `8 tasks of ${iterations.toLocaleString('en-US')} rounds of an xorshift loop (\`burn()\` in bench/work.js, calibrated to about ${sizes.cpuTaskMs} ms each on the main thread of Node.js 20 at the start of this run), ` +
      `sent to a pool of ${POOL_SIZE} at once after each worker has run one short task. ` +
      'The reference runs the same 8 tasks one after another on the main thread of the same runtime; speed-up is computed per round from the reference of that round. Higher is better; 2 is the most 2 cores allow.',
    '',
    table(['contender', 'runtime', '8 tasks ms (median)', 'range', 'speed-up (median)', 'range'], rows),
  ].join('\n');
  return { id: 'cpu', markdown, summaries };
}

function measureBuffer() {
  const contenders = poolContenders;
  const run = (mode) => (contender) => valueOf(runChild(contender, 'buffer', { mode, repeats: sizes.bufferRepeats }));
  const copy = interleave('16 MiB copy', contenders, options.rounds, run('copy'));
  const transfer = interleave('16 MiB transfer', contenders, options.rounds, run('transfer'));
  const summaries = new Map();
  const rows = contenders.map((contender) => {
    const c = summarize(copy.get(keyOf(contender)));
    const t = summarize(transfer.get(keyOf(contender)));
    summaries.set(`${keyOf(contender)}:copy`, c);
    summaries.set(`${keyOf(contender)}:transfer`, t);
    return [contender.label, runtimeName(contender.runtime), ...cells(c), ...cells(t)];
  });
  const markdown = [
    '## 5. A 16 MiB ArrayBuffer into and out of a thread',
    '',
    `Round trip of one 16 MiB ArrayBuffer that the task returns. Each process reports the median of ${sizes.bufferRepeats} round trips after one untimed trip. ` +
      '"Copied": structured clone both ways (experimental-threads captures the buffer in the closure; multithreading gets it inside an object, because its move() transfers a bare ArrayBuffer). ' +
      '"Transferred": moved both ways without a copy, with each library\'s own transfer mechanism (experimental-threads: `move()` on the captured buffer and on the returned one; ' +
        'piscina and tinypool: their `move()`; workerpool: the `transfer` option and `Transfer`; multithreading: `move()` of the bare buffer; floor: a postMessage transfer list). Lower is better.',
    '',
    table(['contender', 'runtime', 'copied ms (median)', 'range', 'transferred ms (median)', 'range'], rows),
  ].join('\n');
  return { id: 'buffer', markdown, summaries };
}

function measureLocks() {
  const contenders = lockContenders;
  const run = (mode) => (contender) =>
    valueOf(runChild(contender, 'lock', { mode, repeatMs: sizes.lockRepeatMs, durationMs: sizes.lockDurationMs }));
  const modes = ['sync', 'async', 'contendedSync', 'contendedAsync'];
  const titles = { sync: 'uncontended lockSync', async: 'uncontended await lock()', contendedSync: 'contended, blocking', contendedAsync: 'contended, await lock()' };
  const samples = Object.fromEntries(modes.map((mode) => [mode, interleave(titles[mode], contenders, options.rounds, run(mode))]));
  const summaries = new Map();
  const uncontendedRows = [];
  const contendedRows = [];
  for (const contender of contenders) {
    const s = Object.fromEntries(modes.map((mode) => [mode, summarize(samples[mode].get(keyOf(contender)))]));
    for (const mode of modes) summaries.set(`${keyOf(contender)}:${mode}`, s[mode]);
    uncontendedRows.push([contender.label, runtimeName(contender.runtime), ...cells(s.sync), ...cells(s.async)]);
    contendedRows.push([contender.label, runtimeName(contender.runtime), ...cells(s.contendedSync, 1e-6), ...cells(s.contendedAsync, 1e-6)]);
  }
  const markdown = [
    '## 6. Locks',
    '',
    'Uncontended: one thread takes and releases a free lock in a loop (experimental-threads `lockSync()` or `await lock()` then `unlock()`; multithreading `blockingLock()` or `await lock()` then `dispose()`; ' +
      'the baseline is `Atomics.compareExchange` then `Atomics.store` on a SharedArrayBuffer, which has no asynchronous form). ' +
      'Each process reports the median of 5 repetitions of about ' + sizes.lockRepeatMs + ' ms. Lower is better.',
    '',
    table(['lock', 'runtime', 'blocking ns/op (median)', 'range', 'await lock() ns/op (median)', 'range'], uncontendedRows),
    '',
    `Contended: two worker threads each take the lock, increment a shared counter and release it, for ${sizes.lockDurationMs} ms after a common start signal; ` +
      'the counter is checked against the sum of operations. Total operations per second over both threads, in millions. Higher is better.',
    '',
    table(['lock', 'runtime', 'blocking Mops/s (median)', 'range', 'await lock() Mops/s (median)', 'range'], contendedRows),
  ].join('\n');
  return { id: 'locks', markdown, summaries };
}

// ---------------------------------------------------------------------------
// Analyzer

function measureAnalyzer() {
  const script = path.join(root, 'bench', 'analyzer-vs-typescript.mjs');
  const rounds = options.quick ? 3 : 5;
  const result = spawnSync(process.execPath, [script, require.resolve('typescript/lib/_tsc.js', { paths: [root] }), String(rounds)], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`analyzer benchmark failed: ${result.stderr.trim().split('\n').pop()}`);
  const data = JSON.parse(result.stdout.trim().split('\n').pop());
  const range = (r) => `${formatNumber(r.min)}–${formatNumber(r.max)}`;
  const markdown = [
    '## 7. Analysis of a large file',
    '',
    `The Go analyzer (through the addon, as \`spawn\` calls it: parse, scopes, and the plan of one call site appended at the end) against the TypeScript ${data.typescriptVersion} compiler API (\`ts.createSourceFile\`, parse only) on the same real bundle, \`${data.file}\` (${formatNumber(data.bytes / 1e6)} MB), in one process, ${data.rounds} rounds. A site already analyzed is served from the cache. Lower is better.`,
    '',
    table(['step', 'ms (median)', 'range'], [
      ['experimental-threads analyzer: parse and analyze', formatNumber(data.analyzerMs.median), range(data.analyzerMs)],
      ['TypeScript: parse only', formatNumber(data.typescriptParseMs.median), range(data.typescriptParseMs)],
      ['experimental-threads analyzer: cached call site', formatNumber(data.cachedSiteMs), '—'],
    ]),
  ].join('\n');
  return { id: 'analyzer', markdown, summaries: new Map() };
}

// ---------------------------------------------------------------------------
// Targets

/**
 * Builds one targets-table row. `actual` is the measured ratio or value,
 * `limit` the target, and `atLeast` whether actual must be >= limit (else <=).
 */
function targetRow(name, actual, limit, atLeast, unit, detail) {
  if (actual === undefined || !Number.isFinite(actual)) return [name, 'no data', '—', detail];
  const shown = `${formatNumber(actual)}${unit}`;
  const bound = `${atLeast ? '≥' : '≤'} ${formatNumber(limit)}${unit}`;
  const met = atLeast ? actual >= limit : actual <= limit;
  let verdict;
  if (met) verdict = 'met';
  else if (atLeast) verdict = `missed: ${formatNumber(100 * (1 - actual / limit))}% short (needs ${formatNumber(limit / actual)}× more)`;
  else verdict = `missed: ${formatNumber(100 * (actual / limit - 1))}% over (needs ${formatNumber(actual / limit)}× less)`;
  return [name, `${shown} (target ${bound})`, verdict, detail];
}

function median(summaries, key) {
  const summary = summaries && summaries.get(key);
  return summary ? summary.median : undefined;
}

function targets(results) {
  const rows = [];
  const get = (id) => results.find((r) => r.id === id)?.summaries;

  const throughput = get('throughput');
  if (throughput) {
    const oursValue = median(throughput, 'ours');
    const peerValues = peers.map((p) => ({ label: p.label, value: median(throughput, keyOf(p)) })).filter((p) => p.value !== undefined);
    const fastest = peerValues.sort((a, b) => b.value - a.value)[0];
    rows.push(targetRow('tiny-task throughput vs fastest peer', fastest && oursValue / fastest.value, 1.0, true, '×', fastest ? `fastest peer: ${fastest.label}, ${formatNumber(fastest.value)} tasks/s` : 'no peer result'));
    rows.push(targetRow('tiny-task throughput vs floor', oursValue / median(throughput, 'floor'), 0.6, true, '×', `floor: ${formatNumber(median(throughput, 'floor'))} tasks/s`));
  }
  const latency = get('latency');
  if (latency) {
    rows.push(targetRow('pinned latency vs floor', median(latency, 'ours:pinned') / median(latency, 'floor:pinned'), 1.3, false, '×', `ours ${formatNumber(median(latency, 'ours:pinned'))} µs, floor ${formatNumber(median(latency, 'floor:pinned'))} µs`));
  }
  const cold = get('cold');
  if (cold) {
    rows.push(targetRow('cold start to first result vs piscina', median(cold, 'ours:first') / median(cold, 'piscina:first'), 1.0, false, '×', `ours ${formatNumber(median(cold, 'ours:first'))} ms, piscina ${formatNumber(median(cold, 'piscina:first'))} ms`));
    rows.push(targetRow('cold start, whole process, vs piscina', median(cold, 'ours:wall') / median(cold, 'piscina:wall'), 1.0, false, '×', `ours ${formatNumber(median(cold, 'ours:wall'))} ms, piscina ${formatNumber(median(cold, 'piscina:wall'))} ms`));
    rows.push(targetRow('peak RSS vs piscina', median(cold, 'ours:rss') / median(cold, 'piscina:rss'), 1.0, false, '×', `ours ${formatNumber(median(cold, 'ours:rss'))} MiB, piscina ${formatNumber(median(cold, 'piscina:rss'))} MiB`));
  }
  const cpu = get('cpu');
  if (cpu) {
    rows.push(targetRow('speed-up of 8 CPU-bound tasks', median(cpu, 'ours'), 1.95, true, '×', `floor ${formatNumber(median(cpu, 'floor'))}×`));
  }
  const buffer = get('buffer');
  if (buffer) {
    rows.push(targetRow('16 MiB copy vs floor', median(buffer, 'ours:copy') / median(buffer, 'floor:copy'), 1.2, false, '×', `ours ${formatNumber(median(buffer, 'ours:copy'))} ms, floor ${formatNumber(median(buffer, 'floor:copy'))} ms`));
  }
  const locks = get('locks');
  if (locks) {
    rows.push(targetRow('uncontended lockSync vs Atomics baseline', median(locks, 'ours:sync') / median(locks, 'atomics:sync'), 2, false, '×', `ours ${formatNumber(median(locks, 'ours:sync'))} ns, baseline ${formatNumber(median(locks, 'atomics:sync'))} ns`));
    rows.push(targetRow('uncontended await lock()', median(locks, 'ours:async'), 300, false, ' ns', ''));
    rows.push(targetRow('contended (blocking) vs Atomics baseline', median(locks, 'ours:contendedSync') / median(locks, 'atomics:contendedSync'), 0.5, true, '×', `ours ${formatNumber(median(locks, 'ours:contendedSync') / 1e6)} Mops/s, baseline ${formatNumber(median(locks, 'atomics:contendedSync') / 1e6)} Mops/s`));
    rows.push(targetRow('contended (blocking) vs multithreading', median(locks, 'ours:contendedSync') / median(locks, 'multithreading:contendedSync'), 5, true, '×', `multithreading ${formatNumber(median(locks, 'multithreading:contendedSync') / 1e6)} Mops/s`));
  }
  return [
    '## Targets',
    '',
    'Computed from the medians above; "ours" is experimental-threads.',
    '',
    table(['target', 'measured', 'verdict', 'detail'], rows),
  ].join('\n');
}

// ---------------------------------------------------------------------------
// Report

function commandOutput(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : `unknown (${command} failed)`;
}

function packageVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

function machineSection(startLoad, endLoad, minutes) {
  let cpuModel = 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1];
  } catch {
    // Left as unknown.
  }
  const command = process.env.npm_lifecycle_event === 'bench' ? `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}` : `node scripts/bench.js ${process.argv.slice(2).join(' ')}`.trim();
  const ownVersion = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
  const load = (values) => values.map((v) => v.toFixed(2)).join(', ');
  return [
    '## Machine and run',
    '',
    `- Date: ${new Date().toISOString()}; the run took ${minutes.toFixed(1)} minutes.`,
    `- Command: \`${command}\` (${options.rounds} rounds${options.quick ? ', quick sizes' : ''}).`,
    `- CPU: ${cpuModel}; nproc ${commandOutput('nproc', [])}; ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory; kernel ${os.release()}.`,
    `- Load average (1, 5, 15 min) at start: ${load(startLoad)}; at end: ${load(endLoad)}. The machine is shared with other jobs.`,
    `- Runtimes: Node.js ${commandOutput(node20, ['--version'])} (\`${node20}\`) for every contender except multithreading, ` +
      `which needs \`navigator\` and \`Promise.withResolvers\` and so runs on Node.js ${commandOutput(node22, ['--version'])} (\`node_modules/node22/bin/node\`); ` +
      'the floor also runs on Node.js 22 in tables 1 and 2 to show how much of a difference is the runtime.',
    `- Libraries: experimental-threads ${ownVersion} (this tree), piscina ${packageVersion('piscina')}, tinypool ${packageVersion('tinypool')}, workerpool ${packageVersion('workerpool')}, multithreading ${packageVersion('multithreading')}.`,
    `- Pool size ${POOL_SIZE} for every pool; other pool options are the library defaults. Every number comes from a fresh process; contenders take turns within each round and the order rotates each round.`,
  ].join('\n');
}

function main() {
  const all = { throughput: measureThroughput, latency: measureLatency, cold: measureCold, cpu: measureCpu, buffer: measureBuffer, locks: measureLocks, analyzer: measureAnalyzer };
  const ids = options.only ?? Object.keys(all);
  for (const id of ids) if (!all[id]) fail(`unknown measurement ${id}; expected one of ${Object.keys(all).join(', ')}`);

  const startedAt = performance.now();
  const startLoad = os.loadavg();
  const results = [];
  for (const id of ids) {
    try {
      results.push(all[id]());
    } catch (error) {
      results.push({ id, markdown: `## ${id}\n\nThe measurement failed: ${escapeCell(error && error.stack ? error.stack.split('\n')[0] : error)}`, summaries: new Map() });
    }
  }
  const minutes = (performance.now() - startedAt) / 60000;

  const report = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (scripts/bench.js, bench/); every run rewrites this file. Medians over rounds, with the min–max range.',
    '',
    machineSection(startLoad, os.loadavg(), minutes),
    '',
    targets(results),
    '',
    // Written by hand from profiles of this code; update it when the hot path changes.
    fs.readFileSync(path.join(root, 'bench', 'why-missed.md'), 'utf8').trim(),
    '',
    ...results.flatMap((result) => [result.markdown, '']),
  ].join('\n');
  fs.writeFileSync(options.output, report);
  console.log(`\nwrote ${options.output} (${minutes.toFixed(1)} minutes)`);
}

main();
