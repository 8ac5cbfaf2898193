'use strict';
// Mutex and Semaphore over a state word in shared memory. The uncontended
// paths are one Atomics operation in JavaScript; waiting goes through the Go
// addon, which blocks on the futex of the word's address. Engine Atomics.wait
// and a raw futex do not wake each other, so these words are never waited on
// with Atomics.wait.

const native = require('./native.js');
const { markHandle, registerHandleType } = require('./codec.js');
const { OK, SHUTDOWN, waitFor, blockUntil, deadlineOf, validateTimeout, TimeoutError, shutdownError } = require('./wait.js');

// Mutex state word values.
const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2; // locked, and a thread may be waiting: unlock must wake

// Lets Global and the handle decoder build objects over existing memory.
const fromState = Symbol('fromState');

// Private-field accessors, assigned in the classes' static blocks.
let unlockMutex;
let mutexState;
let semaphoreState;

function notLockedError() {
  const error = new Error('Cannot unlock: the mutex is not locked. Each lock must be unlocked exactly once, by its guard.');
  error.code = 'ERR_THREADS_NOT_LOCKED';
  return error;
}

function checkOptions(options, method) {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${method} options must be an object like { timeout, signal }, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'timeout' && key !== 'signal') throw new TypeError(`unknown ${method} option ${JSON.stringify(key)}; the options are timeout (ms) and signal`);
  }
  const { signal } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function' || typeof signal.aborted !== 'boolean')) {
    throw new TypeError(`${method} option signal must be an AbortSignal`);
  }
  return options;
}

/** A lock over a 32-bit word in shared memory, the same lock in every thread it reaches. */
class Mutex {
  #state;
  #value;

  /** Creates an unlocked mutex that guards value (reached as guard.value). */
  constructor(value) {
    if (value === fromState) {
      // Internal: new Mutex(fromState, state, value) wraps existing memory.
      this.#state = arguments[1];
      this.#value = arguments[2];
    } else {
      this.#state = new Int32Array(new SharedArrayBuffer(8));
      this.#value = value;
    }
    markHandle(this, 'Mutex');
  }

  static [fromState](state, value) {
    return new Mutex(fromState, state, value);
  }

  /** The guarded value. Reach it through a guard while holding the lock. */
  get value() {
    return this.#value;
  }

