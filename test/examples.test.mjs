import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

function runExample(name, args = []) {
  const script = fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
  const child = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(child.signal, null, `${name} was killed: ${child.stderr}`);
  assert.equal(child.status, 0, `${name}: ${child.stderr}`);
  return child.stdout;
}

const speedLine = /^threads: \d+; worker threads \d+ ms, main thread \d+ ms, speed-up \d+\.\d\dx$/m;

test('every example has a test', () => {
  const tested = ['hash-files.mjs', 'passwords.mjs', 'quickstart.mjs', 'shared-counter.mjs'];
  assert.deepEqual(readdirSync(fileURLToPath(new URL('../examples', import.meta.url))).sort(), tested);
});

test('quickstart prints the value and a UUID', () => {
  const output = runExample('quickstart.mjs');
  assert.match(output, /^worker thread [1-9]\d* sees data\.hello = world$/m);
  assert.match(output, /^main thread 0 got a UUID from the worker: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/m);
});

test('shared-counter prints the exact count', () => {
  assert.equal(runExample('shared-counter.mjs'), 'final count: 8000 (expected 8000)\n');
});

test('hash-files hashes a directory', () => {
  const dir = fileURLToPath(new URL('./fixtures/app', import.meta.url));
  const output = runExample('hash-files.mjs', [dir]);
  assert.match(output, /^3 files, 0\.0 MB under .*fixtures\/app$/m);
  assert.match(output, /^combined SHA-256: [0-9a-f]{64}$/m);
  assert.match(output, speedLine);
});

test('passwords hashes with bcryptjs', () => {
  const output = runExample('passwords.mjs', ['4']);
  assert.match(output, /^4 bcrypt hashes at cost 10; first: \$2b\$10\$00abcdefghijklmnopqrs\S{32} \(verifies: true\)$/m);
  assert.match(output, speedLine);
});
