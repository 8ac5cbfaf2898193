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
const WORKER_OPTIONS = /^(--(experimental-|no-experimental-|conditions|import|require|loader|enable-source-maps|no-warnings|disable-warning|no-deprecation|trace-warnings|trace-uncaught|trace-deprecation|pending-deprecation|preserve-symlinks))|^-[Cr]$/;

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

class Pool {
  constructor(options = {}) {
    this.size = options.size ?? defaultSize();
    this.workers = [];
    this.queue = [];
    this.nextTaskId = 1;
    this.closed = false;
    this.spawnedWorkers = 0;
  }

  /** Queues a task for site and returns a promise of its result. */
  run(site, values, handles) {
    if (this.closed) return Promise.reject(new Error('experimental-threads: the pool was shut down; no new tasks are accepted.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextTaskId++, site, values, handles, resolve, reject });
      this.dispatch();
    });
  }

  dispatch() {
    while (this.queue.length > 0) {
      const worker = this.pickWorker();
      if (!worker) return;
      this.send(worker, this.queue.shift());
    }
  }

  pickWorker() {
    let best;
    for (const worker of this.workers) {
      if (worker.ready && (!best || worker.tasks.size < best.tasks.size)) best = worker;
    }
    if (best && best.tasks.size === 0) return best;
    if (this.workers.length < this.size) return this.startWorker();
    return best && best.tasks.size < MAX_IN_FLIGHT ? best : undefined;
  }

  startWorker() {
    const thread = new Worker(workerScript, { execArgv: workerExecArgv() });
    const worker = { thread, tasks: new Map(), sites: new Set(), ready: true, id: ++this.spawnedWorkers };
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
    if (worker.tasks.size === 0) worker.thread.ref();
    worker.tasks.set(task.id, task);
    try {
      worker.thread.postMessage({ id: task.id, site: site.id, siteInfo, values: task.values, handles: task.handles });
    } catch (error) {
      worker.tasks.delete(task.id);
      if (worker.tasks.size === 0) worker.thread.unref();
      task.reject(error);
    }
  }

  onMessage(worker, message) {
    const task = worker.tasks.get(message.id);
    if (!task) return;
    worker.tasks.delete(message.id);
    if (worker.tasks.size === 0) worker.thread.unref();
    if (message.ok) task.resolve(message);
    else task.reject(deserializeError(message.error));
    this.dispatch();
  }

  onWorkerGone(worker, error, exitCode) {
    const index = this.workers.indexOf(worker);
    if (index === -1) return;
    this.workers.splice(index, 1);
    worker.ready = false;
    const reason = error
      ? new TerminationError(`experimental-threads: the worker thread running this task failed: ${error && error.message}`)
      : new TerminationError(`experimental-threads: the worker thread running this task exited with code ${exitCode} before the task finished.`);
    if (error) reason.cause = error;
    for (const task of worker.tasks.values()) task.reject(reason);
    worker.tasks.clear();
    if (!this.closed) this.dispatch();
  }

  /** Ends every worker; pending and queued tasks reject. Resolves when all have exited. */
  async shutdown() {
    this.closed = true;
    const reason = new TerminationError('experimental-threads: the pool was shut down before the task finished.', 'ERR_THREADS_TERMINATED');
    for (const task of this.queue) task.reject(reason);
    this.queue.length = 0;
    const workers = this.workers.splice(0);
    for (const worker of workers) {
      for (const task of worker.tasks.values()) task.reject(reason);
      worker.tasks.clear();
    }
    await Promise.all(workers.map((worker) => worker.thread.terminate()));
  }
}

module.exports = { Pool, TerminationError, defaultSize };
