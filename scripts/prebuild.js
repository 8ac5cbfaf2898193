#!/usr/bin/env node
// npm run prebuild: builds the addon with Go into
// prebuilds/<platform>-<arch>/experimental_threads.node, the file that
// lib/native.js loads when the package has no local build. The addon uses
// Node-API 8 and looks up newer optional functions at run time, so one file
// serves every runtime that `npm run test:matrix` covers (Node.js 20, 22, 24
// and 26, Bun and Deno).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { buildAddon } = require('./build.js');

const root = path.join(__dirname, '..');
const target = `${process.platform}-${process.arch}`;
const output = path.join(root, 'prebuilds', target, 'experimental_threads.node');

if (target !== 'linux-x64') {
  // NOTE: the futex code in atomics/ is Linux-only and only linux-x64 is
  // tested, so other targets are not built yet.
  console.error(`experimental-threads: prebuilds are made for linux-x64 only for now; this is ${target}.`);
  process.exit(1);
}

try {
  buildAddon({ output });
} catch (error) {
  console.error(`experimental-threads: ${error.message}`);
  process.exit(1);
}

// Load the result once, so a prebuild that cannot load is never shipped.
const addon = require(output);
if (typeof addon.analyze !== 'function') {
  console.error(`experimental-threads: ${output} loaded but does not export analyze(); the build is broken.`);
  process.exit(1);
}
const { size } = fs.statSync(output);
console.log(`experimental-threads: wrote ${path.relative(root, output)} (${(size / 1024 / 1024).toFixed(1)} MiB)`);
