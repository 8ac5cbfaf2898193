'use strict';
// Encodes captured values and results for postMessage. Plain data goes by
// structured clone untouched. The library's own objects (Mutex, Semaphore,
// Global and anything read from Global memory) go by handle, so the receiving
// thread gets the same memory with the right prototype. Values whose clone
// would silently differ from the original are rejected before anything runs.

const HANDLE = '\u0000experimental-threads:handle';

/** Handle types: name -> { encode(object) -> cloneable, decode(data) -> object }. */
const handleTypes = new Map();
/** Objects that travel by handle, found by identity: object -> type name. */
const handleOf = new WeakMap();

function registerHandleType(name, type) {
  handleTypes.set(name, type);
}

// A worker loads Mutex, Semaphore and Global on the first handle it meets.
function handleTypeOf(name) {
  if (!handleTypes.has(name)) require('../index.js');
  const type = handleTypes.get(name);
  if (type === undefined) throw new TypeError(`experimental-threads: unknown handle type ${JSON.stringify(name)}; two different versions of the library may be loaded.`);
  return type;
}

// ArrayBuffers whose views travel as handles: buffer -> { name, owner }.
const bufferOwners = new WeakMap();

/** Makes every view over buffer, and buffer itself, travel as handle `name` with data { owner, type, byteOffset, length }. */
function registerBufferOwner(buffer, name, owner) {
  bufferOwners.set(buffer, { name, owner });
}

/** Whether every thread can access buffer's memory: a SharedArrayBuffer or registry memory. */
function isSharedMemory(buffer) {
  return (typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer) || bufferOwners.has(buffer);
}

function markHandle(object, name) {
  handleOf.set(object, name);
  return object;
}

const clonedAsIs = new Set([
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
]);
if (typeof SharedArrayBuffer === 'function') clonedAsIs.add(SharedArrayBuffer.prototype);
if (typeof Blob === 'function') clonedAsIs.add(Blob.prototype);
const TypedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype);
const NodeBuffer = require('node:buffer').Buffer;

class SendError extends TypeError {
  constructor(message) {
    super(message);
    this.name = 'TypeError';
    this.code = 'ERR_THREADS_CANNOT_SEND';
  }
}

function describeValue(value) {
  if (value === null) return 'null';
  if (typeof value === 'function') {
    return value.name ? `function ${value.name}` : 'an anonymous function';
  }
  if (typeof value === 'symbol') return `symbol ${String(value.description ?? '')}`;
  if (typeof value !== 'object') return typeof value;
  const proto = Object.getPrototypeOf(value);
  const name = proto && proto.constructor && proto.constructor.name;
  return name ? `an instance of ${name}` : 'an object with a custom prototype';
}

/**
 * A value to transfer instead of copy: its ArrayBuffer moves to the receiving
 * thread and is detached (byteLength 0) in the sender.
 */
class Moved {
  constructor(value) {
    this.value = value;
  }
}

function move(value) {
  const buffer = value instanceof ArrayBuffer ? value : ArrayBuffer.isView(value) ? value.buffer : undefined;
  if (!(buffer instanceof ArrayBuffer)) {
    throw new TypeError(`move() takes an ArrayBuffer or a typed array or DataView over one, got ${describeValue(value)}. SharedArrayBuffer memory is shared already and needs no move.`);
  }
  if (buffer.byteLength === 0 && value.byteLength !== 0) {
    throw new TypeError('move() was given a detached ArrayBuffer; it was already moved to another thread.');
  }
  return new Moved(value);
}

