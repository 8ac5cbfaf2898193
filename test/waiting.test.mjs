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

test('process.exit while a worker waits in lockSync', () => {
  const child = runFixture('exit-while-waiting.mjs');
  assert.equal(child.signal, null, `hung and was killed after ${child.ms} ms`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, 'exiting\n');
  assert.ok(child.ms < 10_000, `took ${child.ms} ms`);
});

test('terminate of a worker waiting in lockSync', () => {
  const child = runFixture('terminate-waiting.mjs');
  assert.equal(child.signal, null, `hung and was killed after ${child.ms} ms`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, 'terminated with code 1 in under 2 s\n');
});

test('worker dies with an async lock pending', () => {
  const child = runFixture('dead-worker-async.mjs');
  assert.equal(child.signal, null, `crashed or hung: ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, `${Array(6).fill('ERR_THREADS_WORKER_EXITED').join(',')}\nsurvived\n`);
});
