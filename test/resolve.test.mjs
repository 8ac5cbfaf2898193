// The project's own module resolver (lib/resolve.js), which workers use where
// import.meta.resolve ignores or rejects a parent URL (Deno), and the same
// package.json features resolved end to end by a spawned closure on every
// runtime.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importDynamically, mainThread, useImports } from './fixtures/pkg-app/caller.mjs';

const require = createRequire(import.meta.url);
const { resolve, DENO_CONDITIONS, NODE_CONDITIONS } = require('../lib/resolve.js');

const fixtures = new URL('./fixtures/', import.meta.url);
const appCaller = new URL('app/caller.mjs', fixtures).href;
const pkgCaller = new URL('pkg-app/caller.mjs', fixtures).href;
const at = (relative) => new URL(relative, fixtures).href;
const projectRoot = new URL('../', import.meta.url);

test('relative and absolute specifiers', () => {
  assert.equal(resolve('./helper.mjs', appCaller), at('app/helper.mjs'));
  assert.equal(resolve('../app/helper.mjs', pkgCaller), at('app/helper.mjs'));
  assert.equal(resolve(fileURLToPath(at('app/helper.mjs')), appCaller), at('app/helper.mjs'));
  assert.equal(resolve(at('app/helper.mjs'), appCaller), at('app/helper.mjs'));
  assert.equal(resolve('./helper.mjs?v=2#top', appCaller), `${at('app/helper.mjs')}?v=2#top`);
});

test('URLs of other schemes pass through', () => {
  for (const specifier of ['data:text/javascript,export default 1', 'npm:uuid@14', 'jsr:@std/path', 'https://example.com/mod.js']) {
    assert.equal(resolve(specifier, appCaller), specifier);
  }
});

test('built-in modules get the node: scheme', () => {
  assert.equal(resolve('node:fs', appCaller), 'node:fs');
  assert.equal(resolve('fs', appCaller), 'node:fs');
  assert.equal(resolve('fs/promises', appCaller), 'node:fs/promises');
  assert.equal(resolve('crypto', appCaller), 'node:crypto');
});

test('packages found up the node_modules chain', () => {
  // uuid sits in the project's node_modules, three folders above the caller.
  assert.equal(resolve('uuid', appCaller), new URL('node_modules/uuid/dist-node/index.js', projectRoot).href);
  assert.equal(resolve('esm-only', appCaller), at('node_modules/esm-only/index.js'));
  assert.equal(resolve('@scope/scoped/tool', appCaller), at('node_modules/@scope/scoped/tool.mjs'));
  assert.equal(resolve('uuid/package.json', appCaller), new URL('node_modules/uuid/package.json', projectRoot).href);
});

test('dual package gives the import flavor', () => {
  assert.equal(resolve('dual-flavor', appCaller), at('node_modules/dual-flavor/esm.mjs'));
  assert.equal(resolve('dual-flavor', appCaller, NODE_CONDITIONS), at('node_modules/dual-flavor/esm.mjs'));
  assert.equal(resolve('dual-flavor', appCaller, ['require']), at('node_modules/dual-flavor/cjs.cjs'));
});

test('conditions match in package key order', () => {
  assert.deepEqual(DENO_CONDITIONS, ['deno', 'node', 'import', 'default']);
  assert.equal(resolve('runtime-conditions', appCaller, DENO_CONDITIONS), at('node_modules/runtime-conditions/deno.mjs'));
  assert.equal(resolve('runtime-conditions', appCaller, NODE_CONDITIONS), at('node_modules/runtime-conditions/node.mjs'));
  assert.equal(resolve('runtime-conditions', appCaller, ['bun', 'node', 'import']), at('node_modules/runtime-conditions/bun.mjs'));
  assert.equal(resolve('runtime-conditions', appCaller, ['node', 'require']), at('node_modules/runtime-conditions/node-require.cjs'));
  assert.equal(resolve('runtime-conditions', appCaller, []), at('node_modules/runtime-conditions/default.mjs'));
  // "node" comes before "deno" in this entry, so Deno gets the node file.
  assert.equal(resolve('runtime-conditions/node-first', appCaller, DENO_CONDITIONS), at('node_modules/runtime-conditions/node.mjs'));
});

