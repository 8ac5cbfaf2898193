#!/usr/bin/env node
// npm test: Go vet and race-enabled unit tests, the addon build, then the
// JavaScript end-to-end tests on the Node.js running this script.
'use strict';

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const root = path.join(__dirname, '..');

function run(command, args, options = {}) {
  process.stdout.write(`\n$ ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(' ')} failed (${result.signal ? `signal ${result.signal}` : `exit ${result.status}`})`);
    process.exit(result.status || 1);
  }
}

const testFiles = fs
  .readdirSync(path.join(root, 'test'))
  .filter((name) => /\.test\.(mjs|cjs|js)$/.test(name))
  .map((name) => path.join('test', name));

run('go', ['vet', './...']);
run('go', ['test', '-race', '-count=1', './...']);
run(process.execPath, [path.join('scripts', 'build.js')]);
run(process.execPath, ['--test', '--test-timeout=120000', ...testFiles]);
