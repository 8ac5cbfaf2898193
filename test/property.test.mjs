import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { spawn } from '../index.js';

// Values structured clone keeps exactly: the shapes a closure may capture.
const leaf = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.bigInt(),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
  fc.uint8Array({ maxLength: 16 }),
  fc.float64Array({ maxLength: 8 }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object'), tie('map'), tie('set')),
  array: fc.array(tie('node'), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('__proto__')), tie('node'), { maxKeys: 5 }),
  map: fc.array(fc.tuple(fc.string({ maxLength: 4 }), tie('node')), { maxLength: 4 }).map((entries) => new Map(entries)),
  set: fc.array(fc.integer(), { maxLength: 4 }).map((items) => new Set(items)),
})).node;

test('captured values round-trip through a thread', async () => {
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(value, async (input) => {
      const output = await eval(spawn(() => input));
      assert.deepStrictEqual(output, input);
    }),
    { numRuns: 300, seed: 20261204 },
  );
  assert.ok(performance.now() - started < 60_000);
});
