import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { spawn } from '../index.js';

function runFixture(name, args = []) {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const started = performance.now();
  const child = spawnSync(process.execPath, [...args, script], { encoding: 'utf8', timeout: 30_000 });
  return { ...child, ms: performance.now() - started };
}

test('10,000 spawns queued at once', async () => {
  const count = 10_000;
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, (_, i) => eval(spawn(() => i * 2))));
  const ms = performance.now() - started;
  assert.equal(results.length, count);
  for (let i = 0; i < count; i++) assert.equal(results[i], i * 2);
  const rssMB = process.memoryUsage().rss / 1e6;
  assert.ok(rssMB < 1024, `RSS ${rssMB.toFixed(0)} MB after ${count} tasks`);
  assert.ok(ms < 60_000, `took ${ms.toFixed(0)} ms`);
});

test('addon first loaded in workers, 20 times', () => {
  const child = runFixture('addon-in-worker-only.mjs');
  assert.equal(child.signal, null, child.stderr);
  assert.equal(child.status, 0, child.stderr);
  assert.doesNotMatch(child.stderr, /self-register/);
  assert.equal(child.stdout, '20 rounds\n');
});

test('shutdown mid-work, 50 runs', () => {
  const outcomes = new Map();
  for (let run = 0; run < 50; run++) {
    const child = runFixture('shutdown-mid-work.mjs');
    assert.equal(child.signal, null, `run ${run} hung: ${child.stderr}`);
    assert.equal(child.status, 0, `run ${run}: ${child.stderr}`);
    // Deno's terminate() resolves while a thread may still run briefly, so
    // counts read right after shutdown can still move there.
    const expected = process.versions.deno ? /^(consistent|total \d+ != \d+) ERR_THREADS_TERMINATED\n$/ : /^consistent ERR_THREADS_TERMINATED\n$/;
    assert.match(child.stdout, expected, `run ${run}`);
    outcomes.set(child.stdout, (outcomes.get(child.stdout) ?? 0) + 1);
  }
  if (!process.versions.deno) assert.equal(outcomes.size, 1);
});

test('pending lock keeps process alive', () => {
  const child = runFixture('pending-lock-alive.mjs');
  assert.equal(child.signal, null, child.stderr);
  assert.equal(child.status, 0, child.stderr);
  const lines = child.stdout.trim().split('\n');
  assert.deepEqual([...lines].sort(), ['main got the lock', 'task returned', 'worker got the lock', 'worker waits for the lock']);
  assert.equal(lines.at(-1), 'main got the lock');
  assert.ok(child.ms >= 300, `exited after ${child.ms} ms, before the worker released the lock`);
});

// Signal handling, WebAssembly traps and profiling are Node.js facilities;
// other runtimes differ in ways that are not this library's.
const nodeOnly = (process.versions.bun || process.versions.deno) && 'Node.js only';

test('runtime machinery still works', { skip: nodeOnly }, () => {
  const child = runFixture('runtime-health.mjs');
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, 'wasm traps 100/100\nSIGINT handled 5/5\nchild exit 3, child ok\nworker true\n');
});

// Profiling options reach the workers, whether a value follows with = or as
// the next argument.
for (const form of ['joined', 'separate']) {
  test(`--cpu-prof writes profiles for main and worker threads (values ${form})`, { skip: nodeOnly }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'experimental-threads-prof-'));
    const args = form === 'joined' ? ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=500'] : ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '500'];
    const child = runFixture('exit-after-task.mjs', args);
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, 'result 42\n');
    const profiles = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
    assert.ok(profiles.length >= 2, `profiles: ${profiles.join(', ')}`);
  });
}
