// Types for experimental-threads.

/**
 * The code `spawn` returns: a string for a direct `eval` in the caller's
 * scope. The type parameter carries the closure's result type, so
 * `await eval(spawn(() => 1))` is typed as `number`.
 */
export type SpawnCode<T> = string & { readonly __experimentalThreadsResult?: T };

/** The part of AbortSignal this library uses (any AbortSignal fits). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Heap and stack limits for each worker, in MB, as worker_threads takes them. */
export interface ResourceLimits {
  maxYoungGenerationSizeMb?: number;
  maxOldGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}

export interface SpawnOptions {
  /** Aborts the task: a queued task leaves the queue, a running one ends its worker. */
  signal?: AbortSignalLike;
  /** Milliseconds before the task is aborted with a TimeoutError. */
  timeout?: number;
}

/**
 * Prepares `fn` to run on a worker thread and returns code for a direct
 * `eval`. The variables `fn` captures are copied to the worker, the imports
 * it uses are imported there, and functions declared in the module that it
 * calls are shipped by source.
 */
export function spawn<T>(fn: () => T | PromiseLike<T>, options?: SpawnOptions): SpawnCode<Awaited<T>>;

export interface PoolOptions {
  /** Worker threads; default: available parallelism. */
  size?: number;
  /** Milliseconds an idle worker lives before it exits; default 30000. */
  idleTimeout?: number;
  /** Queued tasks allowed while every worker is busy; default Infinity. */
  maxQueue?: number;
  /** Limits for each worker, as in worker_threads. */
  resourceLimits?: ResourceLimits;
}

/** Sets options for the next pool this thread starts (before the first spawn, or after shutdown). */
export function configure(options: PoolOptions): void;

/** Ends every worker of this thread's pool; pending tasks reject. A later spawn starts a new pool. */
export function shutdown(): Promise<void>;

/**
 * Marks a buffer to be transferred, not copied, into or out of a thread; the sender's copy is detached.
 * The result is typed as the buffer so that a closure capturing it type-checks, since the closure
 * receives the buffer itself. On the calling thread it is a marker object: capture it or return it,
 * and keep using the original variable until it is sent.
 */
export function move<T extends ArrayBuffer | ArrayBufferView>(value: T): T;

/** Values that can live in Global memory. */
export type Shareable =
  | SharedArrayBuffer
  | ArrayBuffer
  | ArrayBufferView
  | Mutex<any>
  | Semaphore
  | readonly Shareable[]
  | { readonly [key: string]: Shareable };

/** Memory that is the same in every thread, identified by where it is defined. */
export class Global<T extends Shareable> {
  /** `value` gives the layout and initial contents; `.value` is the shared copy. */
  constructor(value: T);
  /** The shared value. */
  readonly value: T;
  /** The definition-site ID: module URL, line, column and ordinal. */
  readonly id: string;
  /** True where Global memory is a real SharedArrayBuffer, false where it is an ArrayBuffer over the same bytes. */
  static readonly sharedArrayBuffer: boolean;
}

export interface LockOptions {
  /** Milliseconds to wait before rejecting (or throwing) a TimeoutError. */
  timeout?: number;
  /** Aborts the wait; the promise rejects with the signal's reason. */
  signal?: AbortSignalLike;
}

/** A lock over a word in shared memory, the same lock in every thread it reaches. */
export class Mutex<T = undefined> {
  constructor(value?: T);
  readonly value: T;
  readonly locked: boolean;
  lock(options?: LockOptions): Promise<MutexGuard<T>>;
  lockSync(options?: Omit<LockOptions, 'signal'>): MutexGuard<T>;
  tryLock(): MutexGuard<T> | null;
}

/** Proof of holding a Mutex. */
export class MutexGuard<T = undefined> implements Disposable {
  readonly value: T;
  /** Releases the lock; throws if this guard already did. */
  unlock(): void;
  [Symbol.dispose](): void;
}

/** A counting semaphore whose waiters are served in arrival order. */
export class Semaphore {
  constructor(permits: number);
  readonly max: number;
  readonly available: number;
  acquire(permits?: number, options?: LockOptions): Promise<Permit>;
  acquireSync(permits?: number, options?: Omit<LockOptions, 'signal'>): Permit;
  tryAcquire(permits?: number): Permit | null;
  /** Returns permits; throws a RangeError if that would exceed the maximum. */
  release(permits?: number): void;
}

/** Permits held from a Semaphore. */
export class Permit implements Disposable {
  readonly count: number;
  release(): void;
  [Symbol.dispose](): void;
}

export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/** Blocks while array[index] === value, until notify() or the timeout. */
export function wait(array: Int32Array, index: number, value: number, options?: { timeout?: number }): WaitResult;
/** Waits without blocking while array[index] === value. */
export function waitAsync(array: Int32Array, index: number, value: number, options?: LockOptions): Promise<WaitResult>;
/** Wakes up to count waiters (default all); returns how many woke. */
export function notify(array: Int32Array, index: number, count?: number): number;

declare global {
  /** Runs the code `spawn` returned in the caller's scope. */
  function eval<T>(code: SpawnCode<T>): Promise<T>;
}
