import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

test('EXPERIMENTAL_THREADS_DEBUG prints each plan once', () => {
  const script = fileURLToPath(new URL('./fixtures/app/run.mjs', import.meta.url));
  const child = spawnSync(process.execPath, [script], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, EXPERIMENTAL_THREADS_DEBUG: '1' },
  });
  assert.equal(child.status, 0, child.stderr);
  const blocks = child.stderr.split('experimental-threads: spawn at ').slice(1);
  assert.equal(blocks.length, 1);
  assert.match(blocks[0], /^.*fixtures\/app\/caller\.mjs:\d+:\d+\n/);
  assert.match(blocks[0], /\n  captures: input\n/);
  assert.match(blocks[0], /\n  imports: +\{ v4 as uuidv4 \} from "uuid", \{ validate \} from "uuid", shout from "esm-only", /);
  assert.match(blocks[0], /, \* as helper from "\.\/helper\.mjs", /);
  assert.match(blocks[0], /\n  helpers: +\(none\)\n/);
  assert.match(blocks[0], /\n  globals: +\(none\)\n/);
});