function isError(value) {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/**
 * Encodes value for postMessage. `where` names it in errors, e.g. "captured
 * variable `config` (declared at /app/main.mjs:3:7)". Returns { data,
 * handles, transfer, asIs }: handles is true when the receiver must walk
 * data again, and asIs when data contains an object of value itself (a
 * buffer, typed array, Date or Error) rather than a copy. Two such values
 * in one postMessage would arrive as one object if they were the same.
 */
function encode(value, where, transfer = []) {
  const state = { handles: false, asIs: false, seen: new Map(), transfer };
  const data = encodeValue(value, where, '', state);
  return { data, handles: state.handles, transfer, asIs: state.asIs };
}

function encodeValue(value, where, path, state) {
  const type = typeof value;
  if (type !== 'object' && type !== 'function' && type !== 'symbol') return value;
  if (value === null) return value;
  if (value instanceof Moved) return encodeMoved(value.value, where, path, state);
  if (type === 'symbol') throw cannotSend(value, where, path, 'Symbols cannot be copied between threads; send its description as a string instead.');

  const handleName = handleOf.get(value);
  if (handleName !== undefined) {
    state.handles = true;
    return { [HANDLE]: handleName, data: handleTypes.get(handleName).encode(value, (inner, innerPath) => encodeValue(inner, where, `${path}${innerPath}`, state)) };
  }
  if (type === 'function') {
    throw cannotSend(value, where, path, 'Functions cannot be copied between threads. Declare it as a function in the module (it is then shipped by source), or call it inside the closure.');
  }
  if (state.seen.has(value)) return state.seen.get(value);

  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    const copy = new Array(value.length);
    state.seen.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = encodeValue(value[i], where, `${path}[${i}]`, state);
    return copy;
  }
  if (proto === Object.prototype) {
    const copy = {};
    state.seen.set(value, copy); // registered first, so cycles resolve to the copy
    for (const key of Object.keys(value)) defineEntry(copy, key, encodeValue(value[key], where, `${path}.${key}`, state));
    return copy;
  }
  if (proto === null) {
    // Structured clone gives every object Object.prototype, so an object
    // without a prototype travels as a handle and is rebuilt without one.
    state.handles = true;
    const copy = {};
    const handle = { [HANDLE]: 'NullPrototypeObject', data: copy };
    state.seen.set(value, handle);
    for (const key of Object.keys(value)) defineEntry(copy, key, encodeValue(value[key], where, `${path}.${key}`, state));
    return handle;
  }
  if (value instanceof Map) {
    const copy = new Map();
    state.seen.set(value, copy);
    for (const [k, v] of value) copy.set(encodeValue(k, where, `${path}<key>`, state), encodeValue(v, where, `${path}.get(${String(k)})`, state));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    state.seen.set(value, copy);
    for (const v of value) copy.add(encodeValue(v, where, `${path}<item>`, state));
    return copy;
  }
  if (NodeBuffer && NodeBuffer.isBuffer(value)) {
    // A Buffer clones as a plain Uint8Array, and a small one sits in Node's
    // shared 8 KB pool: send a copy of just its bytes and rebuild a Buffer.
    state.handles = true;
    return { [HANDLE]: 'Buffer', data: new Uint8Array(value) };
  }
  if (clonedAsIs.has(proto) || Object.getPrototypeOf(proto) === TypedArrayPrototype) {
    const buffer = value instanceof ArrayBuffer ? value : ArrayBuffer.isView(value) ? value.buffer : undefined;
    if (buffer instanceof ArrayBuffer && isDetached(buffer)) throw cannotSend(value, where, path, DETACHED_ADVICE);
    const owned = buffer && bufferOwners.get(buffer);
    if (owned === undefined) {
      state.asIs = true;
      return value;
    }
    state.handles = true;
    return { [HANDLE]: owned.name, data: { owner: owned.owner, ...viewLayout(value) } };
  }
  if (isError(value)) {
    state.asIs = true;
    return value;
  }
  throw cannotSend(value, where, path, 'A copy would lose its prototype and methods. Send plain data (objects, arrays, Map, Set, typed arrays) and rebuild the object inside the closure.');
}

// Describes value as a view over its ArrayBuffer: { type, byteOffset, length },
// with length in elements for a typed array and in bytes otherwise.
function viewLayout(value) {
  if (value instanceof ArrayBuffer) return { type: 'ArrayBuffer', byteOffset: 0, length: value.byteLength };
  if (value instanceof DataView) return { type: 'DataView', byteOffset: value.byteOffset, length: value.byteLength };
  return { type: value[Symbol.toStringTag], byteOffset: value.byteOffset, length: value.length };
}

const DETACHED_ADVICE = 'Its ArrayBuffer is detached, because it was moved to another thread with move() or transferred. Send the buffer that thread returns instead.';

