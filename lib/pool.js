'use strict';
// The worker pool: generic workers that run any closure by site number. Idle
// workers are unreferenced, so they never keep the process alive; a worker
// with tasks in flight is referenced until they settle.

const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { deserializeError } = require('./codec.js');

const workerScript = path.join(__dirname, 'worker.mjs');

// Tasks sent to one worker before it answers. More than one hides the message
// round trip for tiny tasks; a small cap keeps CPU-bound tasks spread out.
const MAX_IN_FLIGHT = 4;

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
// rejects a worker whose execArgv holds process-wide or V8 options, and some
// builds put such options in process.execArgv, so only these are passed on.
const WORKER_OPTIONS = /^(--(experimental-|no-experimental-|conditions|import|require|loader|enable-source-maps|no-warnings|disable-warning|no-deprecation|trace-warnings|trace-uncaught|trace-deprecation|pending-deprecation|preserve-symlinks|cpu-prof|heap-prof))|^-[Cr]$/;

function workerExecArgv() {
  const argv = [];
  const parent = process.execArgv;
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i];
    if (!WORKER_OPTIONS.test(arg)) continue;
    argv.push(arg);
    // A flag given as two arguments (-C name, --import x) keeps its value.
    if (!arg.includes('=') && /^(-C|-r|--conditions|--import|--require|--loader)$/.test(arg) && i + 1 < parent.length) argv.push(parent[++i]);
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

