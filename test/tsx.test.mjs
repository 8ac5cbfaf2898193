import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nodeModule from 'node:module';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

// Bun and Deno run .tsx and .jsx files, and Node.js runs neither.
const runsJSX = Boolean(process.versions.bun || process.versions.deno);
const skipJSX = !runsJSX && 'Node.js does not run .tsx or .jsx files';

const tsxURL = new URL('./fixtures/tsx/app.tsx', import.meta.url);
const jsxURL = new URL('./fixtures/tsx/app.jsx', import.meta.url);
const tsxPath = fileURLToPath(tsxURL);
const tsxLines = readFileSync(tsxPath, 'utf8').split('\n');

// Returns "line:column" of the first character of text on the first line of
// app.tsx that contains it.
function positionOf(text) {
  const index = tsxLines.findIndex((line) => line.includes(text));
  assert.ok(index >= 0, `app.tsx has no line with ${text}`);
  return `${index + 1}:${tsxLines[index].indexOf(text) + 1}`;
}

test('TSX caller runs closures', { skip: skipJSX }, async () => {
  const { summarise } = await import(tsxURL.href);
  const result = await summarise(['alpha beta', 'gamma', 'delta epsilon zeta']);
  assert.equal(result.best, 'delta epsilon zeta');
  // score = words * 2 + (length < 10 ? 1 : 0), times weight 3.
  assert.equal(result.words, (4 + 3 + 6) * 3);
  assert.equal(result.view.props.title, 'Items');
});

test('TSX components render on the main thread', { skip: skipJSX }, async () => {
  const { renderList } = await import(tsxURL.href);
  const list = renderList(['a', 'b', 'c', 'd']);
  assert.equal(list.tag, 'section');
  assert.equal(list.props['data-count'], 4);
  const [heading] = list.children;
  assert.deepEqual(heading.children, ['Items', ' > ', 'many']);
});

test('spawn inside a JSX event handler', { skip: skipJSX }, async () => {
  const { button } = await import(tsxURL.href);
  const element = button(4);
  assert.equal(element.tag, 'button');
  assert.equal(await element.props.onClick(), 8);
});

test('JSX inside a spawned closure is rejected', { skip: skipJSX }, async () => {
  const { jsxInClosure } = await import(tsxURL.href);
  const error = await jsxInClosure().catch((e) => e);
  assert.equal(error.code, 'ERR_THREADS_ANALYSIS');
  assert.ok(error.message.includes(`app.tsx:${positionOf('<b>inside</b>')}: the closure contains JSX`), error.message);
  assert.match(error.message, /Move the JSX into a module/);
  assert.ok(error.message.includes('return eval(spawn(() => <b>inside</b>));'), 'the message quotes the line as written');
});

test('JSX inside a helper is rejected', { skip: skipJSX }, async () => {
  const { jsxInHelper } = await import(tsxURL.href);
  const error = await jsxInHelper().catch((e) => e);
  assert.equal(error.code, 'ERR_THREADS_ANALYSIS');
  assert.ok(error.message.includes(`app.tsx:${positionOf('<i>badge</i>')}: helper \`Badge\` contains JSX`), error.message);
});

test('JSX caller runs closures', { skip: skipJSX }, async () => {
  const { total } = await import(jsxURL.href);
  const { sum, view } = await total([1, 2, 3]);
  assert.equal(sum, 6);
  assert.equal(view.props.title, '3 values');
});

test('Node.js rejects .tsx and .jsx', { skip: runsJSX && 'this runtime runs .tsx and .jsx files' }, async () => {
  await assert.rejects(import(tsxURL.href), { code: 'ERR_UNKNOWN_FILE_EXTENSION' });
  await assert.rejects(import(jsxURL.href), { code: 'ERR_UNKNOWN_FILE_EXTENSION' });
});

// The analysis that spawn runs for a .tsx caller, without loading the file,
// so that it runs on Node.js as well: mask the JSX, strip the types with
// this runtime's stripper, then analyze at the spawn call.
test('masked TSX strips and analyzes', () => {
  const require = nodeModule.createRequire(import.meta.url);
  const native = require('../lib/native.js');
  const written = readFileSync(tsxPath, 'utf8');
  const { source, elements } = native.maskJSX(written);
  assert.equal(source.length, written.length);
  assert.deepEqual(
    source.split('\n').map((line) => line.length),
    tsxLines.map((line) => line.length),
  );
  assert.ok(JSON.parse(elements).length >= 5);

  const stripped =
    typeof nodeModule.stripTypeScriptTypes === 'function'
      ? nodeModule.stripTypeScriptTypes(source, { mode: 'strip' })
      : require('amaro').transformSync(source, { mode: 'strip-only' }).code;
  const [line, column] = positionOf('spawn(() => {').split(':').map(Number);
  const plan = JSON.parse(native.analyze(tsxPath, line, column, stripped, written, elements));
  assert.deepEqual(plan.diagnostics, []);
  assert.deepEqual(
    plan.captures.map((c) => c.name),
    ['items', 'weight'],
  );
  assert.deepEqual(
    plan.helpers.map((h) => h.name),
    ['identity', 'score'],
  );
  assert.deepEqual(
    plan.imports.map((i) => `${i.local} ${i.specifier}`),
    ['wordCount ./text.ts'],
  );
});