  /** Whether some thread holds the lock at this instant. */
  get locked() {
    return Atomics.load(this.#state, 0) !== UNLOCKED;
  }

  /** Takes the lock if it is free, without waiting; returns a guard or null. */
  tryLock() {
    if (Atomics.compareExchange(this.#state, 0, UNLOCKED, LOCKED) === UNLOCKED) return new MutexGuard(this);
    return null;
  }

  /**
   * Waits for the lock without blocking the event loop. Resolves to a guard;
   * rejects with a TimeoutError after options.timeout milliseconds or with
   * options.signal's reason when it aborts, leaving the mutex untouched.
   */
  lock(options) {
    const { timeout, signal } = checkOptions(options, 'lock()');
    const ms = validateTimeout(timeout);
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    if (Atomics.compareExchange(this.#state, 0, UNLOCKED, LOCKED) === UNLOCKED) return Promise.resolve(new MutexGuard(this));
    return waitFor(() => native.mutexLockAsync(this.#state, 0, ms), signal, () => this.#unlock()).then((code) => {
      if (code === OK) return new MutexGuard(this);
      if (code === SHUTDOWN) throw shutdownError();
      throw new TimeoutError(`Mutex lock timed out after ${timeout} ms`);
    });
  }

  /**
   * Blocks the calling thread until the lock is free and returns a guard.
   * Throws a TimeoutError after options.timeout milliseconds. Do not call it
   * on the main thread while a worker may hold the lock for long.
   */
  lockSync(options) {
    const { timeout } = checkOptions(options, 'lockSync()');
    if (timeout !== undefined) validateTimeout(timeout);
    if (Atomics.compareExchange(this.#state, 0, UNLOCKED, LOCKED) === UNLOCKED) return new MutexGuard(this);
    return this.#lockSlow(timeout);
  }

  // Outlined so the fast path above stays small enough to inline.
  #lockSlow(timeout) {
    const code = blockUntil((slice) => native.mutexLock(this.#state, 0, slice), deadlineOf(timeout));
    if (code === OK) return new MutexGuard(this);
    if (code === SHUTDOWN) throw shutdownError();
    throw new TimeoutError(`Mutex lockSync timed out after ${timeout} ms`);
  }

  #unlock() {
    const previous = Atomics.exchange(this.#state, 0, UNLOCKED);
    if (previous === LOCKED) return;
    if (previous === UNLOCKED) throw notLockedError();
    native.wake(this.#state, 0, 1);
  }

  static {
    unlockMutex = (mutex) => mutex.#unlock();
    mutexState = (mutex) => mutex.#state;
  }
}

/** Proof of holding a Mutex: reach the guarded value, then unlock once. */
class MutexGuard {
  #mutex;
  #held = true;

  constructor(mutex) {
    this.#mutex = mutex;
  }

  /** The guarded value. */
  get value() {
    return this.#mutex.value;
  }

  /** Releases the lock. Throws if this guard already released it. */
  unlock() {
    if (!this.#held) throw notLockedError();
    this.#held = false;
    unlockMutex(this.#mutex);
  }

  /** Releases the lock unless unlock() already did, so `using` is safe after unlock(). */
  [Symbol.dispose]() {
    if (this.#held) this.unlock();
  }
}

// Semaphore state: word 0 holds the free permits, word 1 the number of
// queued waiters. Waiters queue in Go in FIFO order.
const PERMITS = 0;
const WAITERS = 1;

function checkPermits(k, method) {
  if (k === undefined) return 1;
  if (!Number.isInteger(k) || k < 1 || k > 0x7fffffff) {
    throw new RangeError(`${method} expects a whole number of permits from 1 to 2147483647, got ${String(k)}`);
  }
  return k;
}

/**
 * A counting semaphore with a fixed maximum of permits, shared by every
 * thread it reaches. Waiters are served strictly in arrival order: once one
 * waits, later acquirers queue behind it even if enough permits are free for
 * them, so a request for many permits is not starved by a stream of small ones.
 */
class Semaphore {
  #state;
  #max;

  /** Creates a semaphore with `permits` free permits, which is also its maximum. */
  constructor(permits) {
    if (permits === fromState) {
      this.#state = arguments[1];
      this.#max = arguments[2];
    } else {
      if (!Number.isInteger(permits) || permits < 1 || permits > 0x7fffffff) {
        throw new RangeError(`new Semaphore(permits) expects a whole number from 1 to 2147483647, got ${String(permits)}`);
      }
      this.#state = new Int32Array(new SharedArrayBuffer(8));
      this.#state[PERMITS] = permits;
      this.#max = permits;
    }
    markHandle(this, 'Semaphore');
  }

  static [fromState](state, max) {
    return new Semaphore(fromState, state, max);
  }

  /** The maximum number of permits. */
  get max() {
    return this.#max;
  }

  /** Free permits at this instant. */
  get available() {
    return Atomics.load(this.#state, PERMITS);
  }

  /** Takes k permits if they are free and no waiter is queued; returns a Permit or null. */
  tryAcquire(k) {
    k = checkPermits(k, 'tryAcquire()');
    this.#checkMax(k);
    return this.#tryFast(k) ? new Permit(this, k) : null;
  }

  #tryFast(k) {
    if (Atomics.load(this.#state, WAITERS) !== 0) return false;
    let free = Atomics.load(this.#state, PERMITS);
    while (free >= k) {
      const seen = Atomics.compareExchange(this.#state, PERMITS, free, free - k);
      if (seen === free) return true;
      free = seen;
    }
    return false;
  }

  #checkMax(k) {
    if (k > this.#max) throw new RangeError(`Cannot acquire ${k} permits from a semaphore whose maximum is ${this.#max}; the request could never be granted.`);
  }

  /** Waits without blocking the event loop for k permits; resolves to a Permit. */
  acquire(k, options) {
    k = checkPermits(k, 'acquire()');
    this.#checkMax(k);
    const { timeout, signal } = checkOptions(options, 'acquire()');
    const ms = validateTimeout(timeout);
    if (signal && signal.aborted) return Promise.reject(signal.reason);
    if (this.#tryFast(k)) return Promise.resolve(new Permit(this, k));
    return waitFor(() => native.semAcquireAsync(this.#state, 0, k, ms, this.#max), signal, () => this.#release(k)).then((code) => {
      if (code === OK) return new Permit(this, k);
      if (code === SHUTDOWN) throw shutdownError();
      throw new TimeoutError(`Semaphore acquire(${k}) timed out after ${timeout} ms`);
    });
  }

  /** Blocks the calling thread until k permits are granted; returns a Permit. */
  acquireSync(k, options) {
    k = checkPermits(k, 'acquireSync()');
    this.#checkMax(k);
    const { timeout } = checkOptions(options, 'acquireSync()');
    if (timeout !== undefined) validateTimeout(timeout);
    if (this.#tryFast(k)) return new Permit(this, k);
    const code = blockUntil((slice) => native.semAcquire(this.#state, 0, k, slice), deadlineOf(timeout));
    if (code === OK) return new Permit(this, k);
    if (code === SHUTDOWN) throw shutdownError();
    throw new TimeoutError(`Semaphore acquireSync(${k}) timed out after ${timeout} ms`);
  }

  /** Returns k permits. Throws a RangeError if that would exceed the maximum. */
  release(k) {
    k = checkPermits(k, 'release()');
    this.#release(k);
  }

  #release(k) {
    native.semRelease(this.#state, 0, k, this.#max);
  }

  static {
    semaphoreState = (semaphore) => semaphore.#state;
  }
}

/** k permits held from a Semaphore; release() or `using` gives them back once. */
class Permit {
  #semaphore;
  #count;
  #held = true;

  constructor(semaphore, count) {
    this.#semaphore = semaphore;
    this.#count = count;
  }

  /** Number of permits held. */
  get count() {
    return this.#count;
  }

  /** Gives the permits back. Throws if they were already released. */
  release() {
    if (!this.#held) {
      const error = new Error('Cannot release: these permits were already released.');
      error.code = 'ERR_THREADS_NOT_HELD';
      throw error;
    }
    this.#held = false;
    this.#semaphore.release(this.#count);
  }

  [Symbol.dispose]() {
    if (this.#held) this.release();
  }
}

registerHandleType('Mutex', {
  encode: (mutex, inner) => ({ state: inner(mutexState(mutex), '.<state>'), value: inner(mutex.value, '.value') }),
  decode: (data, inner) => Mutex[fromState](inner(data.state), inner(data.value)),
});

registerHandleType('Semaphore', {
  encode: (semaphore, inner) => ({ state: inner(semaphoreState(semaphore), '.<state>'), max: semaphore.max }),
  decode: (data, inner) => Semaphore[fromState](inner(data.state), data.max),
});

module.exports = { Mutex, MutexGuard, Semaphore, Permit, fromState, mutexState: (m) => mutexState(m), semaphoreState: (s) => semaphoreState(s) };
