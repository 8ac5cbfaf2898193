const assert = require('node:assert/strict');
const { test } = require('node:test');
const { run } = require('./fixtures/cjs/caller.js');

test('require bindings are re-created in the worker', async () => {
  assert.deepEqual(await run('ok'), {
    base: 'c.txt',
    digest: '2689367b',
    tripled: 18,
    measure: 'cm',
    flavor: 'require',
    fromRequire: 'cm',
    file: true,
    local: 'x/y',
  });
});

test('ESM import of the package shares state with require', async () => {
  const viaImport = await import('../index.js');
  const viaRequire = require('../index.js');
  assert.equal(viaImport.spawn, viaRequire.spawn);
  assert.equal(viaImport.Mutex, viaRequire.Mutex);
});
