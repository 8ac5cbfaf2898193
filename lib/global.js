'use strict';
// Global: memory that is the same in every thread of the process. Its ID is
// where it is defined (module URL, line, column and an ordinal for repeated
// construction at one site), and the memory lives in the Go registry, so a
// thread that evaluates the same definition gets the existing memory at once,
// with no message from any other thread.

const { threadId } = require('node:worker_threads');
const native = require('./native.js');
const { callerOf } = require('./callsite.js');
const { markHandle, registerHandleType, registerBufferOwner } = require('./codec.js');
const { Mutex, Semaphore, fromState, mutexState, semaphoreState } = require('./sync.js');

const TypedArray = Object.getPrototypeOf(Int8Array);
const typedArrays = {
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
};

// Buffers of registry segments already wrapped in this thread. One wrapper per
// segment and thread avoids registering the same memory twice with the engine.
const segmentBuffers = new Map();
// Objects that view registry memory: object -> { segment, kind, size, type }.
const leafOf = new WeakMap();
const ordinals = new Map();
// Reads a Global's private fields for the handle encoder; set in its static block.
let globalParts;

function shapeError(path, value, reason) {
  const error = new TypeError(
    `new Global(value): ${path} is ${describe(value)}, which cannot live in shared memory.${reason ? ` ${reason}` : ''}` +
      ' A Global holds SharedArrayBuffer, ArrayBuffer, typed arrays, DataView, Mutex, Semaphore, and arrays or plain objects of them; ' +
      'to share a number, use new Int32Array(new SharedArrayBuffer(4)).',
  );
  error.code = 'ERR_THREADS_GLOBAL_SHAPE';
  return error;
}

function describe(value) {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return name ? `an instance of ${name}` : 'an object';
}

/** Describes the layout of value as a tree; throws on what cannot be shared. */
function shapeOf(value, path) {
  if (value === undefined) return { type: 'undefined' };
  if (typeof value !== 'object' || value === null) throw shapeError(path, value, '');
  if (typeof SharedArrayBuffer === 'function' && value instanceof SharedArrayBuffer) return { type: 'SharedArrayBuffer', size: value.byteLength };
  if (value instanceof ArrayBuffer) return { type: 'ArrayBuffer', size: value.byteLength };
  if (value instanceof TypedArray) return { type: value.constructor.name, size: value.byteLength };
  if (value instanceof DataView) return { type: 'DataView', size: value.byteLength };
  if (value instanceof Mutex) return { type: 'Mutex', value: shapeOf(value.value, `${path}.value`) };
  if (value instanceof Semaphore) return { type: 'Semaphore', max: value.max };
  if (value instanceof Global) throw shapeError(path, value, 'Nest its value instead of the Global itself.');
  if (Array.isArray(value)) return { type: 'Array', items: value.map((item, i) => shapeOf(item, `${path}[${i}]`)) };
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    return { type: 'Object', entries: Object.keys(value).map((key) => [key, shapeOf(value[key], `${path}.${key}`)]) };
  }
  throw shapeError(path, value, '');
}

/** The canonical text of a shape, compared across threads to detect mismatches. */
function kindOf(shape) {
  switch (shape.type) {
    case 'undefined':
      return 'undefined';
    case 'Mutex':
      return `Mutex<${kindOf(shape.value)}>`;
    case 'Semaphore':
      return `Semaphore(${shape.max})`;
    case 'Array':
      return `[${shape.items.map(kindOf).join(',')}]`;
    case 'Object':
      return `{${shape.entries.map(([key, inner]) => `${JSON.stringify(key)}:${kindOf(inner)}`).join(',')}}`;
    default:
      return shape.type;
  }
}

/** Bytes of shared memory the shape occupies, state words included. */
function sizeOf(shape) {
  switch (shape.type) {
    case 'undefined':
      return 0;
    case 'Mutex':
      return 8 + sizeOf(shape.value);
    case 'Semaphore':
      return 8;
    case 'Array':
      return shape.items.reduce((sum, item) => sum + sizeOf(item), 0);
    case 'Object':
      return shape.entries.reduce((sum, [, inner]) => sum + sizeOf(inner), 0);
    default:
      return shape.size;
  }
}

function bytesOf(value) {
  if (value instanceof TypedArray || value instanceof DataView) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(value);
}

// Returns this thread's buffer over a registry segment, creating the segment
// (zeroed, then filled with init) if no thread has yet.
function segmentBuffer(segment, kind, size, init, definedAt) {
  let buffer = segmentBuffers.get(segment);
  if (buffer === undefined) {
    buffer = native.define(segment, kind, size, init, definedAt)[0];
    segmentBuffers.set(segment, buffer);
    // Where registry memory is an ArrayBuffer (Node.js 20, Deno), a view made
    // from a Global's value would be copied like any other. Views over it
    // travel as GlobalView handles instead, so they share on every runtime.
    if (!(buffer instanceof SharedArrayBuffer)) registerBufferOwner(buffer, 'GlobalView', { segment, kind, size });
  }
  return buffer;
}

function leaf(object, info) {
  leafOf.set(object, info);
  markHandle(object, 'GlobalLeaf');
  return object;
}

