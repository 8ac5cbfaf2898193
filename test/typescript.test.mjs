import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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

// Node.js strips types only when they are erasable, so it cannot load this file.
const runsEnums = Boolean(process.versions.bun || process.versions.deno);

test('non-erasable TypeScript is a positioned error', { skip: !runsEnums && 'this runtime does not run enums' }, async () => {
  const url = new URL('./fixtures/ts/enum-caller.ts', import.meta.url);
  const { pick } = await import(url.href);
  assert.throws(() => pick(), (error) => {
    assert.ok(error instanceof SyntaxError);
    assert.equal(error.code, 'ERR_THREADS_SYNTAX');
    assert.match(error.message, new RegExp(`^spawn\\(\\) cannot analyze ${fileURLToPath(url).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: removing its TypeScript types failed: .*enum`));
    assert.match(error.message, /Only erasable syntax can be removed/);
    return true;
  });
});

test('TypeScript caller prints no stripper warning', { skip: !runsTypeScript() && 'this runtime does not run .ts files' }, () => {
  const script = fileURLToPath(new URL('./fixtures/ts/quiet.ts', import.meta.url));
  const args = process.versions.deno ? ['run', '--allow-read', '--allow-ffi', script] : [script];
  // The fixture prints a string: Deno colours a logged number when colour
  // is forced.
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stdout, 'result 42\n');
  assert.doesNotMatch(child.stderr, /stripTypeScriptTypes/);
});
