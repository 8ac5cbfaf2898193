import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { configure, move, Mutex, shutdown, spawn } from '../index.js';

async function withPool(options, body) {
  await shutdown();
  configure(options);
  try {
    await body();
  } finally {
    await shutdown();
  }
}

test('move transfers a buffer into the thread', async () => {
  const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
  const data = move(buffer);
  const sum = await eval(spawn(() => new Uint8Array(data).reduce((a, b) => a + b, 0)));
  assert.equal(sum, 10);
  assert.equal(buffer.byteLength, 0);
});

test('move transfers a returned buffer out', async () => {
  await withPool({ size: 1 }, async () => {
    const result = await eval(spawn(() => {
      const out = new Float64Array([0.5, 1.5]);
      globalThis.keptForTest = out.buffer;
      return move(out);
    }));
    assert.ok(result instanceof Float64Array);
    assert.deepEqual([...result], [0.5, 1.5]);
    const leftBehind = await eval(spawn(() => globalThis.keptForTest.byteLength));
    assert.equal(leftBehind, 0);
  });
});

test('move rejects what cannot be moved', () => {
  assert.throws(() => move(new SharedArrayBuffer(4)), { name: 'TypeError', message: /shared already/ });
  assert.throws(() => move({}), { name: 'TypeError', message: /move\(\) takes an ArrayBuffer/ });
});

test('moved buffer captured twice is rejected', async () => {
  const data = move(new Uint8Array([1, 2, 3]));
  assert.equal(await eval(spawn(() => data.length)), 3);
  await assert.rejects(eval(spawn(() => data.length)), {
    name: 'TypeError',
    code: 'ERR_THREADS_CANNOT_SEND',
    message: /^Cannot send captured variable `data` \(declared at .*pool\.test\.mjs:\d+:\d+\): it is an instance of Uint8Array\. Its ArrayBuffer is detached.*moves its buffer once\.$/,
  });
});

test('detached buffer capture is rejected', async () => {
  const bytes = new Uint8Array(8);
  structuredClone(bytes.buffer, { transfer: [bytes.buffer] });
  await assert.rejects(eval(spawn(() => bytes.length)), {
    code: 'ERR_THREADS_CANNOT_SEND',
    message: /captured variable `bytes`.*Its ArrayBuffer is detached/,
  });
});

test('move transfers a Buffer as a Buffer', async () => {
  const buffer = Buffer.alloc(16, 7);
  const data = move(buffer);
  const seen = await eval(spawn(() => [Buffer.isBuffer(data), data.length, data[15]]));
  assert.deepEqual(seen, [true, 16, 7]);
  assert.equal(buffer.buffer.byteLength, 0);
});

test('move rejects a Buffer sharing its memory', async () => {
  const part = Buffer.from(new ArrayBuffer(16), 4, 8);
  const data = move(part);
  await assert.rejects(eval(spawn(() => data.length)), {
    code: 'ERR_THREADS_CANNOT_SEND',
    message: /move\(\) cannot transfer this Buffer, because it shares an ArrayBuffer/,
  });
  assert.equal(part.buffer.byteLength, 16);
});

test('size limits the threads', async () => {
  await withPool({ size: 1 }, async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => eval(spawn(() => threadId))));
    assert.equal(new Set(ids).size, 1);
    assert.notEqual(ids[0], threadId);
  });
});

test('idle workers retire after idleTimeout', async () => {
  await withPool({ size: 1, idleTimeout: 30 }, async () => {
    const first = await eval(spawn(() => threadId));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await eval(spawn(() => threadId));
    assert.notEqual(first, second);
  });
});

test('abort a queued and a running task', async () => {
  await withPool({ size: 1 }, async () => {
    const running = new AbortController();
    const queued = new AbortController();
    const endless = eval(spawn(() => {
      for (;;);
    }, { signal: running.signal }));
    const waiting = eval(spawn(() => 'never ran', { signal: queued.signal }));
    queued.abort(new Error('queued abort'));
    await assert.rejects(waiting, { message: 'queued abort' });
    setTimeout(() => running.abort(new Error('running abort')), 50);
    await assert.rejects(endless, { message: 'running abort' });
    assert.equal(await eval(spawn(() => 'next task runs')), 'next task runs');
  });
});

