import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { useImports } from './fixtures/app/caller.mjs';

const expected = {
  valid: true,
  shouted: 'OK!',
  greeting: 'hello from esm-only',
  doubled: 42,
  label: 'relative module',
  flavor: 'import',
  joined: 'a/b',
  hash: '2689367b',
};

function checkResult(result) {
  assert.match(result.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const { id, threadId: worker, ...rest } = result;
  assert.deepEqual(rest, expected);
  return worker;
}

test('imports are re-created in the worker', async () => {
  const worker = checkResult(await useImports('ok'));
  assert.notEqual(worker, threadId);
});

test('imports resolve from another working directory', () => {
  const script = fileURLToPath(new URL('./fixtures/app/run.mjs', import.meta.url));
  const output = execFileSync(process.execPath, [script], { cwd: tmpdir(), encoding: 'utf8', timeout: 30_000 });
  checkResult(JSON.parse(output));
});

test('import attributes reach the worker', async () => {
  const { readGreeting } = await import('./fixtures/attributes/caller.mjs');
  assert.equal(await readGreeting(), 'hello x3');
});
