import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

function runFixture(name) {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const started = performance.now();
  const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
  return { ...child, ms: performance.now() - started };
}

test('process exits by itself after the last task', () => {
  const child = runFixture('exit-after-task.mjs');
  assert.equal(child.signal, null, `killed after ${child.ms} ms: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, 'result 42\n');
  // Idle workers are unreferenced: no linger once the result is in.
  assert.ok(child.ms < 10_000, `took ${child.ms} ms`);
});

test('shutdown ends workers and rejects pending tasks', () => {
  const child = runFixture('shutdown.mjs');
  assert.equal(child.status, 0, child.stderr);
  assert.equal(
    child.stdout,
    'first\nrejected: ERR_THREADS_TERMINATED\nafter\n',
  );
});

test('queued tasks finish before exit', () => {
  const child = runFixture('queued-at-exit.mjs');
  assert.equal(child.signal, null, child.stderr);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, 'all 20 settled in order: true\n');
});

test('closure output reaches pipes before exit', () => {
  const child = runFixture('closure-output.mjs');
  assert.equal(child.signal, null, child.stderr);
  assert.equal(child.status, 0, child.stderr);
  const stdout = child.stdout.split('\n').filter(Boolean);
  const awaited = Array.from({ length: 100 }, (_, i) => `awaited stdout ${i}`);
  assert.deepEqual(stdout.slice(0, 101), [...awaited, 'main after await']);
  const unawaited = stdout.slice(101).sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]));
  assert.deepEqual(unawaited, Array.from({ length: 20 }, (_, i) => `unawaited ${i}`));
  const stderr = child.stderr.split('\n').filter(Boolean);
  assert.deepEqual(stderr, Array.from({ length: 100 }, (_, i) => `awaited stderr ${i}`));
});