test('timeout beyond the timer maximum waits', async () => {
  // setTimeout would fire after 1 ms for these.
  for (const timeout of [2 ** 31, 1e10]) {
    const result = await eval(spawn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return 'finished';
    }, { timeout }));
    assert.equal(result, 'finished');
  }
});

test('task timeout ends its worker', async () => {
  await withPool({ size: 1 }, async () => {
    const before = await eval(spawn(() => threadId));
    await assert.rejects(eval(spawn(() => {
      for (;;);
    }, { timeout: 100 })), { name: 'TimeoutError', code: 'ERR_THREADS_TIMEOUT', message: /within 100 ms/ });
    const after = await eval(spawn(() => threadId));
    assert.notEqual(before, after);
  });
});

test('full queue rejects new tasks', async () => {
  await withPool({ size: 1, maxQueue: 2 }, async () => {
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const outcomes = Array.from({ length: 80 }, (_, i) => eval(spawn(() => {
      while (Atomics.load(gate, 0) === 0);
      return i;
    })).then((value) => ({ value }), (error) => ({ code: error.code })));
    await new Promise((resolve) => setTimeout(resolve, 50));
    Atomics.store(gate, 0, 1);
    const settled = await Promise.all(outcomes);
    const accepted = settled.filter((o) => 'value' in o);
    const rejected = settled.filter((o) => o.code === 'ERR_THREADS_QUEUE_FULL');
    assert.equal(accepted.length + rejected.length, 80);
    assert.ok(rejected.length > 0, 'no task was rejected');
    assert.deepEqual(accepted.map((o) => o.value), accepted.map((_, i) => i));
  });
});

test('tasks on one worker run one at a time', async () => {
  await withPool({ size: 1 }, async () => {
    const mutex = new Mutex();
    const a = eval(spawn(async () => {
      const guard = await mutex.lock();
      await new Promise((resolve) => setTimeout(resolve, 50));
      guard.unlock();
      return 'a done';
    }));
    const b = eval(spawn(() => {
      const guard = mutex.lockSync({ timeout: 5000 });
      guard.unlock();
      return 'b done';
    }));
    assert.deepEqual(await Promise.all([a, b]), ['a done', 'b done']);
  });
});

test('long burst after awaited tasks spreads', async () => {
  // After tasks awaited one at a time, a burst of 8 is not sent 4 to each
  // worker: the worker stuck in the 1 s task runs at most one other, while
  // the other worker takes the rest as it finishes each 30 ms task.
  await withPool({ size: 2 }, async () => {
    const run = (ms) => eval(spawn(() => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return threadId;
    }));
    for (let i = 0; i < 20; i++) await run(0);
    const threads = await Promise.all([1000, 30, 30, 30, 30, 30, 30, 30].map(run));
    const slow = threads.filter((thread) => thread === threads[0]).length;
    assert.ok(slow <= 2, `the thread of the 1 s task ran ${slow} of the 8 tasks: ${threads.join(',')}`);
    assert.equal(new Set(threads).size, 2);
  });
});

test('quick tasks skip long-busy worker', async () => {
  await withPool({ size: 2 }, async () => {
    const tiny = (i) => eval(spawn(() => [i, threadId]));
    const long = (ms) => eval(spawn(() => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      return threadId;
    }));
    for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 200 }, (_, i) => tiny(i)));
    await long(20);
    await long(20);
    const slow = long(1000);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => tiny(i)));
    const slowThread = await slow;
    assert.deepEqual(results.map(([i]) => i), Array.from({ length: 200 }, (_, i) => i));
    const behind = results.filter(([, thread]) => thread === slowThread).length;
    assert.equal(behind, 0, `${behind} quick tasks ran on the thread of the 1 s task`);
  });
});

test('messages a closure posts are ignored', async () => {
  await withPool({ size: 1 }, async () => {
    const result = await eval(spawn(async () => {
      const { parentPort } = await import('node:worker_threads');
      parentPort.postMessage({ progress: 50 });
      parentPort.postMessage([1, 0, 'not a result']);
      parentPort.postMessage('text');
      return 'result';
    }));
    assert.equal(result, 'result');
    assert.equal(await eval(spawn(() => 'next')), 'next');
  });
});

