// `using` and `await using` with Mutex guards and Semaphore permits. The
// library itself never uses the syntax, so it loads on every runtime; a
// module that does use it loads where the runtime parses it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const fixture = new URL('./fixtures/using-guards.mjs', import.meta.url).href;

// Explicit resource management ships in V8 13.x (Node.js 24 and later),
// Bun and Deno; Node.js 20 and 22 reject it as a syntax error.
function parsesUsing() {
  if (process.versions.bun || process.versions.deno) return true;
  return Number(process.versions.node.split('.')[0]) >= 24;
}

if (parsesUsing()) {
  const guards = await import(fixture);
  const count = () => new Int32Array(guards.lock.value.value)[0];

  test('using releases the guard at block end', () => {
    const before = count();
    assert.equal(guards.incrementWithUsing(), true);
    assert.equal(guards.lock.value.locked, false);
    assert.equal(count(), before + 1);
  });

  test('await using releases the guard', async () => {
    const before = count();
    assert.equal(await guards.incrementWithAwaitUsing(), true);
    assert.equal(guards.lock.value.locked, false);
    assert.equal(count(), before + 1);
  });

  test('using releases on throw', () => {
    assert.throws(() => guards.throwWhileHolding(), { message: 'failed holding 2 permits and the lock (4 bytes)' });
    assert.equal(guards.lock.value.locked, false);
    assert.equal(guards.permits.value.available, 3);
  });

  test('using gives permits back', () => {
    assert.equal(guards.permitsInBlock(), 1);
    assert.equal(guards.permits.value.available, 3);
  });

  test('await using in a spawned closure', async () => {
    const before = count();
    const seen = await guards.incrementOnWorker();
    assert.deepEqual(seen, { heldInside: true, count: before + 1 });
    assert.equal(guards.lock.value.locked, false);
    assert.equal(count(), before + 1);
  });

  test('using releases when a closure throws', async () => {
    await assert.rejects(guards.throwOnWorker(), { name: 'RangeError', message: 'worker failed with 1 permit held' });
    assert.equal(guards.lock.value.locked, false);
    assert.equal(guards.permits.value.available, 3);
  });
} else {
  test('using is a syntax error here', async () => {
    await assert.rejects(import(fixture), (error) => {
      assert.ok(error instanceof SyntaxError, `expected a SyntaxError, got ${error && error.stack}`);
      return true;
    });
  });
}
