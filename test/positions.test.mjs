// Stack positions of errors thrown in closures, and nested spawn calls, on
// every runtime. The worker compiles each closure so that its frames carry
// the caller's file, line and column. Each case below checks one way that
// can go wrong: the first lines of a file, text a transpiler would reformat,
// CommonJS, and member calls such as threads.spawn.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { failOnFirstLine, nestOnFirstLine } from './fixtures/positions/first-line.mjs';
import { failOnSecondLine, nestOnSecondLine } from './fixtures/positions/second-line.mjs';
import { failAfterComments, failInNestedSpawn, nestThreeLevels } from './fixtures/positions/deep.mjs';
import { failBesideHelper, failInHelperAbove, failInHelperBelow } from './fixtures/positions/helpers.mjs';
import { countDown, decoy, failDeep } from './fixtures/positions/recursion.mjs';

const require = createRequire(import.meta.url);
const { failInCommonJS } = require('./fixtures/positions/caller.cjs');

const fixture = (name) => new URL(`./fixtures/positions/${name}`, import.meta.url);

/** The 1-based line of the fixture that contains text. */
function lineOf(name, text) {
  const lines = readFileSync(fileURLToPath(fixture(name)), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  assert.notEqual(index, -1, `${name} has no line containing ${text}`);
  return index + 1;
}

/** The line number of the first stack frame that names the fixture file. */
function firstFrameLine(error, name) {
  const pattern = new RegExp(`positions/${name.replace('.', '\\.')}:(\\d+):\\d+`);
  const frame = String(error.stack).split('\n').find((line) => pattern.test(line));
  assert.ok(frame, `no stack frame names ${name}:\n${error.stack}`);
  return Number(frame.match(pattern)[1]);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('the closure did not throw');
}

test('throw after comments keeps its line', async () => {
  const error = await rejection(failAfterComments(5));
  assert.ok(error instanceof RangeError);
  assert.equal(error.message, 'total 6 is over 5');
  assert.equal(firstFrameLine(error, 'deep.mjs'), lineOf('deep.mjs', 'marker: deep throw'));
});

test('closure on the first line', async () => {
  const error = await rejection(failOnFirstLine());
  assert.equal(error.message, 'thrown on line 1');
  assert.equal(firstFrameLine(error, 'first-line.mjs'), 1);
});

test('closure on the second line', async () => {
  const error = await rejection(failOnSecondLine());
  assert.equal(error.message, 'thrown on line 2');
  assert.equal(firstFrameLine(error, 'second-line.mjs'), 2);
});

test('CommonJS closure keeps its line', async () => {
  const error = await rejection(failInCommonJS('E_TEST'));
  assert.equal(error.message, 'CommonJS failure E_TEST');
  assert.equal(error.code, 'E_TEST');
  assert.equal(firstFrameLine(error, 'caller.cjs'), lineOf('caller.cjs', 'marker: cjs throw'));
});

test('nested spawn error keeps both lines', async () => {
  const error = await rejection(failInNestedSpawn());
  assert.equal(error.message, 'outer failure');
  assert.equal(firstFrameLine(error, 'deep.mjs'), lineOf('deep.mjs', 'marker: outer throw'));
  assert.ok(error.cause instanceof TypeError, `cause is ${error.cause}`);
  assert.equal(error.cause.message, 'inner failure');
  assert.equal(firstFrameLine(error.cause, 'deep.mjs'), lineOf('deep.mjs', 'marker: nested throw'));
});

test('nested spawn on the first lines', async () => {
  assert.equal(await nestOnFirstLine(), 'nested on line 1');
  assert.equal(await nestOnSecondLine(), 'nested on line 2');
});

test('three levels through member calls', async () => {
  assert.equal(await nestThreeLevels(), 'three levels');
});

// A helper is shipped as the text the runtime prints for it. Node.js and
// Deno print it as written, so every line is exact. Bun prints its own
// transpiled form, which can split or join lines, so there a frame lands
// inside the helper but not always on the written line.
function assertFixtureLine(error, name, marker) {
  assert.equal(firstFrameLine(error, name), lineOf(name, marker));
}

function assertHelperLine(error, marker, firstLineText, lastLineText) {
  const line = firstFrameLine(error, 'helpers.mjs');
  if (!process.versions.bun) {
    assert.equal(line, lineOf('helpers.mjs', marker));
    return;
  }
  const first = lineOf('helpers.mjs', firstLineText);
  const last = lineOf('helpers.mjs', lastLineText);
  assert.ok(line >= first, `frame line ${line} is before the helper's first line ${first}`);
  assert.ok(line <= last, `frame line ${line} is after the helper's last line ${last}`);
}

test('helper above the closure keeps its lines', async () => {
  const error = await rejection(failInHelperAbove(11));
  assert.ok(error instanceof RangeError);
  assert.equal(error.message, 'value 11 is over 10');
  assertHelperLine(error, 'marker: helper above', 'function checkLimit', 'end of checkLimit');
  if (!process.versions.bun) {
    assert.match(error.stack, new RegExp(`helpers\\.mjs:${lineOf('helpers.mjs', 'return checkLimit(value, this.limit)')}:`));
  }
});

test('helper below the closure keeps its lines', async () => {
  const error = await rejection(failInHelperBelow('ten'));
  assert.ok(error instanceof TypeError);
  assert.equal(error.message, 'not a number: ten');
  assertHelperLine(error, 'marker: helper below', 'const parse = (text)', 'end of parse');
});

test('helper on the closure line leaves the closure in place', async () => {
  const error = await rejection(failBesideHelper());
  assert.equal(error.message, 'beside 4');
  assert.equal(firstFrameLine(error, 'helpers.mjs'), lineOf('helpers.mjs', 'marker: beside'));
});

test('recursive spawn finds its own closure', async () => {
  assert.equal(await countDown(3), 'bottom');
  assert.equal(await decoy(), 'decoy ran');
});

test('recursive helper keeps its throw line', async () => {
  const error = await rejection(failDeep());
  assert.ok(error instanceof RangeError);
  assert.equal(error.message, 'negative depth');
  assertFixtureLine(error, 'recursion.mjs', 'marker: recursion throw');
});
