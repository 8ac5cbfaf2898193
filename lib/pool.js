'use strict';
// The worker pool: generic workers that run any closure by site number. Idle
// workers are unreferenced, so they never keep the process alive. A worker
// with tasks in flight is referenced until they settle and the code awaiting
// them has resumed.

const os = require('node:os');
const path = require('node:path');
// Imported because the global `performance` is an accessor on Node.js.
const { performance } = require('node:perf_hooks');
const { Worker } = require('node:worker_threads');
const { canTransfer, decode, deserializeError, SendError, REPLY_TAG, REPLY_WITH_HANDLES, REPLY_FAILED } = require('./codec.js');

const workerScript = path.join(__dirname, 'worker.mjs');

// Tasks sent to one worker before it replies, chosen per call site from how
// long its tasks take (an average of send-to-reply times). A worker runs its
// tasks one at a time, so many in flight keep it busy with tiny tasks instead
// of waking it for each one, while long tasks go one per worker so none waits
// behind another. Below 5 ms the limit is also capped by a window per site
// that starts at 2 and doubles when tasks sent that deep come back within
// 5 ms. Tasks awaited one at a time keep it at 2, so a burst of long tasks
// after them is not all sent at once, 4 to a worker, where a worker slowed
// by other processes would keep its share. It starts again at 2 when the
// site's average reaches 5 ms.
const IN_FLIGHT_TINY = 64; // most in flight, for tasks averaging under 1 ms
const IN_FLIGHT_SHORT = 4; // under 5 ms
const IN_FLIGHT_UNKNOWN = 2; // sites not measured yet
const IN_FLIGHT_LONG = 1;

const LONG_MS = 5;

function inFlightLimit(site) {
  const ms = site.averageMs;
  if (ms === undefined) return IN_FLIGHT_UNKNOWN;
  if (ms >= LONG_MS) return IN_FLIGHT_LONG;
  return Math.min(site.window, ms < 1 ? IN_FLIGHT_TINY : IN_FLIGHT_SHORT);
}

// setTimeout fires after 1 ms for a delay above 2^31 - 1 ms (about 24.8
// days), so longer timers are built from several.
const MAX_TIMER_DELAY = 0x7fffffff;

/** Calls fn after ms milliseconds without keeping the process alive; returns { clear }. */
function startTimer(fn, ms) {
  const due = performance.now() + ms;
  let timer;
  const arm = (delay) => {
    timer = setTimeout(() => {
      const left = due - performance.now();
      if (left > 0) arm(left);
      else fn();
    }, Math.min(delay, MAX_TIMER_DELAY));
    timer.unref();
  };
  arm(ms);
  return { clear: () => clearTimeout(timer) };
}

class TerminationError extends Error {
  constructor(message, code = 'ERR_THREADS_WORKER_EXITED') {
    super(message);
    this.name = 'Error';
    this.code = code;
  }
}

function defaultSize() {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length || 1;
}

// Options of the parent process that also apply inside workers. Node.js
// rejects a worker whose execArgv contains process-wide or V8 options, and some
// builds put such options in process.execArgv, so only these are passed on.
const WORKER_OPTIONS = /^(--(experimental-|no-experimental-|conditions|import|require|loader|enable-source-maps|no-warnings|disable-warning|no-deprecation|trace-warnings|trace-uncaught|trace-deprecation|pending-deprecation|preserve-symlinks|cpu-prof|heap-prof))|^-[Cr]$/;

const VALUE_OPTIONS = /^(-C|-r|--conditions|--import|--require|--loader|--experimental-loader|--experimental-default-type|--disable-warning|--(cpu|heap)-prof-(dir|name|interval))$/;

function workerExecArgv() {
  const argv = [];
  const parent = process.execArgv;
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i];
    if (!WORKER_OPTIONS.test(arg)) continue;
    argv.push(arg);
    // A flag given as two arguments (-C name, --import x) keeps its value.
    if (!arg.includes('=') && VALUE_OPTIONS.test(arg) && i + 1 < parent.length) argv.push(parent[++i]);
  }
  // Node.js resolves import.meta.resolve(specifier, parent) with a parent
  // only behind this flag; Bun accepts and ignores it.
  if (!argv.includes('--experimental-import-meta-resolve')) argv.push('--experimental-import-meta-resolve');
  return argv;
}

