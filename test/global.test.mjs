import assert from 'node:assert/strict';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { Global, Mutex, spawn } from '../index.js';
import { counter, locked } from './fixtures/counter-module.mjs';

// Runtimes that export node_api_create_external_sharedarraybuffer expose
// Global memory as a real SharedArrayBuffer.
function expectsSharedArrayBuffer() {
  if (process.versions.bun) return true;
  if (process.versions.deno) return false;
  const [major, minor, patch] = process.versions.node.split('.').map(Number);
  if (major === 22) return minor > 23 || (minor === 23 && patch >= 3);
  if (major === 24) return minor >= 16;
  if (major === 26) return minor >= 1;
  return major > 26;
}

test('buffer type follows the runtime', () => {
  const expected = expectsSharedArrayBuffer();
  assert.equal(Global.sharedArrayBuffer, expected);
  assert.equal(counter.value.buffer instanceof SharedArrayBuffer, expected);
  assert.equal(counter.value.buffer instanceof ArrayBuffer, !expected);
});

test('value is shared memory, argument only initialises', () => {
  const initial = new Int32Array(new SharedArrayBuffer(8));
  initial[0] = 7;
  const g = new Global(initial);
  assert.equal(g.value[0], 7);
  g.value[0] = 8;
  assert.equal(initial[0], 7);
  assert.match(g.id, /global\.test\.mjs:\d+:\d+#0$/);
});

test('main then worker see one counter', async () => {
  counter.value[0] = 5;
  const seen = await eval(spawn(() => {
    const before = counter.value[0];
    counter.value[0] = before + 1;
    return [before, threadId];
  }));
  assert.equal(seen[0], 5);
  assert.notEqual(seen[1], threadId);
  assert.equal(counter.value[0], 6);
});

test('three levels of nested workers', async () => {
  counter.value[0] = 0;
  const depth = await eval(spawn(async () => {
    Atomics.add(counter.value, 0, 1);
    return eval(spawn(async () => {
      Atomics.add(counter.value, 0, 1);
      return eval(spawn(() => {
        Atomics.add(counter.value, 0, 1);
        return 3;
      }));
    }));
  }));
  assert.equal(depth, 3);
  assert.equal(counter.value[0], 3);
});

test('sibling workers import a fresh module', async () => {
  const url = new URL('./fixtures/fresh-counter.mjs', import.meta.url).href;
  const increments = 2000;
  const tasks = [];
  for (let w = 0; w < 4; w++) {
    tasks.push(eval(spawn(async () => {
      const { shared } = await import(url);
      for (let i = 0; i < increments; i++) {
        const guard = shared.value.lockSync();
        const cell = guard.value;
        const next = cell[0] + 1; // a plain read-modify-write, safe only under the lock
        cell[0] = next;
        guard.unlock();
      }
      return shared.value.value[0];
    })));
  }
  const partials = await Promise.all(tasks);
  assert.equal(Math.max(...partials), 4 * increments);
  const { shared } = await import(url);
  assert.equal(shared.value.value[0], 4 * increments);
});

test('captured Global keeps prototype and memory', async () => {
  const g = new Global({ lock: new Mutex(), cells: new Int32Array(new SharedArrayBuffer(8)) });
  g.value.cells[1] = 41;
  const result = await eval(spawn(() => {
    const guard = g.value.lock.tryLock();
    g.value.cells[1]++;
    const kinds = [g instanceof Global, g.value.lock instanceof Mutex, guard !== null];
    guard.unlock();
    return kinds;
  }));
  assert.deepEqual(result, [true, true, true]);
  assert.equal(g.value.cells[1], 42);
});

test('locked mutex from module is one lock', async () => {
  const guard = await locked.value.lock();
  const inWorker = await eval(spawn(() => locked.value.tryLock() === null));
  assert.equal(inWorker, true);
  guard.unlock();
  const afterUnlock = await eval(spawn(() => {
    const g = locked.value.tryLock();
    g.unlock();
    return g !== null;
  }));
  assert.equal(afterUnlock, true);
});

test('size mismatch names both definitions', async () => {
  const url = new URL('./fixtures/mismatch.mjs', import.meta.url).href;
  await import(url);
  await assert.rejects(eval(spawn(() => import(url))), (error) => {
    assert.equal(error.code, 'ERR_THREADS_GLOBAL_MISMATCH');
    assert.match(error.message, /mismatch\.mjs:\d+:\d+/);
    assert.match(error.message, /defined as Int32Array of 4 bytes at file:.*mismatch\.mjs:\d+:\d+ \(construction 1 at that site, thread 0\)/);
    assert.match(error.message, /requests Int32Array of 8 bytes at file:.*mismatch\.mjs/);
    return true;
  });
});

test('Global rejects values without shared layout', () => {
  assert.throws(() => new Global(5), { name: 'TypeError', code: 'ERR_THREADS_GLOBAL_SHAPE', message: /value is a number/ });
  assert.throws(() => new Global({ n: 'text' }), { message: /value\.n is a string/ });
});

test('views made from Global memory are shared', async () => {
  const g = new Global({ cells: new Int32Array(4), bytes: new ArrayBuffer(8) });
  const tail = g.value.cells.subarray(2);
  const remade = new Int32Array(g.value.cells.buffer, g.value.cells.byteOffset, 2);
  const data = new DataView(g.value.bytes, 4, 4);
  await eval(spawn(() => {
    tail[0] = 30;
    remade[1] = 10;
    data.setInt32(0, 77);
  }));
  assert.deepEqual([...g.value.cells], [0, 10, 30, 0]);
  assert.equal(new DataView(g.value.bytes).getInt32(4), 77);
});
