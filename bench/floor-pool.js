'use strict';
// The floor: the least a pool over node:worker_threads can do. N workers, one
// postMessage each way per task, no cap on tasks in flight (each task goes to
// the worker with the fewest outstanding), no per-task checks or encoding.

const path = require('node:path');
const { Worker } = require('node:worker_threads');

const workerScript = path.join(__dirname, 'workers', 'floor-worker.js');

class FloorPool {
  constructor(size) {
    this.nextId = 1;
    this.workers = [];
    for (let i = 0; i < size; i++) this.workers.push(this.startWorker());
  }

  startWorker() {
    const worker = { thread: new Worker(workerScript), pending: new Map() };
    worker.thread.on('message', (message) => {
      const task = worker.pending.get(message.id);
      worker.pending.delete(message.id);
      if (message.error !== undefined) task.reject(new Error(message.error));
      else task.resolve(message.value);
    });
    worker.thread.on('error', (error) => {
      for (const task of worker.pending.values()) task.reject(error);
      worker.pending.clear();
    });
    return worker;
  }

  /** Runs op(arg) on a worker; transfer lists buffers to move instead of copy. */
  run(op, arg, transfer) {
    let best = this.workers[0];
    for (const worker of this.workers) if (worker.pending.size < best.pending.size) best = worker;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      best.pending.set(id, { resolve, reject });
      best.thread.postMessage({ id, op, arg, transfer: transfer !== undefined }, transfer);
    });
  }

  async close() {
    await Promise.all(this.workers.map((worker) => worker.thread.terminate()));
  }
}

module.exports = { FloorPool };
