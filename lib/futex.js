'use strict';
// wait/notify over an Int32Array in shared memory, for JavaScript code that
// builds its own primitives. Unlike Atomics.wait, these work on a Global's
// ArrayBuffer (Node.js 20, Deno) as well as on a SharedArrayBuffer, and they
// use the same futex as Mutex and Semaphore. Never mix them with
// Atomics.wait/notify on one word: the two do not wake each other.

const native = require('./native.js');
const { isSharedMemory } = require('./codec.js');
const { OK, NOT_EQUAL, SHUTDOWN, waitFor, blockUntil, deadlineOf, validateTimeout, shutdownError } = require('./wait.js');

const names = { [OK]: 'ok', [NOT_EQUAL]: 'not-equal' };

function checkCell(array, index, method) {
  if (!(array instanceof Int32Array)) {
    throw new TypeError(`${method} expects an Int32Array over shared memory, got ${array === null ? 'null' : typeof array === 'object' ? array.constructor.name : typeof array}`);
  }
  if (!isSharedMemory(array.buffer)) {
    throw new TypeError(`${method} expects an Int32Array over shared memory (a SharedArrayBuffer or Global memory), got one over an ArrayBuffer. Each thread gets its own copy of such a buffer, so no other thread could wake or change it.`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= array.length) {
    throw new RangeError(`${method}: index ${String(index)} is outside the Int32Array of length ${array.length}`);
  }
}

function checkExpected(value, method) {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new RangeError(`${method}: expected value must be a 32-bit integer, got ${String(value)}`);
  }
}

function nameOf(code) {
  if (code === SHUTDOWN) throw shutdownError();
  return names[code] ?? 'timed-out';
}

/**
 * Blocks the calling thread while array[index] === value, until notify()
 * wakes it or options.timeout milliseconds pass. Returns "ok", "not-equal"
 * or "timed-out", like Atomics.wait.
 */
function wait(array, index, value, options = {}) {
  checkCell(array, index, 'wait()');
  checkExpected(value, 'wait()');
  const deadline = deadlineOf(options.timeout);
  return nameOf(blockUntil((slice) => native.wait(array, index, value, slice), deadline));
}

/** Like wait() but without blocking: resolves to "ok", "not-equal" or "timed-out"; options.signal aborts. */
function waitAsync(array, index, value, options = {}) {
  checkCell(array, index, 'waitAsync()');
  checkExpected(value, 'waitAsync()');
  const ms = validateTimeout(options.timeout);
  return waitFor(() => native.waitAsync(array, index, value, ms), options.signal).then(nameOf);
}

/** Wakes up to count waiters (default: all) on array[index]; returns how many woke. */
function notify(array, index, count = Infinity) {
  checkCell(array, index, 'notify()');
  if (count !== Infinity && (!Number.isInteger(count) || count < 0)) {
    throw new RangeError(`notify(): count must be a non-negative integer or Infinity, got ${String(count)}`);
  }
  return native.wake(array, index, count === Infinity ? -1 : Math.min(count, 0x7fffffff));
}

module.exports = { wait, waitAsync, notify };
