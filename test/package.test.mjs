// The published package: npm pack, install the tarball into a new project,
// and run it there. Covers the tarball's file list, the Go build that the
// install script runs, one module instance for import and require,
// node-gyp with binding.gyp, and a prebuild installed with no Go on PATH.
//
// Nothing is downloaded: npm runs with --offline against the local npm cache,
// Go with GOPROXY=off against the local module cache, and node-gyp with
// --nodedir pointing at the node22 dev dependency, which ships include/node.
// The first install compiles the addon. With an empty Go build cache that
// took 20 s of the suite's 37 s on a 2-core machine, and 4 s of 15 s with a
// warm one. The later Go builds here reuse the cache and mostly link.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = path.join(root, 'test', 'fixtures', 'package');
const addonName = 'experimental_threads.node';
const platformDir = `${process.platform}-${process.arch}`;
const nodeDir = path.join(root, 'node_modules', 'node22');
const nodeGyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');

// npm, node-gyp and the installed programs run on the runtime that runs this
// file (process.execPath), so Bun and Deno skip the suite.
const skip = process.versions.bun || process.versions.deno ? 'packaging runs npm and node-gyp, which need Node.js' : false;

let work;
let npmCli;
let npmCache;
// A folder with node, npm and sh and nothing else: PATH for the runs without Go.
let pathWithoutGo;
// PATH for the runs with Go: that folder first, then the caller's PATH without
// node_modules/.bin, where `node` is a dev dependency's Node.js 22.
let pathWithGo;

function setUp() {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'experimental-threads-package-'));
  npmCli = findNpmCli();
  // The npm cache that the project's own install filled; --offline reads it.
  npmCache = process.env.npm_config_cache || path.join(os.homedir(), '.npm');

  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(npmCli, path.join(bin, 'npm'));
  fs.symlinkSync(findOnPath('sh', process.env.PATH), path.join(bin, 'sh'));
  pathWithoutGo = bin;
  const callerPath = (process.env.PATH || '').split(path.delimiter).filter((dir) => dir && !dir.includes(`node_modules${path.sep}.bin`));
  pathWithGo = [bin, ...callerPath].join(path.delimiter);

  assert.equal(findOnPath('go', pathWithoutGo), undefined, `go is reachable through ${pathWithoutGo}`);
  assert.ok(findOnPath('go', pathWithGo), 'these tests build the addon and need Go on PATH');
}

function findOnPath(name, searchPath) {
  for (const dir of (searchPath || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

function findNpmCli() {
  if (process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)) return process.env.npm_execpath;
  const npm = findOnPath('npm', process.env.PATH);
  assert.ok(npm, 'npm is not on PATH');
  return fs.realpathSync(npm);
}

// The environment for every child: no npm_* variables from an enclosing npm
// run (they would point nested npm commands at this project), no test-runner
// context, and Go kept offline.
function childEnv(searchPath) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD' || key === 'NODE_TEST_CONTEXT') continue;
    env[key] = value;
  }
  return { ...env, PATH: searchPath, GOPROXY: 'off', GOTOOLCHAIN: 'local' };
}

/** Runs a command and returns its output and duration; never throws on exit status. */
function run(command, args, { cwd, searchPath = pathWithGo, timeout = 60_000 } = {}) {
  const started = performance.now();
  const child = spawnSync(command, args, { cwd, env: childEnv(searchPath), encoding: 'utf8', timeout });
  const ms = Math.round(performance.now() - started);
  return { ...child, ms, commandLine: `${path.basename(command)} ${args.join(' ')}` };
}