function viewOver(info, buffer) {
  if (info.type === 'SharedArrayBuffer' || info.type === 'ArrayBuffer') return leaf(buffer, info);
  if (info.type === 'DataView') return leaf(new DataView(buffer), info);
  return leaf(new typedArrays[info.type](buffer), info);
}

/** Builds the value of shape over registry memory under id; initial fills new segments. */
function materialize(id, shape, initial, definedAt) {
  switch (shape.type) {
    case 'undefined':
      return undefined;
    case 'Mutex': {
      const info = { segment: `${id}#mutex`, kind: 'Mutex', size: 8, type: 'Int32Array' };
      const init = initial === undefined ? undefined : new Int32Array([Atomics.load(mutexState(initial), 0) === 0 ? 0 : 1, 0]);
      const state = viewOver(info, segmentBuffer(info.segment, info.kind, info.size, init, definedAt));
      return Mutex[fromState](state, materialize(`${id}.value`, shape.value, initial?.value, definedAt));
    }
    case 'Semaphore': {
      const info = { segment: `${id}#semaphore`, kind: `Semaphore(${shape.max})`, size: 8, type: 'Int32Array' };
      const init = initial === undefined ? undefined : new Int32Array([Atomics.load(semaphoreState(initial), 0), 0]);
      const state = viewOver(info, segmentBuffer(info.segment, info.kind, info.size, init, definedAt));
      return Semaphore[fromState](state, shape.max);
    }
    case 'Array':
      return shape.items.map((item, i) => materialize(`${id}[${i}]`, item, initial?.[i], definedAt));
    case 'Object': {
      const out = {};
      // Keys are quoted so that { 'a.b': x } and { a: { b: y } } get distinct IDs.
      for (const [key, inner] of shape.entries) out[key] = materialize(`${id}[${JSON.stringify(key)}]`, inner, initial?.[key], definedAt);
      return out;
    }
    default: {
      const info = { segment: `${id}#bytes`, kind: kindOf(shape), size: shape.size, type: shape.type };
      const init = initial === undefined ? undefined : bytesOf(initial);
      return viewOver(info, segmentBuffer(info.segment, info.kind, info.size, init, definedAt));
    }
  }
}

/**
 * Memory that is the same in every thread. `new Global(value)` takes its ID
 * from where it is written; value gives the layout and initial contents, and
 * `.value` is the shared copy (the argument itself is not shared).
 */
class Global {
  #id;
  #value;
  #shape;

  constructor(value) {
    if (value === fromState) {
      this.#id = arguments[1];
      this.#value = arguments[2];
      this.#shape = arguments[3];
      markHandle(this, 'Global');
      return;
    }
    const site = callerOf(Global);
    if (!site) throw new Error('new Global() could not find where it is defined; construct it in a module file.');
    const key = `${site.url}:${site.line}:${site.column}`;
    const ordinal = ordinals.get(key) ?? 0;
    ordinals.set(key, ordinal + 1);
    const id = `${key}#${ordinal}`;

    const shape = shapeOf(value, 'value');
    if (shape.type === 'undefined') throw shapeError('value', value, 'Pass the memory to share.');
    const definedAt = `${site.url}:${site.line}:${site.column} (construction ${ordinal + 1} at that site, thread ${threadId})`;
    // The ID's own segment records the layout and total size, so a second
    // definition that differs fails here with both definitions named. Its
    // pages are never touched, so the kernel never backs them with memory.
    segmentBuffer(id, kindOf(shape), sizeOf(shape), undefined, definedAt);
    this.#id = id;
    this.#value = materialize(id, shape, value, definedAt);
    this.#shape = shape;
    markHandle(this, 'Global');
  }

  /** The shared value: the same memory in every thread. */
  get value() {
    return this.#value;
  }

  /** The definition-site ID: module URL, line, column and ordinal. */
  get id() {
    return this.#id;
  }

  /** True where the memory is a real SharedArrayBuffer, false where it is an ArrayBuffer over the same bytes. */
  static get sharedArrayBuffer() {
    return native.sharedMemory;
  }

  static {
    globalParts = (g) => ({ id: g.#id, shape: g.#shape });
  }
}


registerHandleType('Global', {
  encode: (g) => globalParts(g),
  decode: (data) => {
    const definedAt = `a capture in thread ${threadId}`;
    return new Global(fromState, data.id, materialize(data.id, data.shape, undefined, definedAt), data.shape);
  },
});

registerHandleType('GlobalLeaf', {
  encode: (object) => leafOf.get(object),
  decode: (info) => viewOver(info, segmentBuffer(info.segment, info.kind, info.size, undefined, `a capture in thread ${threadId}`)),
});

registerHandleType('GlobalView', {
  decode: ({ owner, type, byteOffset, length }) => {
    const buffer = segmentBuffer(owner.segment, owner.kind, owner.size, undefined, `a capture in thread ${threadId}`);
    if (type === 'ArrayBuffer') return buffer;
    if (type === 'DataView') return new DataView(buffer, byteOffset, length);
    return new typedArrays[type](buffer, byteOffset, length);
  },
});

module.exports = { Global };
