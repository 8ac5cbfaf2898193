#!/usr/bin/env node
// Builds the addon with the Go toolchain: go build -buildmode=c-shared over
// ./addon, with Node-API headers from the node-api-headers package. Runs as
// the package's install script, so it skips the build when the output is
// newer than every Go and C source, or when a prebuild for this platform
// exists and Go is not on PATH.
//
// Options:
//   --force          build even when the output is up to date or a prebuild exists
//   --output FILE    write the addon to FILE instead of build/experimental_threads.node
//   --headers DIR    take node_api.h from DIR instead of the node-api-headers package
//   --list-sources   print the Go and C sources, one per line, and exit (binding.gyp
//                    uses this as its action's inputs)
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const defaultOutput = path.join(root, 'build', 'experimental_threads.node');
const prebuild = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'experimental_threads.node');
const sourceDirs = ['addon', 'napi', 'analyzer', 'registry', 'atomics'];

/** Lists the files the addon is built from, relative to the package root. */
function sourceFiles() {
  const files = ['go.mod', 'go.sum'];
  for (const dir of sourceDirs) {
    const full = path.join(root, dir);
    if (!fs.existsSync(full)) continue;
    for (const name of fs.readdirSync(full).sort()) {
      if (/\.(go|c|h|s)$/.test(name) && !name.endsWith('_test.go')) files.push(`${dir}/${name}`);
    }
  }
  return files;
}

function newestSource() {
  let newest = 0;
  for (const file of sourceFiles()) {
    newest = Math.max(newest, fs.statSync(path.join(root, file)).mtimeMs);
  }
  return newest;
}

/** Returns the Go version that go.mod requires, such as "1.26.0". */
function requiredGoVersion() {
  const match = /^go\s+(\S+)/m.exec(fs.readFileSync(path.join(root, 'go.mod'), 'utf8'));
  return match ? match[1] : 'named in go.mod';
}

function hasGo() {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Runs go build -buildmode=c-shared into output. headers is the folder that
 * contains node_api.h; it defaults to the node-api-headers package. Throws
 * when Go is missing or the build fails.
 */
function buildAddon({ output = defaultOutput, headers } = {}) {
  if (!hasGo()) {
    throw new Error(
      `no Go toolchain on PATH. Install Go ${requiredGoVersion()} or later (https://go.dev/dl/) and build again.`,
    );
  }
  const includeDir = headers || path.dirname(require.resolve('node-api-headers/include/node_api.h', { paths: [root] }));
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const env = {
    ...process.env,
    CGO_ENABLED: '1',
    CGO_CFLAGS: `${process.env.CGO_CFLAGS || '-O2'} -I${includeDir}`,
  };
  const args = ['build', '-buildmode=c-shared', '-trimpath', '-ldflags=-s -w', '-o', output, './addon'];
  const result = spawnSync('go', args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    const reason = result.error ? result.error.message : `exit ${result.status}`;
    throw new Error(`go ${args.join(' ')} failed (${reason}).`);
  }
  // go build writes a C header next to a c-shared library; nothing uses it.
  fs.rmSync(output.replace(/\.node$/, '.h'), { force: true });
  return output;
}

function parseArguments(argv) {
  const options = { force: false, listSources: false, output: defaultOutput, headers: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') options.force = true;
    else if (arg === '--list-sources') options.listSources = true;
    else if (arg === '--output' || arg === '--headers') {
      const value = argv[++i];
      if (!value) fail(`${arg} needs a path argument.`);
      options[arg.slice(2)] = path.resolve(value);
    } else fail(`unknown option ${arg}. Options: --force, --output FILE, --headers DIR, --list-sources.`);
  }
  return options;
}

function fail(message, code = 1) {
  console.error(`experimental-threads: ${message}`);
  process.exit(code);
}

function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.listSources) {
    console.log(sourceFiles().join('\n'));
    return;
  }
  if (!options.force && fs.existsSync(prebuild) && !hasGo()) {
    console.log(`experimental-threads: Go is not on PATH, so the prebuilt addon ${path.relative(root, prebuild)} is used.`);
    return;
  }
  if (!options.force && fs.existsSync(options.output) && fs.statSync(options.output).mtimeMs >= newestSource()) {
    return;
  }
  if (process.platform !== 'linux') {
    fail(`${process.platform}-${process.arch} is not supported yet; only linux-x64 is built and tested.`);
  }
  if (!hasGo()) {
    fail(
      `no prebuilt addon for ${process.platform}-${process.arch} (looked for ${prebuild}) and no Go toolchain on PATH. ` +
        `Install Go ${requiredGoVersion()} or later (https://go.dev/dl/) and run \`npm rebuild experimental-threads\`.`,
    );
  }
  try {
    buildAddon(options);
  } catch (error) {
    fail(error.message);
  }
}

module.exports = { buildAddon, sourceFiles };

if (require.main === module) main();