test('failed send keeps site usable', async () => {
  await withPool({ size: 2 }, async () => {
    const buffer = new ArrayBuffer(4);
    const run = (data) => eval(spawn(() => data.byteLength));
    const [first, second] = await Promise.allSettled([run(move(buffer)), run(move(buffer))]);
    assert.equal(first.value, 4);
    assert.equal(second.reason.code, 'ERR_THREADS_CANNOT_SEND');
    const later = await Promise.all(Array.from({ length: 6 }, () => run(new ArrayBuffer(2))));
    assert.deepEqual(later, [2, 2, 2, 2, 2, 2]);
  });
});

test('results moving one buffer fail alone', async () => {
  await withPool({ size: 1 }, async () => {
    const give = (shared) => eval(spawn(() => {
      globalThis.runsForTest = (globalThis.runsForTest ?? 0) + 1;
      if (!shared) return 0;
      globalThis.sharedForTest ??= new ArrayBuffer(8);
      return move(new Uint8Array(globalThis.sharedForTest));
    }));
    // Quick replies first, so the four tasks below go in one message.
    for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 100 }, () => give(false)));
    const outcomes = await Promise.allSettled([give(true), give(true), give(true), give(true)]);
    assert.equal(outcomes[0].value.byteLength, 8);
    for (const outcome of outcomes.slice(1)) assert.equal(outcome.reason.code, 'ERR_THREADS_CANNOT_SEND');
    assert.equal(await eval(spawn(() => globalThis.runsForTest)), 304);
  });
});

test('exit keeps results made before it', async () => {
  await withPool({ size: 1 }, async () => {
    const runs = new Int32Array(new SharedArrayBuffer(8));
    const run = (k) => eval(spawn(() => {
      if (k >= 0) Atomics.add(runs, k, 1);
      if (k === 1) process.exit(3);
      return k;
    }));
    // Quick replies first, so the two tasks below go in one message.
    for (let i = 0; i < 30; i++) await run(-1);
    const [first, second] = await Promise.allSettled([run(0), run(1)]);
    assert.equal(first.value, 0);
    assert.equal(second.reason.code, 'ERR_THREADS_WORKER_EXITED');
    assert.deepEqual([...runs], [1, 1]);
  });
});

test('moved task of exited worker fails', async () => {
  await withPool({ size: 1 }, async () => {
    const exit = eval(spawn(() => process.exit(3)));
    const data = move(new ArrayBuffer(8));
    const moved = eval(spawn(() => data.byteLength));
    const [exited, lost] = await Promise.allSettled([exit, moved]);
    assert.equal(exited.reason.code, 'ERR_THREADS_WORKER_EXITED');
    assert.equal(lost.reason.code, 'ERR_THREADS_WORKER_EXITED');
    assert.match(lost.reason.message, /exited before this task started, and the buffers the task moved went with it/);
  });
});

test('batched results get own buffers', async () => {
  await withPool({ size: 1 }, async () => {
    const run = (k) => eval(spawn(() => {
      if (k < 0) return k;
      globalThis.cachedForTest ??= new Uint8Array([5, 6, 7, 8]).buffer;
      return globalThis.cachedForTest;
    }));
    for (let i = 0; i < 30; i++) await run(-1);
    const [first, second] = await Promise.all([run(0), run(1)]);
    assert.notEqual(first, second);
    new Uint8Array(first)[0] = 0;
    assert.deepEqual([...new Uint8Array(second)], [5, 6, 7, 8]);
  });
});

test('batched tasks get own buffers', async () => {
  await withPool({ size: 1 }, async () => {
    for (let i = 0; i < 30; i++) await eval(spawn(() => 1));
    const bytes = new Uint8Array(4);
    const write = eval(spawn(() => bytes.fill(7)[0]));
    const read = eval(spawn(() => [...bytes]));
    assert.equal(await write, 7);
    assert.deepEqual(await read, [0, 0, 0, 0]);
  });
});