function describeFailure(result) {
  const reason = result.error ? result.error.message : result.signal ? `signal ${result.signal}` : `exit ${result.status}`;
  return `${result.commandLine} failed (${reason}) in ${result.ms} ms\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

function mustRun(t, command, args, options) {
  const result = run(command, args, options);
  assert.equal(result.status, 0, describeFailure(result));
  t.diagnostic(`${result.commandLine}: ${result.ms} ms`);
  return result;
}

function npm(t, args, options) {
  return mustRun(t, process.execPath, [npmCli, ...args], options);
}

/** Packs the package in dir into destination; returns the tarball path and its file list. */
function pack(t, dir, destination) {
  fs.mkdirSync(destination, { recursive: true });
  const result = npm(t, ['pack', '--json', '--pack-destination', destination], { cwd: dir });
  const [info] = JSON.parse(result.stdout);
  return { tarball: path.join(destination, info.filename), files: info.files.map((file) => file.path).sort() };
}

/**
 * Makes a project in work/name from the app fixture and installs the tarball
 * and the greeting fixture package into it. The project's allowScripts entry
 * approves the tarball's install script for npm versions that ask for one.
 */
function installProject(t, name, tarball, { searchPath = pathWithGo, timeout } = {}) {
  const project = path.join(work, name);
  fs.cpSync(path.join(fixtures, 'app'), project, { recursive: true });
  const manifestPath = path.join(project, 'package.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  manifest.allowScripts = { [`file:${tarball}`]: true };
  fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  // node-api-headers, the package's one dependency, is installed from the
  // project's own copy: some npm 11 releases look for its full registry
  // document, which `npm ci` does not put in the cache, and fail offline.
  const headers = path.join(root, 'node_modules', 'node-api-headers');
  const args = ['install', '--offline', '--cache', npmCache, '--no-audit', '--no-fund', '--install-links', tarball, path.join(fixtures, 'greeting'), headers];
  const result = run(process.execPath, [npmCli, ...args], { cwd: project, searchPath, timeout });
  t.diagnostic(`${result.commandLine} (${searchPath === pathWithoutGo ? 'no Go on PATH' : 'Go on PATH'}): ${result.ms} ms`);
  return { project, result, packageDir: path.join(project, 'node_modules', 'experimental-threads') };
}

/** Runs a program of the app fixture in project and parses the JSON line it prints. */
function runProgram(t, project, file, searchPath = pathWithGo) {
  const result = mustRun(t, process.execPath, [file], { cwd: project, searchPath, timeout: 30_000 });
  return JSON.parse(result.stdout);
}

/** Returns the addon file that loading the package in project picks, relative to the package. */
function loadedAddon(t, project, searchPath = pathWithGo) {
  const script = "require('experimental-threads'); console.log(Object.keys(require.cache).find((file) => file.endsWith('.node')))";
  const result = mustRun(t, process.execPath, ['-e', script], { cwd: project, searchPath, timeout: 30_000 });
  return path.relative(path.join(project, 'node_modules', 'experimental-threads'), result.stdout.trim());
}

function checkPrograms(t, project, searchPath) {
  const esm = runProgram(t, project, 'esm.mjs', searchPath);
  assert.equal(esm.text, 'hello, import');
  assert.notEqual(esm.threadId, esm.mainThreadId);

  const cjs = runProgram(t, project, 'cjs.cjs', searchPath);
  assert.equal(cjs.text, 'hello, require');
  assert.notEqual(cjs.threadId, cjs.mainThreadId);
}

/** Lists the files the tarball of the working tree must contain, from the tree itself. */
function expectedFiles() {
  const files = ['package.json', 'README.md', 'CHANGELOG.md', 'docs/API.md', 'index.js', 'go.mod', 'go.sum', 'scripts/build.js', 'binding.gyp'];
  for (const name of fs.readdirSync(root)) {
    if (name === 'index.d.ts' || /^(LICENSE|LICENCE)(\..*)?$/i.test(name)) files.push(name);
  }
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else files.push(relative);
    }
  };
  walk('lib');
  for (const dir of ['addon', 'napi', 'analyzer', 'registry', 'atomics']) {
    for (const name of fs.readdirSync(path.join(root, dir))) {
      if (/\.(go|c|h|s)$/.test(name) && !name.endsWith('_test.go')) files.push(`${dir}/${name}`);
    }
  }
  const prebuilds = path.join(root, 'prebuilds');
  if (fs.existsSync(prebuilds)) {
    for (const target of fs.readdirSync(prebuilds)) {
      if (fs.existsSync(path.join(prebuilds, target, addonName))) files.push(`prebuilds/${target}/${addonName}`);
    }
  }
  return files.sort();
}

describe('package tarball', { concurrency: false, skip }, () => {
  let packed;
  let installed;

  before(setUp);
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('file list ships only what is needed', (t) => {
    packed = pack(t, root, path.join(work, 'packed'));
    t.diagnostic(`tarball files:\n${packed.files.join('\n')}`);

    for (const file of ['package.json', 'index.js', 'lib/native.js', 'lib/worker.mjs', 'scripts/build.js', 'binding.gyp', 'go.mod', 'go.sum', 'addon/main.go', 'napi/bridge.c', 'napi/bridge.h', 'atomics/pause_amd64.s']) {
      assert.ok(packed.files.includes(file), `${file} is missing from the tarball`);
    }
    for (const file of packed.files) {
      assert.doesNotMatch(file, /_test\.go$|(^|\/)testdata\//, `${file} is a Go test file`);
      assert.doesNotMatch(file, /^(test|bench|examples|node_modules|build|\.ci|\.github)\//, `${file} is not needed by users`);
      assert.ok(!file.startsWith('scripts/') || file === 'scripts/build.js', `${file} is a development script`);
    }
    assert.deepEqual(packed.files, expectedFiles());
  });

  test('install with Go builds the addon', (t) => {
    assert.ok(packed, 'the pack test did not produce a tarball');
    installed = installProject(t, 'with-go', packed.tarball, { timeout: 300_000 });
    assert.equal(installed.result.status, 0, describeFailure(installed.result));
    assert.ok(fs.existsSync(path.join(installed.packageDir, 'build', addonName)), 'the install script did not build build/experimental_threads.node');
    assert.equal(loadedAddon(t, installed.project), path.join('build', addonName));
  });

  test('import and require programs run closures', (t) => {
    assert.ok(installed, 'the install test did not install the tarball');
    checkPrograms(t, installed.project);
  });

  test('import and require share one instance', (t) => {
    assert.ok(installed, 'the install test did not install the tarball');
    const both = runProgram(t, installed.project, 'both.mjs');

    assert.equal(both.sameExports, true, 'import() namespace default is not the require() exports object');
    assert.equal(both.sameSpawn, true);
    assert.equal(both.sameGlobalClass, true);
    assert.equal(both.counterIsGlobal, true, 'a Global made through require is not an instance of the imported Global');

    // A size-1 pool set through require runs tasks spawned through both entry points.
    assert.notEqual(both.fromImport.threadId, both.mainThreadId);
    assert.equal(both.fromRequire.threadId, both.fromImport.threadId);
    assert.match(both.configureAfterSpawn, /configure\(\) must be called before the first spawn/);

    // The worker's copy of the Global module found the main thread's memory.
    assert.equal(both.fromImport.seen, 41);
    assert.equal(both.fromRequire.seen, 42);
    assert.equal(both.counter, 42);
  });

  test('node-gyp rebuild builds the addon', (t) => {
    assert.ok(installed, 'the install test did not install the tarball');
    assert.ok(fs.existsSync(path.join(nodeDir, 'include', 'node', 'node_api.h')), `${nodeDir} has no include/node/node_api.h`);
    assert.ok(fs.existsSync(path.join(nodeDir, 'include', 'node', 'common.gypi')), `${nodeDir} has no include/node/common.gypi`);

    mustRun(t, process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`], { cwd: installed.packageDir, timeout: 120_000 });
    const built = path.join(installed.packageDir, 'build', 'Release', addonName);
    assert.ok(fs.existsSync(built), `node-gyp did not write ${built}`);

    const script = `const addon = require(${JSON.stringify(built)}); console.log(typeof addon.analyze)`;
    const result = mustRun(t, process.execPath, ['-e', script], { timeout: 30_000 });
    assert.equal(result.stdout.trim(), 'function');

    // node-gyp rebuild removed build/experimental_threads.node, so the loader
    // falls back to build/Release/.
    assert.equal(loadedAddon(t, installed.project), path.join('build', 'Release', addonName));
    checkPrograms(t, installed.project);
  });

  describe('prebuild', { concurrency: false }, () => {
    let source;
    let withPrebuild;

    before(() => {
      assert.ok(packed, 'the pack test did not produce a tarball');
      // The package as published, without any prebuild the working tree had.
      const unpacked = path.join(work, 'unpacked');
      fs.mkdirSync(unpacked);
      const untar = run('tar', ['-xzf', packed.tarball, '-C', unpacked]);
      assert.equal(untar.status, 0, describeFailure(untar));
      source = path.join(unpacked, 'package');
      fs.rmSync(path.join(source, 'prebuilds'), { recursive: true, force: true });
    });

    test('install without Go or prebuild fails clearly', (t) => {
      const { tarball } = pack(t, source, path.join(work, 'packed-without-prebuild'));
      const { result } = installProject(t, 'no-go-no-prebuild', tarball, { searchPath: pathWithoutGo });
      assert.notEqual(result.status, 0, 'npm install succeeded with neither Go nor a prebuild');
      const output = result.stdout + result.stderr;
      assert.match(output, /no prebuilt addon for linux-x64 \(looked for .*prebuilds\/linux-x64\/experimental_threads\.node\) and no Go toolchain on PATH/);
      assert.match(output, /Install Go \d+\.\d+(\.\d+)? or later/);
    });

    test('npm run prebuild writes the prebuild', (t) => {
      // scripts/prebuild.js is not published, so add it to the unpacked copy;
      // node_modules gives scripts/build.js the node-api-headers package.
      fs.copyFileSync(path.join(root, 'scripts', 'prebuild.js'), path.join(source, 'scripts', 'prebuild.js'));
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(source, 'node_modules'));

      const result = npm(t, ['run', 'prebuild'], { cwd: source, timeout: 300_000 });
      assert.match(result.stdout, /wrote prebuilds\/linux-x64\/experimental_threads\.node/);
      assert.ok(fs.existsSync(path.join(source, 'prebuilds', platformDir, addonName)));
      assert.ok(!fs.existsSync(path.join(source, 'build')), 'npm run prebuild also wrote build/');

      withPrebuild = pack(t, source, path.join(work, 'packed-with-prebuild'));
      assert.ok(withPrebuild.files.includes(`prebuilds/${platformDir}/${addonName}`), 'the tarball lacks the prebuild');
      assert.ok(!withPrebuild.files.includes('scripts/prebuild.js'), 'the tarball ships scripts/prebuild.js');
    });

    test('prebuild installs and runs without Go', (t) => {
      assert.ok(withPrebuild, 'the prebuild test did not produce a tarball');
      const { project, result, packageDir } = installProject(t, 'no-go-prebuild', withPrebuild.tarball, { searchPath: pathWithoutGo });
      assert.equal(result.status, 0, describeFailure(result));
      assert.ok(!fs.existsSync(path.join(packageDir, 'build')), 'the install script built the addon although Go is not on PATH');
      assert.equal(loadedAddon(t, project, pathWithoutGo), path.join('prebuilds', platformDir, addonName));
      checkPrograms(t, project, pathWithoutGo);
    });
  });
});