function checkPoolOptions(options) {
  const out = { size: defaultSize(), ...defaults };
  for (const [key, value] of Object.entries(options)) {
    switch (key) {
      case 'size':
        if (!Number.isInteger(value) || value < 1) throw new RangeError(`pool option size must be a whole number of threads from 1, got ${String(value)}`);
        break;
      case 'idleTimeout':
      case 'maxQueue':
        if (!(value === Infinity || (Number.isInteger(value) && value >= 0))) throw new RangeError(`pool option ${key} must be a whole number from 0 or Infinity, got ${String(value)}`);
        break;
      case 'resourceLimits':
        if (typeof value !== 'object' || value === null) throw new TypeError(`pool option resourceLimits must be an object (see worker_threads resourceLimits), got ${String(value)}`);
        break;
      default:
        throw new TypeError(`unknown pool option ${JSON.stringify(key)}; the options are size, idleTimeout (ms), maxQueue and resourceLimits`);
    }
    out[key] = value;
  }
  return out;
}

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
  }

  /**
   * Queues a task for site and returns a promise of its reply. options.signal
   * and options.timeout (ms) abort it: a queued task leaves the queue, a
   * running one ends its worker, which the pool replaces.
   */
  run(site, values, handles, transfer, options) {
    if (this.closed) return Promise.reject(new TerminationError('experimental-threads: the pool was shut down; no new tasks are accepted.', 'ERR_THREADS_TERMINATED'));
    if (this.queue.length >= this.maxQueue && !this.hasFreeWorker()) {
      const error = new Error(`experimental-threads: the task queue is full (maxQueue ${this.maxQueue}); await some results before spawning more.`);
      error.code = 'ERR_THREADS_QUEUE_FULL';
      return Promise.reject(error);
    }
    const signal = options && options.signal;
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const task = { id: this.nextTaskId++, site, values, handles, transfer, resolve, reject, exclusive: false, worker: undefined };
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
      const timer = setTimeout(() => {
        const error = new Error(`experimental-threads: the task did not finish within ${timeout} ms, so its worker thread was ended.`);
        error.name = 'TimeoutError';
        error.code = 'ERR_THREADS_TIMEOUT';
        abort(error);
      }, timeout);
      timer.unref();
      const previous = task.cleanup;
      task.cleanup = () => {
        clearTimeout(timer);
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

  hasFreeWorker() {
    return this.workers.length < this.size || this.workers.some((worker) => worker.ready && worker.tasks.size === 0);
  }

  dispatch() {
    while (this.queue.length > 0) {
      const task = this.queue[0];
      const worker = this.pickWorker(task.exclusive);
      if (!worker) return;
      this.queue.shift();
      this.send(worker, task);
    }
  }

  pickWorker(exclusive) {
    let best;
    for (const worker of this.workers) {
      if (worker.ready && !worker.exclusive && (!best || worker.tasks.size < best.tasks.size)) best = worker;
    }
    if (best && best.tasks.size === 0) return best;
    if (this.workers.length < this.size) return this.startWorker();
    if (exclusive) return undefined;
    return best && best.tasks.size < MAX_IN_FLIGHT ? best : undefined;
  }

  startWorker() {
    const options = { execArgv: workerExecArgv() };
    if (this.resourceLimits) options.resourceLimits = this.resourceLimits;
    const thread = new Worker(workerScript, options);
    const worker = { thread, tasks: new Map(), sites: new Set(), ready: true, exclusive: false, idleTimer: undefined, id: ++this.spawnedWorkers };
    thread.unref();
    thread.on('message', (message) => this.onMessage(worker, message));
    thread.on('error', (error) => this.onWorkerGone(worker, error));
    thread.on('exit', (code) => this.onWorkerGone(worker, undefined, code));
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
    if (worker.idleTimer) {
      clearTimeout(worker.idleTimer);
      worker.idleTimer = undefined;
    }
    if (worker.tasks.size === 0) worker.thread.ref();
    worker.tasks.set(task.id, task);
    worker.exclusive = task.exclusive;
    task.worker = worker;
    try {
      worker.thread.postMessage({ id: task.id, site: site.id, siteInfo, values: task.values, handles: task.handles }, task.transfer);
    } catch (error) {
      worker.tasks.delete(task.id);
      this.becameIdle(worker);
      this.settle(task, false, error);
    }
  }

  onMessage(worker, message) {
    const task = worker.tasks.get(message.id);
    if (!task) return;
    worker.tasks.delete(message.id);
    this.becameIdle(worker);
    if (message.ok) this.settle(task, true, message);
    else this.settle(task, false, deserializeError(message.error));
    this.dispatch();
  }

  becameIdle(worker) {
    if (worker.tasks.size > 0) return;
    worker.exclusive = false;
    worker.thread.unref();
    if (this.idleTimeout !== Infinity && !this.closed) {
      worker.idleTimer = setTimeout(() => {
        if (worker.tasks.size === 0) this.retire(worker);
      }, this.idleTimeout);
      worker.idleTimer.unref();
    }
  }

  // Takes a worker out of the pool and ends its thread; its tasks reject.
  retire(worker, reason) {
    const index = this.workers.indexOf(worker);
    if (index === -1) return undefined;
    this.workers.splice(index, 1);
    worker.ready = false;
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
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
    if (worker.idleTimer) clearTimeout(worker.idleTimer);
    let reason;
    if (error) {
      const what = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory' : `failed with an uncaught ${error.name || 'error'}: ${error.message}`;
      reason = new TerminationError(`experimental-threads: the worker thread running this task ${what}.`);
      reason.cause = error;
    } else {
      reason = new TerminationError(`experimental-threads: the worker thread running this task exited with code ${exitCode} before the task finished.`);
    }
    for (const task of worker.tasks.values()) this.settle(task, false, reason);
    worker.tasks.clear();
    if (!this.closed) this.dispatch();
  }

  /** Ends every worker; pending and queued tasks reject. Resolves when all have exited. */
  async shutdown() {
    this.closed = true;
    const reason = new TerminationError('experimental-threads: the pool was shut down before the task finished.', 'ERR_THREADS_TERMINATED');
    for (const task of this.queue) this.settle(task, false, reason);
    this.queue.length = 0;
    const workers = [...this.workers];
    await Promise.all(workers.map((worker) => this.retire(worker, reason)));
  }
}

module.exports = { Pool, TerminationError, defaultSize };
