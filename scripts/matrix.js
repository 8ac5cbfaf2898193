#!/usr/bin/env node
// npm run test:matrix: the end-to-end test files on every supported runtime.
// Node.js 20 is the one running npm; Node.js 22, 24 and 26, Bun and Deno come
// from devDependencies. Prints one line per runtime and exits non-zero on
// any failure. Pass runtime names to run a subset: node20 node26 bun deno.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', name, 'bin', 'node');
const nodeRunner = (exe) => (file) => [exe, ['--test', '--test-reporter=tap', '--test-timeout=120000', file]];

const runtimes = {
  node20: { version: () => process.version, command: nodeRunner(process.execPath) },
  node22: { exe: bin('node22'), command: nodeRunner(bin('node22')) },
  node24: { exe: bin('node24'), command: nodeRunner(bin('node24')) },
  node26: { exe: bin('node26'), command: nodeRunner(bin('node26')) },
  bun: { exe: path.join(root, 'node_modules', '.bin', 'bun'), command: (file) => [path.join(root, 'node_modules', '.bin', 'bun'), ['test', '--timeout=120000', `./${file}`]] },
  deno: { exe: path.join(root, 'node_modules', '.bin', 'deno'), command: (file) => [path.join(root, 'node_modules', '.bin', 'deno'), ['test', '--allow-all', '--no-check', file]] },
};

// Count passed and failed tests from each runner's summary lines.
function countResults(output) {
  const node = output.match(/^# pass (\d+)[\s\S]*?^# fail (\d+)/m);
  if (node) return { passed: Number(node[1]), failed: Number(node[2]) };
  const bun = output.match(/^\s*(\d+) pass\s*$[\s\S]*?^\s*(\d+) fail\s*$/m);
  if (bun) return { passed: Number(bun[1]), failed: Number(bun[2]) };
  const deno = output.replace(/\x1b\[[0-9;]*m/g, '').match(/(\d+) passed[^|]*\| (\d+) failed/);
  if (deno) return { passed: Number(deno[1]), failed: Number(deno[2]) };
  return undefined;
}

function testFiles() {
  return fs
    .readdirSync(path.join(root, 'test'))
    .filter((name) => /\.test\.(mjs|cjs|js)$/.test(name))
    .sort()
    .map((name) => `test/${name}`);
}

function runRuntime(name) {
  const runtime = runtimes[name];
  if (runtime.exe && !fs.existsSync(runtime.exe)) {
    return { name, passed: 0, failed: 1, notes: [`${runtime.exe} is missing; run npm install`] };
  }
  let passed = 0;
  let failed = 0;
  const notes = [];
  for (const file of testFiles()) {
    const [exe, args] = runtime.command(file);
    const result = spawnSync(exe, args, { cwd: root, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    const output = `${result.stdout}\n${result.stderr}`;
    const counts = countResults(output);
    if (!counts || result.status !== 0) {
      const logFile = path.join(root, 'build', 'matrix', `${name}-${path.basename(file)}.log`);
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      fs.writeFileSync(logFile, output);
      notes.push(`${file}: ${result.signal ? `killed by ${result.signal}` : `exit ${result.status}`} (log: ${path.relative(root, logFile)})`);
    }
    if (counts) {
      passed += counts.passed;
      failed += counts.failed;
      if (result.status !== 0 && counts.failed === 0) failed += 1;
    } else {
      failed += 1;
    }
  }
  return { name, passed, failed, notes };
}

function versionOf(name) {
  const runtime = runtimes[name];
  if (name === 'node20') return process.version;
  const out = spawnSync(runtime.exe, ['--version'], { encoding: 'utf8' }).stdout || '';
  return out.split('\n')[0].trim();
}

const selected = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(runtimes);
for (const name of selected) {
  if (!runtimes[name]) {
    console.error(`unknown runtime ${name}; choose from ${Object.keys(runtimes).join(', ')}`);
    process.exit(2);
  }
}

let anyFailed = false;
let totalPassed = 0;
let totalFailed = 0;
for (const name of selected) {
  const started = Date.now();
  const result = runRuntime(name);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const line = `${name.padEnd(7)} ${versionOf(name).padEnd(12)} ${result.passed} passed, ${result.failed} failed (${seconds} s)`;
  console.log(line);
  for (const note of result.notes) console.log(`        ${note}`);
  totalPassed += result.passed;
  totalFailed += result.failed;
  if (result.failed > 0) anyFailed = true;
}
console.log(`matrix: ${totalPassed} passed, ${totalFailed} failed`);
process.exit(anyFailed ? 1 : 0);
