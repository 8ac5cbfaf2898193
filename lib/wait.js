'use strict';
// Bridges the addon's asynchronous waits to promises. Each thread opens one
// channel on first use; the addon calls its handler with (ticket, code) on
// this thread when a wait started here ends.

const native = require('./native.js');

// Result codes shared with the addon (atomics.Result).
const OK = 1;
const NOT_EQUAL = 2;
const TIMED_OUT = 3;
const INTERRUPTED = 4;
const SHUTDOWN = 5;

// The maximum time one blocking call stays in Go, in milliseconds. Returning to
// JavaScript this often lets worker.terminate() and process.exit() proceed.
const SLICE_MS = 100;

// How long a result may stay undelivered before the addon wakes this
// thread's event loop again, in milliseconds, on Deno only. Deno 2.9.6
// sometimes queues a threadsafe function call without waking the event
// loop, so the result arrived only at the next unrelated wake-up, about 30 s
// later. That was seen in workers whose code runs from a message event, and
// never in code run by top-level await. Node.js and Bun need no second
// wake-up.
const DENO_RESEND_MS = 10;

const pending = new Map();
let channelOpen = false;

function openChannel() {
  if (channelOpen) return;
  native.openChannel(onResult, process.versions.deno ? DENO_RESEND_MS : 0);
  channelOpen = true;
}

function onResult(ticket, code) {
  const entry = pending.get(ticket);
  if (!entry) return;
  pending.delete(ticket);
  entry(code);
}

/**
 * Starts an asynchronous wait with start() and returns a promise of its
 * result code. start returns a ticket (> 0) or -1 - code for a result known
 * at once. When signal aborts first, the promise rejects with signal.reason;
 * if the result was already on its way, onLateOK undoes an OK result (for
 * example, unlocks a mutex acquired for the aborted caller).
 */
function waitFor(start, signal, onLateOK) {
  if (signal && signal.aborted) return Promise.reject(signal.reason);
  openChannel();
  const r = start();
  if (r < 0) return Promise.resolve(-1 - r);
  return new Promise((resolve, reject) => {
    if (!signal) {
      pending.set(r, resolve);
      return;
    }
    let aborted = false;
    const onAbort = () => {
      if (native.cancel(r)) {
        pending.delete(r);
        reject(signal.reason);
      } else {
        aborted = true;
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    pending.set(r, (code) => {
      signal.removeEventListener('abort', onAbort);
      if (!aborted) {
        resolve(code);
        return;
      }
      if (code === OK && onLateOK) onLateOK();
      reject(signal.reason);
    });
  });
}

/**
 * Runs one blocking call of at most SLICE_MS again and again until it
 * returns something other than INTERRUPTED or TIMED_OUT, or the deadline
 * (a performance.now() value, Infinity for none) passes. A waiter keeps its
 * place in the addon's queue between slices, so the last call has a zero
 * slice: it takes what was granted meanwhile or gives the place up.
 */
function blockUntil(call, deadline) {
  for (;;) {
    const left = deadline - performance.now();
    const code = call(left > 0 ? Math.min(SLICE_MS, left) : 0);
    if (code !== INTERRUPTED && code !== TIMED_OUT) return code;
    if (left <= 0) return TIMED_OUT;
  }
}

function deadlineOf(timeout) {
  if (timeout === undefined || timeout === Infinity) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`timeout must be a non-negative number of milliseconds or Infinity, got ${typeof timeout === 'string' ? JSON.stringify(timeout) : String(timeout)}`);
  }
  return performance.now() + timeout;
}

function validateTimeout(timeout) {
  deadlineOf(timeout);
  return timeout === undefined || timeout === Infinity ? -1 : timeout;
}

class TimeoutError extends Error {
  constructor(message) {
    super(message);
    this.name = 'TimeoutError';
    this.code = 'ERR_THREADS_TIMEOUT';
  }
}

function shutdownError() {
  const error = new Error('experimental-threads: the process is exiting, so the wait was abandoned.');
  error.code = 'ERR_THREADS_SHUTDOWN';
  return error;
}

module.exports = { OK, NOT_EQUAL, TIMED_OUT, INTERRUPTED, SHUTDOWN, SLICE_MS, waitFor, blockUntil, deadlineOf, validateTimeout, TimeoutError, shutdownError };
