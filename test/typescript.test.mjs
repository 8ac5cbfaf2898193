import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// Runtimes that run .ts files: Node.js from 22.18 strips types by default
// (22.6 behind a flag), and Bun and Deno run them natively.
function runsTypeScript() {
  if (process.versions.bun || process.versions.deno) return true;
  const [major, minor] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 18);
}

const callerURL = new URL('./fixtures/ts/caller.ts', import.meta.url);

test('TypeScript caller runs closures', { skip: !runsTypeScript() && 'this runtime does not run .ts files' }, async () => {
  const { summarise } = await import(callerURL.href);
  const result = await summarise([{ kind: 'square', size: 1 }, { kind: 'circle', size: 1 }]);
  assert.deepEqual(result, { total: Math.round(4 + Math.PI * 4), largest: 'circle:2' });
});

test('TypeScript error points at the throw line', { skip: !runsTypeScript() && 'this runtime does not run .ts files' }, async () => {
  const { fails } = await import(callerURL.href);
  const error = await fails().catch((e) => e);
  assert.ok(error instanceof TypeError);
  assert.equal(error.message, 'typed failure');
  const lines = readFileSync(fileURLToPath(callerURL), 'utf8').split('\n');
  const throwLine = lines.findIndex((l) => l.includes('throw new TypeError(reason)')) + 1;
  assert.match(error.stack, new RegExp(`caller\\.ts:${throwLine}:\\d+`));
});

test('runtimes without TypeScript reject .ts', { skip: runsTypeScript() && 'this runtime runs .ts files' }, async () => {
  await assert.rejects(import(callerURL.href), { code: 'ERR_UNKNOWN_FILE_EXTENSION' });
});
