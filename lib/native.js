'use strict';
// Loads the Go addon once per thread. A local build (build/) wins over a
// prebuild (prebuilds/<platform>-<arch>/) so a developer's changes are used.

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const candidates = [
  path.join(root, 'build', 'experimental_threads.node'),
  path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'experimental_threads.node'),
];

function load() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `experimental-threads supports linux-x64 only for now; this is ${process.platform}-${process.arch}. ` +
        'Building from source with Go may work on other Linux architectures: run `npm run build` in the package folder.',
    );
  }
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    throw new Error(
      `experimental-threads: the native addon is missing (looked for ${candidates.join(' and ')}). ` +
        'Run `npm rebuild experimental-threads` with Go 1.22 or later on PATH.',
    );
  }
  return require(file);
}

module.exports = load();
