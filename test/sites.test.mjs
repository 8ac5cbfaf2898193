// spawn finds the site of each call. After the first call at a site it
// recognises later ones by where the closure's text starts (on Node.js) or
// by the stack (elsewhere). These tests run closures whose text is the same
// at several sites but whose names are bound differently, interleaved, so a
// site mix-up returns a wrong value.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importedLabel } from './fixtures/sites/imported-label.mjs';
import { spawn } from '../index.js';
import { byNameFirst, byNameSecond, localLabel, moduleShade, parameterShade } from './fixtures/sites/local-label.mjs';

const require = createRequire(import.meta.url);
const native = require('../lib/native.js');
const onNode = !process.versions.bun && !process.versions.deno;

test('same text: import and local', async () => {
  for (let i = 0; i < 50; i++) {
    assert.equal(await importedLabel(), 'imported');
    assert.equal(await localLabel(`local ${i}`), `local ${i}`);
  }
});

test('same text: constant and parameter', async () => {
  const results = [];
  for (let i = 0; i < 50; i++) results.push(moduleShade(), parameterShade(i));
  const values = await Promise.all(results);
  for (let i = 0; i < 50; i++) {
    assert.equal(values[2 * i], 'module');
    assert.equal(values[2 * i + 1], i);
  }
});

test('named function from two calls', async () => {
  for (let i = 0; i < 20; i++) {
    assert.equal(await byNameFirst(), 11);
    assert.equal(await byNameSecond(i), 11 + i);
  }
});

// NOTE: Bun and Deno key a site by file, line and column only, so there a
// module required again after its file changed keeps the first plan.
test('edited CommonJS module required again', { skip: !onNode && 'sites are keyed by position only here' }, async () => {
  const index = fileURLToPath(new URL('../index.js', import.meta.url));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'experimental-threads-')), 'reloaded.cjs');
  const head = `const { spawn } = require(${JSON.stringify(index)});\n`;
  const tail = 'exports.run = () => eval(spawn(() => label));\n';
  // Both versions keep the closure at the same line and column.
  writeFileSync(file, `${head}const { sep: label } = require('node:path');\n${tail}`);
  const first = require(file);
  assert.equal(await first.run(), path.sep);
  delete require.cache[file];
  writeFileSync(file, `${head}const label = 'local';                       \n${tail}`);
  const second = require(file);
  assert.equal(await second.run(), 'local');
  assert.equal(await first.run(), path.sep);
});

test('loop closures share one site', async () => {
  const results = [];
  for (let i = 0; i < 200; i++) results.push(eval(spawn(() => i * 2)));
  assert.deepEqual(await Promise.all(results), Array.from({ length: 200 }, (_, i) => i * 2));
});

test('functionPosition identifies a function literal', () => {
  const closures = [];
  for (let i = 0; i < 3; i++) closures.push(() => i);
  const keys = closures.map((fn) => native.functionPosition(fn));
  const other = native.functionPosition(() => 0);
  if (!onNode) {
    // Other runtimes have no V8 C++ API to call, so they report nothing and
    // spawn uses the stack.
    assert.deepEqual([...keys, other], [-1, -1, -1, -1]);
    return;
  }
  assert.ok(Number.isSafeInteger(keys[0]), `key ${keys[0]}`);
  assert.ok(keys[0] > 0, `key ${keys[0]}`);
  assert.deepEqual(keys, [keys[0], keys[0], keys[0]]);
  assert.notEqual(other, keys[0]);
  assert.equal(native.functionPosition(closures[0].bind(null)), -1);
  assert.equal(native.functionPosition(Math.max), -1);
  assert.equal(native.functionPosition(new Proxy(closures[0], {})), -1);
  assert.equal(native.functionPosition({}), -1);
  assert.equal(native.functionPosition(), -1);
});
