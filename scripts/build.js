#!/usr/bin/env node
// Builds the addon with the Go toolchain: go build -buildmode=c-shared over
// ./addon, with Node-API headers from the node-api-headers package. Runs as
// the package's install script, so it skips the build when a matching
// prebuild exists or the output is newer than every Go and C source.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const output = path.join(root, 'build', 'experimental_threads.node');
const prebuild = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'experimental_threads.node');
const force = process.argv.includes('--force');

function newestSource() {
  let newest = 0;
  for (const dir of ['addon', 'napi', 'analyzer', 'registry', 'atomics']) {
    const full = path.join(root, dir);
    if (!fs.existsSync(full)) continue;
    for (const name of fs.readdirSync(full)) {
      if (/\.(go|c|h)$/.test(name) && !name.endsWith('_test.go')) {
        newest = Math.max(newest, fs.statSync(path.join(full, name)).mtimeMs);
      }
    }
  }
  for (const name of ['go.mod', 'go.sum']) {
    newest = Math.max(newest, fs.statSync(path.join(root, name)).mtimeMs);
  }
  return newest;
}

function main() {
  if (!force && fs.existsSync(prebuild) && !hasGo()) {
    return; // the loader uses the prebuild
  }
  if (!force && fs.existsSync(output) && fs.statSync(output).mtimeMs >= newestSource()) {
    return;
  }
  if (process.platform !== 'linux') {
    console.error(`experimental-threads: ${process.platform}-${process.arch} is not supported yet; only linux-x64 is built and tested.`);
    process.exit(1);
  }
  if (!hasGo()) {
    console.error('experimental-threads: no prebuilt addon for this platform and no Go toolchain on PATH. Install Go 1.22 or later (https://go.dev/dl/) and run `npm rebuild experimental-threads`.');
    process.exit(1);
  }
  const headers = path.dirname(require.resolve('node-api-headers/include/node_api.h', { paths: [root] }));
  fs.mkdirSync(path.dirname(output), { recursive: true });
  const env = {
    ...process.env,
    CGO_ENABLED: '1',
    CGO_CFLAGS: `${process.env.CGO_CFLAGS || '-O2'} -I${headers}`,
  };
  const args = ['build', '-buildmode=c-shared', '-trimpath', '-ldflags=-s -w', '-o', output, './addon'];
  const result = spawnSync('go', args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`experimental-threads: go ${args.join(' ')} failed (exit ${result.status}).`);
    process.exit(result.status || 1);
  }
  fs.rmSync(output.replace(/\.node$/, '.h'), { force: true });
}

function hasGo() {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

main();
