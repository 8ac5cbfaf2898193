'use strict';
// Loads the Go addon once per thread. A local build wins over a prebuild so a
// developer's changes are used: first build/ (scripts/build.js, the install
// script), then build/Release/ and build/Debug/ (node-gyp with binding.gyp),
// then prebuilds/<platform>-<arch>/ (npm run prebuild).

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const candidates = [
  path.join(root, 'build', 'experimental_threads.node'),
  path.join(root, 'build', 'Release', 'experimental_threads.node'),
  path.join(root, 'build', 'Debug', 'experimental_threads.node'),
  path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'experimental_threads.node'),
];

function requiredGoVersion() {
  try {
    const match = /^go\s+(\S+)/m.exec(fs.readFileSync(path.join(root, 'go.mod'), 'utf8'));
    if (match) return match[1];
  } catch {
    // go.mod is missing only from a damaged install; the message below still applies.
  }
  return 'named in go.mod';
}

function load() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `experimental-threads supports linux-x64 only for now; this is ${process.platform}-${process.arch}. ` +
        'Building from source with Go may work on other Linux architectures: run `npm run build:addon` in the package folder.',
    );
  }
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    throw new Error(
      `experimental-threads: the native addon is missing (looked for ${candidates.join(', ')}). ` +
        `Run \`npm rebuild experimental-threads\` with Go ${requiredGoVersion()} or later on PATH.`,
    );
  }
  return require(file);
}

module.exports = load();