test('no matching condition is not exported', () => {
  assert.throws(() => resolve('runtime-conditions/require-only', appCaller), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  assert.throws(() => resolve('esm-only', appCaller, ['require']), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED', message: /No "exports" main/ });
});

test('fallback array skips an invalid target', () => {
  assert.equal(resolve('runtime-conditions/fallback', appCaller), at('node_modules/runtime-conditions/default.mjs'));
});

test('subpath patterns in exports', () => {
  assert.equal(resolve('pattern-exports', appCaller), at('node_modules/pattern-exports/main.mjs'));
  assert.equal(resolve('pattern-exports/features/alpha.js', appCaller), at('node_modules/pattern-exports/src/features/alpha.mjs'));
  // The longer text before "*" wins over ./features/*.js.
  assert.equal(resolve('pattern-exports/features/special/beta.js', appCaller), at('node_modules/pattern-exports/src/features/special/beta.mjs'));
  assert.equal(resolve('pattern-exports/raw/features/alpha.mjs', appCaller), at('node_modules/pattern-exports/src/features/alpha.mjs'));
  assert.equal(resolve('pattern-exports/package.json', appCaller), at('node_modules/pattern-exports/package.json'));
});

test('unexported subpaths are rejected', () => {
  // A null target excludes a subpath that a pattern would match.
  assert.throws(() => resolve('pattern-exports/features/private/secret.js', appCaller), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED', message: /features\/private\/secret\.js/ });
  assert.throws(() => resolve('pattern-exports/src/features/alpha.mjs', appCaller), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  assert.throws(() => resolve('pattern-exports/features/alpha.mjs', appCaller), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  assert.throws(() => resolve('pattern-exports/raw/../package.json', appCaller), { code: 'ERR_INVALID_MODULE_SPECIFIER' });
});

test('package imports map #names', () => {
  assert.equal(resolve('#internal', pkgCaller), at('pkg-app/src/internal.mjs'));
  assert.equal(resolve('#lib/tool', pkgCaller), at('pkg-app/src/lib/tool.mjs'));
  assert.equal(resolve('#flavor', pkgCaller, DENO_CONDITIONS), at('pkg-app/src/flavor-deno.mjs'));
  assert.equal(resolve('#flavor', pkgCaller, NODE_CONDITIONS), at('pkg-app/src/flavor-node.mjs'));
  // An imports target may name another package, found from the package folder.
  assert.equal(resolve('#conditions', pkgCaller, DENO_CONDITIONS), at('node_modules/runtime-conditions/deno.mjs'));
  // Files deeper in the package use the same map.
  assert.equal(resolve('#internal', at('pkg-app/src/lib/tool.mjs')), at('pkg-app/src/internal.mjs'));
});

test('unknown #names are rejected', () => {
  assert.throws(() => resolve('#missing', pkgCaller), { code: 'ERR_PACKAGE_IMPORT_NOT_DEFINED', message: /"#missing".*pkg-app/ });
  assert.throws(() => resolve('#', pkgCaller), { code: 'ERR_INVALID_MODULE_SPECIFIER' });
  assert.throws(() => resolve('#/x', pkgCaller), { code: 'ERR_INVALID_MODULE_SPECIFIER' });
  // test/fixtures/app is in the project's scope, whose package.json has no imports.
  assert.throws(() => resolve('#internal', appCaller), { code: 'ERR_PACKAGE_IMPORT_NOT_DEFINED' });
});

test('package refers to itself by name', () => {
  assert.equal(resolve('pkg-app', pkgCaller), pkgCaller);
  assert.equal(resolve('pkg-app/tools/tool', pkgCaller), at('pkg-app/src/lib/tool.mjs'));
  assert.throws(() => resolve('pkg-app/src/internal.mjs', pkgCaller), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
});

test('main field and index.js fallback', () => {
  // "main": "lib/entry" without an extension finds lib/entry.js.
  assert.equal(resolve('legacy-main', appCaller), at('node_modules/legacy-main/lib/entry.js'));
  assert.equal(resolve('legacy-main/lib/other.js', appCaller), at('node_modules/legacy-main/lib/other.js'));
  // A package folder without package.json falls back to index.js.
  assert.equal(resolve('no-main', appCaller), at('node_modules/no-main/index.js'));
});

test('invalid package targets are rejected', () => {
  for (const subpath of ['escape', 'absolute', 'bare', 'into-node-modules']) {
    assert.throws(() => resolve(`bad-exports/${subpath}`, appCaller), { code: 'ERR_INVALID_PACKAGE_TARGET' }, subpath);
  }
  assert.throws(() => resolve('mixed-exports', appCaller), { code: 'ERR_INVALID_PACKAGE_CONFIG' });
});

test('missing modules are reported', () => {
  assert.throws(() => resolve('./nowhere.mjs', appCaller), { code: 'ERR_MODULE_NOT_FOUND', message: /nowhere\.mjs.*caller\.mjs/ });
  assert.throws(() => resolve('no-such-package', appCaller), { code: 'ERR_MODULE_NOT_FOUND', message: /'no-such-package'/ });
  assert.throws(() => resolve('./', appCaller), { code: 'ERR_UNSUPPORTED_DIR_IMPORT' });
  assert.throws(() => resolve('.bad/name', appCaller), { code: 'ERR_INVALID_MODULE_SPECIFIER' });
  assert.throws(() => resolve('@scope', appCaller), { code: 'ERR_INVALID_MODULE_SPECIFIER' });
  assert.throws(() => resolve('pattern-exports/', appCaller), { code: 'ERR_INVALID_MODULE_SPECIFIER' });
});

test('symbolic links resolve to the real path', (t) => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'threads-resolve-')));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'store', 'linked'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'store', 'linked', 'package.json'), JSON.stringify({ name: 'linked', type: 'module', exports: './entry.mjs' }));
  fs.writeFileSync(path.join(dir, 'store', 'linked', 'entry.mjs'), 'export default 1;\n');
  fs.mkdirSync(path.join(dir, 'app', 'node_modules'), { recursive: true });
  fs.symlinkSync(path.join(dir, 'store', 'linked'), path.join(dir, 'app', 'node_modules', 'linked'), 'dir');
  fs.writeFileSync(path.join(dir, 'app', 'main.mjs'), '');
  const parent = pathToFileURL(path.join(dir, 'app', 'main.mjs')).href;
  assert.equal(resolve('linked', parent), pathToFileURL(path.join(dir, 'store', 'linked', 'entry.mjs')).href);
});