// Whether buffer was detached by a transfer. ArrayBuffer.prototype.detached
// is missing before V8 11.4 (Node.js 20), where a view over a detached
// buffer cannot be made.
function isDetached(buffer) {
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

// Whether postMessage can move every buffer of a transfer list: none is
// detached and none is listed twice. Node.js 20 sends a detached buffer as
// an empty one, and Deno moves a buffer listed twice, where other runtimes
// throw.
function canTransfer(list) {
  if (list.length > 1 && new Set(list).size !== list.length) return false;
  for (const item of list) {
    if (item instanceof ArrayBuffer && isDetached(item)) return false;
  }
  return true;
}

// Encodes the value that move() marked: its ArrayBuffer goes in the transfer
// list. A Buffer over Node.js's shared pool cannot be transferred, because
// the pool contains other Buffers too.
function encodeMoved(inner, where, path, state) {
  const buffer = inner instanceof ArrayBuffer ? inner : inner.buffer;
  if (isDetached(buffer)) throw cannotSend(inner, where, path, `${DETACHED_ADVICE} A move() marker moves its buffer once.`);
  if (NodeBuffer && NodeBuffer.isBuffer(inner)) {
    if (inner.byteOffset !== 0 || inner.byteLength !== buffer.byteLength) {
      throw cannotSend(inner, where, path, 'move() cannot transfer this Buffer, because it shares an ArrayBuffer with others (Buffer.from and Buffer.allocUnsafe use a shared pool for small sizes). Capture it without move() to copy it, or make it with Buffer.alloc() to move it.');
    }
    state.handles = true;
    if (!state.transfer.includes(buffer)) state.transfer.push(buffer);
    return { [HANDLE]: 'Buffer', data: new Uint8Array(buffer) };
  }
  if (!state.transfer.includes(buffer)) state.transfer.push(buffer);
  return inner;
}

// Sets key as an own data property, even for "__proto__".
function defineEntry(object, key, value) {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

function cannotSend(value, where, path, advice) {
  const at = path ? ` at ${path.startsWith('.') || path.startsWith('[') ? 'value' + path : path}` : '';
  return new SendError(`Cannot send ${where}${at}: it is ${describeValue(value)}. ${advice}`);
}

/** Decodes what encode produced; a no-op walk is skipped when there are no handles. */
function decode(data, handles) {
  if (!handles) return data;
  return decodeValue(data, new Map());
}

function decodeValue(value, seen) {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  if (Object.prototype.hasOwnProperty.call(value, HANDLE)) {
    const type = handleTypeOf(value[HANDLE]);
    return type.decode(value.data, (inner) => decodeValue(inner, seen));
  }
  if (Array.isArray(value)) {
    seen.set(value, value);
    for (let i = 0; i < value.length; i++) value[i] = decodeValue(value[i], seen);
    return value;
  }
  if (value instanceof Map) {
    seen.set(value, value);
    const entries = [...value];
    value.clear();
    for (const [k, v] of entries) value.set(decodeValue(k, seen), decodeValue(v, seen));
    return value;
  }
  if (value instanceof Set) {
    seen.set(value, value);
    const items = [...value];
    value.clear();
    for (const v of items) value.add(decodeValue(v, seen));
    return value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    seen.set(value, value);
    for (const key of Object.keys(value)) defineEntry(value, key, decodeValue(value[key], seen));
  }
  return value;
}

const errorClasses = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };
if (typeof AggregateError === 'function') errorClasses.AggregateError = AggregateError;

/** Turns a thrown value into cloneable data that keeps class, message, stack and cause. */
function serializeError(thrown, depth = 0) {
  if (!isError(thrown)) {
    try {
      structuredClone(thrown);
      return { kind: 'value', value: thrown };
    } catch {
      return { kind: 'value', value: String(thrown) };
    }
  }
  const props = {};
  for (const key of Object.keys(thrown)) {
    if (key === 'cause') continue;
    try {
      props[key] = structuredClone(thrown[key]);
    } catch {
      // A property that cannot be cloned is left out; the message and stack still arrive.
    }
  }
  const out = {
    kind: 'error',
    name: String(thrown.name),
    constructorName: thrown.constructor && thrown.constructor.name,
    message: String(thrown.message),
    stack: typeof thrown.stack === 'string' ? thrown.stack : undefined,
    props,
  };
  if ('cause' in thrown && depth < 16) out.cause = serializeError(thrown.cause, depth + 1);
  if (thrown instanceof AggregateError && Array.isArray(thrown.errors)) {
    out.errors = thrown.errors.map((e) => serializeError(e, depth + 1));
  }
  return out;
}

/** Rebuilds a thrown value from serializeError's output. */
function deserializeError(data) {
  if (data.kind === 'value') return data.value;
  // A subclass of a built-in class (such as this library's SendError, a
  // TypeError) comes back as the built-in class its name gives.
  const known = (name) => (typeof name === 'string' && Object.hasOwn(errorClasses, name) ? errorClasses[name] : undefined);
  const Ctor = known(data.constructorName) ?? known(data.name) ?? Error;
  const options = data.cause !== undefined ? { cause: deserializeError(data.cause) } : undefined;
  const error = Ctor === AggregateError ? new AggregateError((data.errors || []).map(deserializeError), data.message, options) : new Ctor(data.message, options);
  if (error.name !== data.name) {
    Object.defineProperty(error, 'name', { value: data.name, writable: true, configurable: true, enumerable: false });
  }
  Object.assign(error, data.props);
  if (data.stack !== undefined) {
    Object.defineProperty(error, 'stack', { value: data.stack, writable: true, configurable: true, enumerable: false });
  }
  return error;
}

registerHandleType('NullPrototypeObject', {
  decode: (data, inner) => {
    const object = Object.create(null);
    for (const key of Object.keys(data)) defineEntry(object, key, inner(data[key]));
    return object;
  },
});

registerHandleType('Buffer', {
  decode: (bytes) => NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
});

// Replies from a worker: [REPLY_TAG, id, status, payload, id, status,
// payload, ...]. The tag distinguishes them from messages a closure posts on
// parentPort itself.
const REPLY_TAG = 'experimental-threads reply';
const REPLY_OK = 0; // the payload is a value without handles
const REPLY_WITH_HANDLES = 1; // the payload is a value with handles
const REPLY_FAILED = 2; // the payload is a serialized error

module.exports = {
  move,
  Moved,
  encode,
  decode,
  registerHandleType,
  registerBufferOwner,
  isSharedMemory,
  canTransfer,
  markHandle,
  serializeError,
  deserializeError,
  SendError,
  describeValue,
  REPLY_TAG,
  REPLY_OK,
  REPLY_WITH_HANDLES,
  REPLY_FAILED,
};