test('results leave before new site', async () => {
  await withPool({ size: 1 }, async () => {
    const done = new Int32Array(new SharedArrayBuffer(4));
    const quick = () => eval(spawn(() => 1));
    for (let i = 0; i < 30; i++) await quick();
    let doneWhenQuickSettled;
    const first = quick().then((value) => {
      doneWhenQuickSettled = Atomics.load(done, 0);
      return value;
    });
    const long = eval(spawn(() => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
      Atomics.store(done, 0, 1);
      return 2;
    }));
    assert.deepEqual(await Promise.all([first, long]), [1, 2]);
    assert.equal(doneWhenQuickSettled, 0);
  });
});

test('a crash fails only the running task', async () => {
  await withPool({ size: 1 }, async () => {
    const crash = eval(spawn(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      Promise.reject(new Error('stray rejection'));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }));
    const next = eval(spawn(() => 'ran on a new worker'));
    await assert.rejects(crash, { code: 'ERR_THREADS_WORKER_EXITED', message: /stray rejection/ });
    assert.equal(await next, 'ran on a new worker');
  });
});

test('resourceLimits where it is not enforced', { skip: !(process.versions.bun || process.versions.deno) && 'Node.js enforces resourceLimits' }, async () => {
  await shutdown();
  assert.throws(() => configure({ resourceLimits: { maxOldGenerationSizeMb: 32 } }), { code: 'ERR_THREADS_UNSUPPORTED', message: /not enforced by (Bun|Deno)/ });
});

test('crashes fail only their own task', async () => {
  await withPool({ size: 1 }, async () => {
    await assert.rejects(eval(spawn(() => process.exit(3))), {
      code: 'ERR_THREADS_WORKER_EXITED',
      message: /exited with code 3/,
    });
    assert.equal(await eval(spawn(() => 'after exit')), 'after exit');

    const late = await eval(spawn(() => {
      setTimeout(() => {
        throw new Error('thrown from a timer');
      }, 10);
      return 'returned first';
    }));
    assert.equal(late, 'returned first');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await eval(spawn(() => 'after timer throw')), 'after timer throw');

  });
});

test('out of memory fails only its task', { skip: (process.versions.bun || process.versions.deno) && 'resourceLimits is not enforced here' }, async () => {
  await withPool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } }, async () => {
    await assert.rejects(eval(spawn(() => {
      const hoard = [];
      for (;;) hoard.push(new Array(100_000).fill(hoard.length));
    })), { code: 'ERR_THREADS_WORKER_EXITED', message: /ran out of memory/ });
    assert.equal(await eval(spawn(() => 'after out of memory')), 'after out of memory');
  });
});

test('nested spawn with every worker waiting', async () => {
  await withPool({ size: 2 }, async () => {
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => eval(spawn(async () => {
      const child = await eval(spawn(() => i * 10));
      return child + 1;
    }))));
    assert.deepEqual(results, [1, 11, 21, 31]);
  });
});

test('bad options are rejected', async () => {
  await shutdown();
  assert.throws(() => configure({ size: 0 }), { name: 'RangeError', message: /size must be a whole number/ });
  assert.throws(() => configure({ threads: 2 }), { name: 'TypeError', message: /unknown pool option "threads"/ });
  assert.throws(() => configure({ size: '2' }), { name: 'RangeError', message: /size must be a whole number of threads from 1, got "2"$/ });
  assert.throws(() => configure({ resourceLimits: { maxOldGenMb: 32 } }), { name: 'TypeError', message: /unknown resourceLimits entry "maxOldGenMb"; the entries are maxOldGenerationSizeMb/ });
  assert.throws(() => configure({ resourceLimits: { stackSizeMb: 'big' } }), { name: 'RangeError', message: /resourceLimits\.stackSizeMb must be a positive number of megabytes, got "big"/ });
  assert.throws(() => spawn(() => 1, { timeout: -5 }), { name: 'RangeError', message: /timeout must be a non-negative number/ });
  assert.throws(() => spawn(() => 1, { retries: 1 }), { name: 'TypeError', message: /unknown spawn\(\) option "retries"/ });
});

test('shutdown never hangs', () => {
  const script = fileURLToPath(new URL('./fixtures/shutdown-stuck.mjs', import.meta.url));
  const started = performance.now();
  const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(child.signal, null, `hung and was killed: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, 'both started\nloop: ERR_THREADS_TERMINATED\nlock: ERR_THREADS_TERMINATED\nshutdown settled in under 5 s\n');
  assert.ok(performance.now() - started < 15_000);
});
