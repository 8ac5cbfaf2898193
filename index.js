'use strict';
// experimental-threads: run closures on worker threads with their captured
// variables and imports, share memory that is the same in every thread, and
// lock it with futex-backed Mutex and Semaphore.

const { isMainThread } = require('node:worker_threads');
const native = require('./lib/native.js');
const { spawn, shutdown, configure } = require('./lib/spawn.js');
const { Mutex, MutexGuard, Semaphore, Permit } = require('./lib/sync.js');
const { Global } = require('./lib/global.js');
const { wait, waitAsync, notify } = require('./lib/futex.js');
const { move } = require('./lib/codec.js');

if (isMainThread) {
  // Node.js waits at exit for every worker, and a worker blocked in a futex
  // wait never returns to JavaScript on its own: wake them all.
  process.on('exit', () => native.shutdown());
}

exports.spawn = spawn;
exports.shutdown = shutdown;
exports.configure = configure;
exports.Global = Global;
exports.Mutex = Mutex;
exports.MutexGuard = MutexGuard;
exports.Semaphore = Semaphore;
exports.Permit = Permit;
exports.wait = wait;
exports.waitAsync = waitAsync;
exports.notify = notify;
exports.move = move;