const defaults = {
  idleTimeout: 30_000,
  maxQueue: Infinity,
  resourceLimits: undefined,
};

// Shows an option value in a message: strings quoted, so '2' and 2 differ.
function shown(value) {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

const RESOURCE_LIMITS = new Set(['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb']);

function checkPoolOptions(options) {
  const out = { size: defaultSize(), ...defaults };
  for (const [key, value] of Object.entries(options)) {
    switch (key) {
      case 'size':
        if (!Number.isInteger(value) || value < 1) throw new RangeError(`pool option size must be a whole number of threads from 1, got ${shown(value)}`);
        break;
      case 'idleTimeout':
      case 'maxQueue':
        if (!(value === Infinity || (Number.isInteger(value) && value >= 0))) throw new RangeError(`pool option ${key} must be a whole number from 0 or Infinity, got ${shown(value)}`);
        break;
      case 'resourceLimits':
        if (typeof value !== 'object' || value === null) throw new TypeError(`pool option resourceLimits must be an object (see worker_threads resourceLimits), got ${shown(value)}`);
        for (const [limit, amount] of Object.entries(value)) {
          if (!RESOURCE_LIMITS.has(limit)) {
            throw new TypeError(`unknown resourceLimits entry ${JSON.stringify(limit)}; the entries are ${[...RESOURCE_LIMITS].join(', ')}`);
          }
          if (!(typeof amount === 'number' && amount > 0 && Number.isFinite(amount))) {
            throw new RangeError(`resourceLimits.${limit} must be a positive number of megabytes, got ${shown(amount)}`);
          }
        }
        if (process.versions.bun || process.versions.deno) {
          // Bun 1.4 and Deno 2.9 accept the option but enforce no limit, so a
          // runaway worker would take the whole process down instead.
          const error = new Error(`pool option resourceLimits is not enforced by ${process.versions.bun ? 'Bun' : 'Deno'}; remove it or run on Node.js.`);
          error.code = 'ERR_THREADS_UNSUPPORTED';
          throw error;
        }
        break;
      default:
        throw new TypeError(`unknown pool option ${JSON.stringify(key)}; the options are size, idleTimeout (ms), maxQueue and resourceLimits`);
    }
    out[key] = value;
  }
  return out;
}

// Deno copies process.env into each new worker, which needs --allow-env, and
// without that permission it prompts on a terminal. Such a worker starts with
// an empty environment instead, because it could not read the variables anyway.
function mayCopyEnvironment() {
  const deno = globalThis.Deno;
  return !deno || deno.permissions.querySync({ name: 'env' }).state === 'granted';
}

const resolved = Promise.resolve();

class Pool {
  constructor(options = {}) {
    const checked = checkPoolOptions(options);
    this.size = checked.size;
    this.idleTimeout = checked.idleTimeout;
    this.maxQueue = checked.maxQueue;
    this.resourceLimits = checked.resourceLimits;
    this.workers = [];
    this.queue = [];
    this.nextTaskId = 1;
    this.closed = false;
    this.spawnedWorkers = 0;
    this.outboxes = [];
    this.flushOutboxes = () => this.flush();
    this.dispatchQueued = () => {
      if (!this.closed) this.dispatch();
    };
    // An idle worker stops keeping the process alive only after the code
    // awaiting its results has resumed. A program that awaits one task at a
    // time sends the next one before then, so the worker stays referenced.
    // Unreferencing and referencing it again would cost four calls into the
    // runtime per task.
    this.unrefNeeded = false;
    this.unrefQueued = false;
    this.unrefIdle = () => {
      this.unrefNeeded = false;
      this.unrefQueued = false;
      for (const worker of this.workers) {
        if (worker.referenced && worker.tasks.size === 0) {
          worker.referenced = false;
          worker.thread.unref();
        }
      }
    };
  }

  /**
   * Queues a task for site and returns a promise of its decoded result. options.signal
   * and options.timeout (ms) abort it: a queued task leaves the queue, a
   * running one ends its worker, which the pool replaces.
   */
  run(site, { data: values, handles, transfer, solo }, options) {
    if (this.closed) return Promise.reject(new TerminationError('experimental-threads: the pool was shut down; no new tasks are accepted.', 'ERR_THREADS_TERMINATED'));
    if (this.queue.length >= this.maxQueue && !this.hasFreeWorker()) {
      const error = new Error(`experimental-threads: the task queue is full (maxQueue ${this.maxQueue}); await some results before spawning more.`);
      error.code = 'ERR_THREADS_QUEUE_FULL';
      return Promise.reject(error);
    }
    const signal = options && options.signal;
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const task = { id: this.nextTaskId++, site, values, handles, transfer, solo, resolve, reject, exclusive: false, worker: undefined, depth: 0, long: false };
      if (options && (signal || options.timeout !== undefined)) this.watch(task, signal, options.timeout);
      this.queue.push(task);
      this.dispatch();
    });
  }

  // An abortable task runs alone on its worker, because aborting a running
  // task ends the whole thread.
  watch(task, signal, timeout) {
    task.exclusive = true;
    const abort = (reason) => this.abort(task, reason);
    if (signal) {
      const onAbort = () => abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      task.cleanup = () => signal.removeEventListener('abort', onAbort);
    }
    if (timeout !== undefined) {
      const timer = startTimer(() => {
        const error = new Error(`experimental-threads: the task did not finish within ${timeout} ms, so its worker thread was ended.`);
        error.name = 'TimeoutError';
        error.code = 'ERR_THREADS_TIMEOUT';
        abort(error);
      }, timeout);
      const previous = task.cleanup;
      task.cleanup = () => {
        timer.clear();
        if (previous) previous();
      };
    }
  }

  abort(task, reason) {
    const queued = this.queue.indexOf(task);
    if (queued !== -1) {
      this.queue.splice(queued, 1);
      this.settle(task, false, reason);
      return;
    }
    const worker = task.worker;
    if (!worker || !worker.tasks.has(task.id)) return;
    worker.tasks.delete(task.id);
    this.settle(task, false, reason);
    this.retire(worker, new TerminationError('experimental-threads: the worker thread was ended because another task on it was aborted.'));
  }

  settle(task, ok, value) {
    if (task.cleanup) task.cleanup();
    if (ok) task.resolve(value);
    else task.reject(value);
  }

  /**
   * Starts the first worker before the first task is ready, so that its
   * start-up runs while the caller's file is being analyzed.
   */
  warmUp() {
    if (this.closed || this.workers.length > 0) return;
    this.becameIdle(this.startWorker(), performance.now());
  }

  hasFreeWorker() {
    return this.workers.length < this.size || this.workers.some((worker) => worker.ready && worker.tasks.size === 0);
  }

  dispatch() {
    while (this.queue.length > 0) {
      const task = this.queue[0];
      const worker = this.pickWorker(task.exclusive, task.site);
      if (!worker) return;
      this.queue.shift();
      this.send(worker, task);
    }
  }

  pickWorker(exclusive, site) {
    let best;
    // A worker running a task of a long site takes no other task until it
    // is done, so quick tasks do not wait behind it.
    for (const worker of this.workers) {
      if (worker.ready && !worker.exclusive && worker.longTasks === 0 && (!best || worker.tasks.size < best.tasks.size)) best = worker;
    }
    if (best && best.tasks.size === 0) return best;
    if (this.workers.length < this.size) return this.startWorker();
    if (exclusive) return undefined;
    return best && best.tasks.size < inFlightLimit(site) ? best : undefined;
  }

  startWorker() {
    const options = { execArgv: workerExecArgv() };
    if (this.resourceLimits) options.resourceLimits = this.resourceLimits;
    if (!mayCopyEnvironment()) options.env = {};
    const thread = new Worker(workerScript, options);
    const worker = { thread, tasks: new Map(), sites: new Set(), ready: true, exclusive: false, longTasks: 0, referenced: false, idleSince: 0, outbox: [], outboxTasks: [], id: ++this.spawnedWorkers };
    thread.on('message', (message) => this.onMessage(worker, message));
    thread.on('error', (error) => this.onWorkerGone(worker, error));
    thread.on('exit', (code) => this.onWorkerGone(worker, undefined, code));
    // After the listeners: a 'message' listener references the thread's port.
    thread.unref();
    this.workers.push(worker);
    return worker;
  }

  send(worker, task) {
    const site = task.site;
    let siteInfo;
    if (!worker.sites.has(site.id)) {
      worker.sites.add(site.id);
      siteInfo = site.info;
    }
    task.sentAt = performance.now();
    if (!worker.referenced) {
      worker.referenced = true;
      worker.thread.ref();
    }
    worker.idleSince = 0;
    worker.tasks.set(task.id, task);
    task.depth = worker.tasks.size;
    task.long = site.averageMs >= LONG_MS;
    if (task.long) worker.longTasks++;
    worker.exclusive = task.exclusive;
    task.worker = worker;
    // A task travels as [id, site, values, handles, siteInfo], shortened
    // when the last ones are not needed: an array has no property names to
    // write and read.
    let message;
    if (siteInfo !== undefined) message = [task.id, site.id, task.values, task.handles, siteInfo];
    else message = task.handles ? [task.id, site.id, task.values, true] : [task.id, site.id, task.values];
    if (task.solo) {
      // After the tasks queued before it, so the worker gets them in order.
      this.flushWorker(worker);
      this.postOne(worker, message, task);
      return;
    }
    // Tasks leave in one message per worker once the current synchronous
    // run of spawns has queued them all: a postMessage costs more than a
    // tiny task.
    if (worker.outbox.length === 0) {
      this.outboxes.push(worker);
      if (this.outboxes.length === 1) resolved.then(this.flushOutboxes);
    }
    worker.outbox.push(message);
    worker.outboxTasks.push(task);
  }

  flush() {
    const workers = this.outboxes;
    this.outboxes = [];
    for (const worker of workers) this.flushWorker(worker);
  }

  flushWorker(worker) {
    const messages = worker.outbox;
    if (messages.length === 0) return;
    const tasks = worker.outboxTasks;
    worker.outbox = [];
    worker.outboxTasks = [];
    if (!worker.ready) return; // gone meanwhile: its tasks were already rejected
    try {
      worker.thread.postMessage(messages.length === 1 ? messages[0] : messages);
    } catch {
      // One task contains a value postMessage cannot send: send them one by
      // one so only that task fails.
      for (let i = 0; i < messages.length; i++) this.postOne(worker, messages[i], tasks[i]);
    }
  }

  postOne(worker, message, task) {
    const site = task.site;
    // The first message of a site to a worker carries the site's details.
    // If that one failed, the next one carries them instead.
    if (message.length < 5 && !worker.sites.has(site.id)) {
      worker.sites.add(site.id);
      message = [message[0], message[1], message[2], message[3] === true, site.info];
    }
    try {
      if (task.transfer !== undefined && !canTransfer(task.transfer)) {
        throw new SendError('Cannot send a captured buffer: it was already moved to another thread (by another task, or by this task to a worker that exited before running it). Move each buffer into one task only.');
      }
      worker.thread.postMessage(message, task.transfer);
    } catch (error) {
      if (message.length === 5) worker.sites.delete(site.id);
      if (!worker.tasks.delete(task.id)) return;
      if (task.long) worker.longTasks--;
      this.becameIdle(worker, performance.now());
      this.settle(task, false, error);
      this.queueUnref();
      // The worker may be free now for a queued task. Not dispatched here,
      // because this can run inside dispatch().
      resolved.then(this.dispatchQueued);
    }
  }

  // A message without the reply tag is one a closure posted itself.
  onMessage(worker, message) {
    if (!Array.isArray(message) || message[0] !== REPLY_TAG) return;
    for (let i = 1; i + 2 < message.length; i += 3) this.onReply(worker, message[i], message[i + 1], message[i + 2]);
    this.dispatch();
    this.queueUnref();
  }

  // Queued after the results are settled, so it runs after the code that
  // awaited them has resumed.
  queueUnref() {
    if (!this.unrefNeeded || this.unrefQueued) return;
    this.unrefQueued = true;
    resolved.then(this.unrefIdle);
  }

  onReply(worker, id, status, payload) {
    const task = worker.tasks.get(id);
    if (!task) return;
    worker.tasks.delete(id);
    if (task.long) worker.longTasks--;
    const site = task.site;
    const now = performance.now();
    const elapsed = now - task.sentAt;
    site.averageMs = site.averageMs === undefined ? elapsed : site.averageMs * 0.8 + elapsed * 0.2;
    if (site.averageMs >= LONG_MS) site.window = IN_FLIGHT_UNKNOWN;
    else if (elapsed < LONG_MS && task.depth * 2 > site.window) site.window = Math.min(IN_FLIGHT_TINY, task.depth * 2);
    this.becameIdle(worker, now);
    if (status === REPLY_FAILED) {
      this.settle(task, false, deserializeError(payload));
      return;
    }
    let value;
    try {
      value = decode(payload, status === REPLY_WITH_HANDLES);
    } catch (error) {
      this.settle(task, false, error);
      return;
    }
    this.settle(task, true, value);
  }

  becameIdle(worker, now) {
    if (worker.tasks.size > 0) return;
    worker.exclusive = false;
    if (worker.referenced) this.unrefNeeded = true;
    if (this.idleTimeout === Infinity || this.closed) return;
    worker.idleSince = now;
    // One timer for the whole pool, not one per task: it retires workers idle
    // for idleTimeout and re-arms while any worker is idle.
    if (!this.idleSweep) this.scheduleIdleSweep(this.idleTimeout);
  }

  scheduleIdleSweep(delay) {
    // A sweep before the first worker is due only re-arms, so a delay past
    // the timer maximum can be cut to it.
    this.idleSweep = setTimeout(() => this.sweepIdle(), Math.min(delay, MAX_TIMER_DELAY));
    this.idleSweep.unref();
  }

  sweepIdle() {
    this.idleSweep = undefined;
    const now = performance.now();
    let next = Infinity;
    for (const worker of [...this.workers]) {
      if (worker.tasks.size > 0 || worker.idleSince === 0) continue;
      const due = worker.idleSince + this.idleTimeout;
      if (due <= now) this.retire(worker);
      else next = Math.min(next, due);
    }
    if (next !== Infinity && !this.closed) this.scheduleIdleSweep(next - now);
  }

  // Takes a worker out of the pool and ends its thread; its tasks reject.
  retire(worker, reason) {
    const index = this.workers.indexOf(worker);
    if (index === -1) return undefined;
    this.workers.splice(index, 1);
    worker.ready = false;
    for (const task of worker.tasks.values()) this.settle(task, false, reason);
    worker.tasks.clear();
    const ended = worker.thread.terminate();
    if (!this.closed) this.dispatch();
    return ended;
  }

  onWorkerGone(worker, error, exitCode) {
    const index = this.workers.indexOf(worker);
    if (index === -1) return;
    this.workers.splice(index, 1);
    worker.ready = false;
    let reason;
    if (error) {
      const what = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory' : `failed with an uncaught ${error.name || 'error'}: ${error.message}`;
      reason = new TerminationError(`experimental-threads: the worker thread running this task ${what}.`);
      reason.cause = error;
    } else {
      reason = new TerminationError(`experimental-threads: the worker thread running this task exited with code ${exitCode} before the task finished.`);
    }
    // A worker runs its tasks one at a time in order, so the oldest one was
    // running. The others never started, so they go to another worker.
    // A task that moved buffers cannot go elsewhere: they went with the
    // thread.
    const [running, ...unstarted] = worker.tasks.values();
    worker.tasks.clear();
    if (running) this.settle(running, false, reason);
    const requeued = [];
    for (const task of unstarted) {
      task.worker = undefined;
      if (task.transfer !== undefined && task.transfer.length > 0) {
        this.settle(task, false, new TerminationError('experimental-threads: the worker thread exited before this task started, and the buffers the task moved went with it, so it cannot run on another thread.'));
      } else {
        requeued.push(task);
      }
    }
    this.queue.unshift(...requeued);
    if (!this.closed) this.dispatch();
  }

  /** Ends every worker; pending and queued tasks reject. Resolves when all have exited. */
  async shutdown() {
    this.closed = true;
    const reason = new TerminationError('experimental-threads: the pool was shut down before the task finished.', 'ERR_THREADS_TERMINATED');
    for (const task of this.queue) this.settle(task, false, reason);
    this.queue.length = 0;
    if (this.idleSweep) clearTimeout(this.idleSweep);
    const workers = [...this.workers];
    await Promise.all(workers.map((worker) => this.retire(worker, reason)));
  }
}

module.exports = { Pool, TerminationError, defaultSize };
