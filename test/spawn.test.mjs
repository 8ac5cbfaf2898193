import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { spawn } from '../index.js';

test('closure runs on another thread', async () => {
  const where = await eval(spawn(() => threadId));
  assert.equal(typeof where, 'number');
  assert.notEqual(where, threadId);
});

test('captured values arrive by value', async () => {
  const number = 42;
  const text = 'héllo';
  const flag = true;
  const nothing = null;
  const missing = undefined;
  const big = 2n ** 70n;
  const nested = { list: [1, { deep: ['x'] }], when: new Date(0) };
  const map = new Map([['a', 1], ['b', { c: 2 }]]);
  const set = new Set([1, 'two', 3n]);
  const date = new Date('2026-01-02T03:04:05.000Z');
  const pattern = /ab+c/gi;
  const typed = new Float64Array([1.5, -2.25]);
  const bytes = new Uint8Array([1, 2, 3]).buffer;

  const seen = await eval(spawn(() => ({
    number, text, flag, nothing, missing, big, nested,
    map: [...map], set: [...set],
    date: date.toISOString(), pattern: [pattern.source, pattern.flags],
    typed: [...typed], bytes: [...new Uint8Array(bytes)],
    kinds: [map instanceof Map, set instanceof Set, date instanceof Date, pattern instanceof RegExp, typed instanceof Float64Array, bytes instanceof ArrayBuffer],
  })));

  assert.equal(seen.number, 42);
  assert.equal(seen.text, 'héllo');
  assert.equal(seen.flag, true);
  assert.equal(seen.nothing, null);
  assert.equal(seen.missing, undefined);
  assert.equal(seen.big, 2n ** 70n);
  assert.deepEqual(seen.nested, { list: [1, { deep: ['x'] }], when: new Date(0) });
  assert.deepEqual(seen.map, [['a', 1], ['b', { c: 2 }]]);
  assert.deepEqual(seen.set, [1, 'two', 3n]);
  assert.equal(seen.date, '2026-01-02T03:04:05.000Z');
  assert.deepEqual(seen.pattern, ['ab+c', 'gi']);
  assert.deepEqual(seen.typed, [1.5, -2.25]);
  assert.deepEqual(seen.bytes, [1, 2, 3]);
  assert.deepEqual(seen.kinds, [true, true, true, true, true, true]);
});

test('captures are copies', async () => {
  const shared = { count: 1 };
  const result = await eval(spawn(() => {
    const local = shared;
    local.count += 10;
    return local.count;
  }));
  assert.equal(result, 11);
  assert.equal(shared.count, 1);
});

test('async closure result is awaited', async () => {
  const delay = 20;
  const value = await eval(spawn(async () => {
    await new Promise((resolve) => setTimeout(resolve, delay));
    return 'late';
  }));
  assert.equal(value, 'late');
});

test('variables from enclosing functions', async () => {
  function outer(a) {
    const b = a * 2;
    return eval(spawn(() => a + b));
  }
  assert.equal(await outer(5), 15);
  assert.equal(await outer(7), 21);
});

test('spawn inside a loop captures each value', async () => {
  const results = [];
  for (let i = 0; i < 5; i++) {
    results.push(eval(spawn(() => i * i)));
  }
  assert.deepEqual(await Promise.all(results), [0, 1, 4, 9, 16]);
});

test('error keeps class message and cause', async () => {
  const limit = 3;
  await assert.rejects(
    eval(spawn(() => {
      throw new RangeError(`over ${limit}`, { cause: new TypeError('inner') });
    })),
    (error) => {
      assert.ok(error instanceof RangeError);
      assert.equal(error.message, 'over 3');
      assert.ok(error.cause instanceof TypeError);
      assert.equal(error.cause.message, 'inner');
      assert.match(error.stack, /spawn\.test\.mjs:\d+:\d+/);
      return true;
    },
  );
});

test('error stack points at the throw line', async () => {
  const error = await eval(spawn(() => {
    throw new Error('boom-line');
  })).catch((e) => e);
  const source = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
  const throwLine = source.findIndex((l) => l.includes("throw new Error('boom-line')")) + 1;
  assert.equal(error.message, 'boom-line');
  const frame = error.stack.split('\n').find((l) => l.includes('spawn.test.mjs'));
  assert.ok(frame, `no frame names the test file in:\n${error.stack}`);
  assert.equal(Number(frame.match(/spawn\.test\.mjs:(\d+):\d+/)[1]), throwLine);
});

test('bridge string is the same per site', () => {
  const strings = new Set();
  for (let i = 0; i < 3; i++) strings.add(spawn(() => i));
  assert.equal(strings.size, 1);
  const [bridge] = strings;
  assert.match(bridge, /^globalThis\[Symbol\.for\("experimental-threads"\)\]\.run\(\d+,\[i\]\)$/);
});

test('workers are reused', async () => {
  const ids = [];
  for (let i = 0; i < 12; i++) {
    ids.push(await eval(spawn(() => threadId)));
  }
  const distinct = new Set(ids);
  assert.ok(distinct.size <= availableParallelism(), `12 sequential tasks used ${distinct.size} threads`);
  assert.ok(distinct.size < ids.length);
});

test('spawn rejects a non-function', () => {
  assert.throws(() => spawn(42), {
    name: 'TypeError',
    message: /spawn\(\) expects the closure to run on a worker thread, got number 42/,
  });
  assert.throws(() => spawn('() => 1'), { name: 'TypeError', message: /got the string "\(\) => 1"/ });
});

test('uncloneable capture is rejected before running', async () => {
  class Point {
    constructor(x) {
      this.x = x;
    }
  }
  const point = new Point(1);
  await assert.rejects(eval(spawn(() => point.x)), {
    name: 'TypeError',
    code: 'ERR_THREADS_CANNOT_SEND',
    message: /Cannot send captured variable `point` \(declared at .*spawn\.test\.mjs:\d+:\d+\): it is an instance of Point/,
  });
});

// vm.compileFunction crashes Node.js on such a parameter name, so the worker
// binds it another way.
test('capture named outside the BMP', async () => {
  const 𝑓 = 3;
  const 𝑔𝑎𝑖𝑛 = 4;
  assert.equal(await eval(spawn(() => 𝑓 * 𝑔𝑎𝑖𝑛)), 12);
});

test('spawn outside a file is rejected', { skip: Boolean(process.versions.bun || process.versions.deno) && 'uses node -e' }, async () => {
  const { spawnSync } = await import('node:child_process');
  const index = new URL('../index.js', import.meta.url).href;
  const code = `import { spawn } from ${JSON.stringify(index)}; await eval(spawn(() => 1));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(child.status, 1);
  assert.match(child.stderr, /spawn\(\) could not find the file it was called from \(the runtime reported .*\[eval1\]\)\. Call spawn from a module file, not from a REPL, node -e/);
});

test('spawn with no argument names undefined', () => {
  assert.throws(() => spawn(), { name: 'TypeError', message: /got undefined\. Write:/ });
});
