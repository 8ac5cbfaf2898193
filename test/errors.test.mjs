import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { Global, Mutex, Semaphore, spawn } from '../index.js';

const indexURL = new URL('../index.js', import.meta.url).href;

// Writes a module into a fresh directory and returns its path.
function writeModule(name, text) {
  const dir = mkdtempSync(path.join(tmpdir(), 'experimental-threads-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

// Runs module text as a program file, which every runtime's CLI accepts.
function runScript(text) {
  const file = writeModule('program.mjs', text);
  return spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
}

test('non-function given to spawn', () => {
  for (const [value, shown] of [[undefined, 'undefined'], [null, 'null'], [{}, 'an object'], [[1], 'an array']]) {
    assert.throws(() => spawn(value), { name: 'TypeError', message: new RegExp(`got ${shown.replace(/[[\]]/g, '\\$&')}\\. Write: await eval\\(spawn`) });
  }
});

test('spawn never passed to eval warns', () => {
  const file = writeModule('no-eval.mjs', `import { spawn } from ${JSON.stringify(indexURL)};\nconst code = spawn(() => 1);\nawait spawn(() => 2);\n`);
  const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stderr, /EXPERIMENTAL_THREADS_NO_EVAL/);
  assert.match(child.stderr, new RegExp(`spawn\\(\\) at ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:14 returned code that was never passed to eval`));
  assert.match(child.stderr, /no-eval\.mjs:3:7 returned code/);
});

test('captures that cannot be sent', async () => {
  const fn = [() => 1][0]; // a function value, not a declaration the analyzer can ship
  const symbol = Symbol('tag');
  const weak = new WeakMap();
  class Account {}
  const account = new Account();
  const { Socket } = await import('node:net');
  const socket = new Socket();
  const cases = [
    [() => eval(spawn(() => fn() + 1)), /`fn`.*it is (an anonymous function|function fn)\. Functions cannot be copied/],
    [() => eval(spawn(() => String(symbol))), /`symbol`.*it is symbol tag\. Symbols cannot be copied/],
    [() => eval(spawn(() => weak.has({}))), /`weak`.*it is an instance of WeakMap/],
    [() => eval(spawn(() => account.id)), /`account`.*it is an instance of Account/],
    [() => eval(spawn(() => socket.readable)), /`socket`.*it is an instance of Socket/],
  ];
  for (const [run, message] of cases) {
    await assert.rejects(run(), { name: 'TypeError', code: 'ERR_THREADS_CANNOT_SEND', message });
  }
});

test('nested value that cannot be sent names its path', async () => {
  const config = { handlers: [{ onDone() {} }] };
  await assert.rejects(eval(spawn(() => config.handlers.length)), {
    code: 'ERR_THREADS_CANNOT_SEND',
    message: /captured variable `config` .* at value\.handlers\[0\]\.onDone: it is function onDone/,
  });
});

test('result that cannot be sent', async () => {
  await assert.rejects(eval(spawn(() => () => 'a function')), {
    name: 'TypeError',
    code: 'ERR_THREADS_CANNOT_SEND',
    message: /Cannot send the value returned by the closure: it is an anonymous function/,
  });
  await assert.rejects(eval(spawn(() => new (class Shape {})())), { message: /returned by the closure: it is an instance of Shape/ });
});

test('non-Error values thrown in the closure', async () => {
  await assert.rejects(eval(spawn(() => {
    throw 'plain string';
  })), (thrown) => thrown === 'plain string');
  await assert.rejects(eval(spawn(() => {
    throw undefined;
  })), (thrown) => thrown === undefined);
  await assert.rejects(eval(spawn(() => {
    throw { code: 42, detail: ['x'] };
  })), (thrown) => {
    assert.deepEqual(thrown, { code: 42, detail: ['x'] });
    return true;
  });
});

test('user error subclass keeps name and properties', async () => {
  await assert.rejects(eval(spawn(() => {
    class QuotaError extends Error {
      constructor(limit) {
        super(`quota of ${limit} exceeded`);
        this.name = 'QuotaError';
        this.limit = limit;
        this.details = { retryAfter: 30 };
      }
    }
    throw new QuotaError(5);
  })), (error) => {
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'QuotaError');
    assert.equal(error.message, 'quota of 5 exceeded');
    assert.equal(error.limit, 5);
    assert.deepEqual(error.details, { retryAfter: 30 });
    assert.match(error.stack, /errors\.test\.mjs/);
    return true;
  });
});

test('error that cannot be cloned keeps message and stack', async () => {
  await assert.rejects(eval(spawn(() => {
    const error = new Error('has a function property');
    error.callback = () => {};
    error.count = 3;
    throw error;
  })), (error) => {
    assert.equal(error.message, 'has a function property');
    assert.equal(error.callback, undefined);
    assert.equal(error.count, 3);
    assert.match(error.stack, /errors\.test\.mjs:\d+:\d+/);
    return true;
  });
});

test('pooled Buffer returned intact', async () => {
  const results = await eval(spawn(() => {
    const small = Buffer.from('pooled bytes');
    return [small, Buffer.from('still works').toString()];
  }));
  assert.equal(Buffer.from(results[0]).toString(), 'pooled bytes');
  assert.equal(results[1], 'still works');
  const again = await eval(spawn(() => Buffer.from('later call').toString('hex')));
  assert.equal(again, Buffer.from('later call').toString('hex'));
});

test('syntax error in the caller file', () => {
  // The module is valid for the runtime until the function runs; the test
  // breaks the file on disk after loading so the analyzer sees bad syntax.
  const file = writeModule('broken.mjs', `import { spawn } from ${JSON.stringify(indexURL)};\nexport const run = () => eval(spawn(() => 1));\n`);
  const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
    (await import('node:fs')).writeFileSync(${JSON.stringify(file)}, 'const = ;\\n');
    try { await m.run(); } catch (e) { console.log(e.name + '|' + e.code + '|' + e.message); }`;
  const child = runScript(script);
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stdout, /^SyntaxError\|ERR_THREADS_SYNTAX\|/);
  assert.match(child.stdout, new RegExp(`broken\\.mjs:1:\\d+: `));
});

test('call site the analyzer cannot follow', () => {
  const first = () => 1;
  const second = () => 2;
  const pickFirst = Math.random() < 2;
  // spawn is called in the test body itself: Bun attributes a call made
  // inside a callback of node:assert to node:assert.
  let error;
  try {
    spawn(pickFirst ? first : second);
  } catch (thrown) {
    error = thrown;
  }
  assert.ok(error, 'spawn did not throw');
  assert.equal(error.code, 'ERR_THREADS_ANALYSIS');
  assert.ok(!(error instanceof SyntaxError));
  assert.match(error.message, /errors\.test\.mjs:\d+:\d+: /);
});

test('caller file changed after loading', () => {
  const file = writeModule('changed.mjs', `import { spawn } from ${JSON.stringify(indexURL)};\nexport const run = () => eval(spawn(() => 'old code'));\n`);
  const script = `const m = await import(${JSON.stringify(pathToFileURL(file).href)});
    const fs = await import('node:fs');
    fs.writeFileSync(${JSON.stringify(file)}, fs.readFileSync(${JSON.stringify(file)}, 'utf8').replace("'old code'", "'new code, longer'"));
    try { console.log(await m.run()); } catch (e) { console.log(e.code + '|' + e.message); }`;
  const child = runScript(script);
  assert.equal(child.status, 0, child.stderr);
  if (process.versions.bun) {
    // Bun prints transpiled function text, which cannot be compared with the
    // file, so the worker runs the closure's text as it is on disk.
    assert.equal(child.stdout, 'new code, longer\n');
  } else {
    assert.match(child.stdout, /^ERR_THREADS_SOURCE_CHANGED\|spawn\(\) at .*changed\.mjs:2:31: the file on disk no longer matches/);
  }
});

test('closure diagnostics before running', async () => {
  let count = 0;
  const error = (() => {
    try {
      eval(spawn(() => {
        count++;
        return count;
      }));
    } catch (e) {
      return e;
    }
  })();
  assert.equal(error.code, 'ERR_THREADS_ANALYSIS');
  assert.match(error.message, /errors\.test\.mjs:\d+:\d+: .*`count`/);
  assert.match(error.message, /count\+\+;/);
});

test('unlocking an unlocked mutex', () => {
  const mutex = new Mutex();
  const guard = mutex.lockSync();
  guard.unlock();
  assert.throws(() => guard.unlock(), { name: 'Error', code: 'ERR_THREADS_NOT_LOCKED', message: 'Cannot unlock: the mutex is not locked. Each lock must be unlocked exactly once, by its guard.' });
});

test('releasing too many permits', () => {
  const semaphore = new Semaphore(2);
  assert.throws(() => semaphore.release(1), { name: 'RangeError', code: 'ERR_THREADS_TOO_MANY_PERMITS', message: /release of 1 permits would exceed the maximum of 2/ });
});

test('lock timeout and aborted lock', async () => {
  const mutex = new Mutex();
  const held = mutex.lockSync();
  await assert.rejects(mutex.lock({ timeout: 10 }), { name: 'TimeoutError', code: 'ERR_THREADS_TIMEOUT', message: 'Mutex lock timed out after 10 ms' });
  await assert.rejects(mutex.lock({ signal: AbortSignal.timeout(10) }), { name: 'TimeoutError' });
  const controller = new AbortController();
  const pending = mutex.lock({ signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, { name: 'AbortError' });
  held.unlock();
});

test('Global redefined with another size', async () => {
  const file = writeModule('resized.mjs', `import { isMainThread } from 'node:worker_threads';\nimport { Global } from ${JSON.stringify(indexURL)};\nexport const g = new Global(new Float64Array(isMainThread ? 2 : 3));\n`);
  const url = pathToFileURL(file).href;
  await import(url);
  await assert.rejects(eval(spawn(() => import(url))), {
    code: 'ERR_THREADS_GLOBAL_MISMATCH',
    message: /resized\.mjs:3:\d+.*defined as Float64Array of 16 bytes.*requests Float64Array of 24 bytes/s,
  });
  assert.ok(Global.sharedArrayBuffer === true || Global.sharedArrayBuffer === false);
});
