// The package loads through `import` and through `require` on every runtime.
// Both give the one CommonJS module, so there is one copy of the addon's
// exports and one bridge. Closures spawned through either run on a worker
// that loads the addon itself.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import * as imported from 'experimental-threads';
import importedDefault from 'experimental-threads';

const require = createRequire(import.meta.url);
const required = require('experimental-threads');
const caller = require('./fixtures/entry/caller.cjs');

const exportNames = ['Global', 'Mutex', 'MutexGuard', 'Permit', 'Semaphore', 'configure', 'notify', 'shutdown', 'spawn', 'wait', 'waitAsync'];

test('import and require give one module', () => {
  assert.equal(importedDefault, required);
  assert.equal(caller.threads, required);
  for (const name of exportNames) {
    assert.equal(typeof required[name], 'function', `require: ${name}`);
    assert.equal(imported[name], required[name], `import: ${name}`);
  }
});

test('require resolves the package root', () => {
  assert.equal(require.resolve('experimental-threads'), fileURLToPath(new URL('../index.js', import.meta.url)));
});

test('spawn through import', async () => {
  const where = await eval(imported.spawn(() => threadId));
  assert.equal(typeof where, 'number');
  assert.notEqual(where, threadId);
});

test('spawn through require', async () => {
  const where = await eval(required.spawn(() => threadId));
  assert.notEqual(where, threadId);
});

test('spawn from a CommonJS caller', async () => {
  const where = await caller.workerThreadId();
  assert.notEqual(where, threadId);
});

test('worker loads the package both ways', async () => {
  const testFile = fileURLToPath(import.meta.url);
  const seen = await eval(imported.spawn(async () => {
    const viaRequire = createRequire(testFile)('experimental-threads');
    const viaImport = await import('experimental-threads');
    const mutex = new viaImport.Mutex(new SharedArrayBuffer(4));
    const guard = mutex.tryLock();
    return {
      same: viaImport.default === viaRequire && viaImport.Mutex === viaRequire.Mutex,
      locked: guard !== null && mutex.locked,
      thread: threadId,
    };
  }));
  assert.deepEqual({ same: seen.same, locked: seen.locked }, { same: true, locked: true });
  assert.notEqual(seen.thread, threadId);
});