test('worker resolves imports like the caller', async () => {
  const seen = await useImports();
  assert.deepEqual(seen, {
    ...mainThread,
    described: 'tool sees x',
    selfDescribed: 'tool sees y',
  });
  let expectedFlavor = 'node';
  if (process.versions.bun) expectedFlavor = 'bun';
  if (process.versions.deno) expectedFlavor = 'deno';
  assert.equal(seen.packageFlavor, expectedFlavor);
  assert.equal(seen.importsFlavor, expectedFlavor);
  assert.equal(seen.mappedFlavor, expectedFlavor);
  assert.equal(seen.secret, 'from #internal');
  assert.equal(seen.feature, 'feature alpha');
  assert.equal(seen.special, 'special feature beta');
});

test('dynamic import in a closure', async () => {
  assert.deepEqual(await importDynamically(), ['from #internal', 'tool sees z', 'feature alpha']);
});

test('deno.json import map in a closure', async () => {
  const dir = fileURLToPath(new URL('deno-import-map/', fixtures));
  if (process.versions.deno) {
    // Also the command the README gives for running a program with Deno.
    const child = spawnSync(process.execPath, ['run', '--allow-read', '--allow-ffi', 'main.mjs'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, 'hello main thread\nhello worker\n');
  } else {
    // Only Deno reads deno.json, so elsewhere the module cannot be loaded.
    await assert.rejects(import(new URL('deno-import-map/main.mjs', fixtures).href), { message: /greeting/ });
  }
});
