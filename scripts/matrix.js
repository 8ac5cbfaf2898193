#!/usr/bin/env node
// npm run test:matrix: the end-to-end test files on every supported runtime.
// Node.js 20 is the one running npm; Node.js 22, 24 and 26, Bun and Deno come
// from devDependencies. Prints one line per runtime and exits non-zero on
// any failure. Pass runtime names to run a subset (node20 node26 bun deno)
// and test file paths to run only those files (test/imports.test.mjs).
'use strict';

const { spawn, spawnSync } = require('node:child_process');
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

function allTestFiles() {
  return fs
    .readdirSync(path.join(root, 'test'))
    .filter((name) => /\.test\.(mjs|cjs|js)$/.test(name))
    .sort()
    .map((name) => `test/${name}`);
}

// A file that runs longer than this is stopped and counted as failed.
const FILE_TIMEOUT_MS = 300_000;

// Runs one test file in a process group of its own. When the runner exits
// or times out, every process left in the group is killed: node --test runs
// each file in a child process that would otherwise outlive a killed runner.
let runningGroup;

function runFile(exe, args) {
  return new Promise((resolve) => {
    const child = spawn(exe, args, { cwd: root, detached: true, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    runningGroup = child.pid;
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, FILE_TIMEOUT_MS);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      killGroup(child.pid, 'SIGKILL');
      runningGroup = undefined;
      resolve({
        status,
        signal: timedOut ? `SIGKILL after ${FILE_TIMEOUT_MS / 1000} s` : signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

async function runRuntime(name, files) {
  const runtime = runtimes[name];
  if (runtime.exe && !fs.existsSync(runtime.exe)) {
    return { name, passed: 0, failed: 1, notes: [`${runtime.exe} is missing; run npm install`] };
  }
  let passed = 0;
  let failed = 0;
  const notes = [];
  for (const file of files) {
    const [exe, args] = runtime.command(file);
    const result = await runFile(exe, args);
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
  // Deno prints "deno 2.9.6 (stable, release, …)" and more lines.
  const version = out.match(/v?\d+\.\d+\.\d+/);
  return version ? version[0] : out.split('\n')[0].trim();
}

const args = process.argv.slice(2);
const fileArgs = args.filter((arg) => !Object.hasOwn(runtimes, arg));
for (const arg of fileArgs) {
  if (!/\.test\.(mjs|cjs|js)$/.test(arg) || !fs.existsSync(path.resolve(root, arg))) {
    console.error(`unknown runtime or test file ${arg}; choose runtimes from ${Object.keys(runtimes).join(', ')} or give paths such as test/imports.test.mjs`);
    process.exit(2);
  }
}
const selectedRuntimes = args.filter((arg) => Object.hasOwn(runtimes, arg));
const selected = selectedRuntimes.length > 0 ? selectedRuntimes : Object.keys(runtimes);
const files = fileArgs.length > 0 ? fileArgs.map((file) => path.relative(root, path.resolve(root, file))) : allTestFiles();

// Detached test processes do not get the terminal's Ctrl-C, so pass it on.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (runningGroup) killGroup(runningGroup, 'SIGKILL');
    process.exit(130);
  });
}

async function main() {
  let anyFailed = false;
  let totalPassed = 0;
  let totalFailed = 0;
  for (const name of selected) {
    const started = Date.now();
    const result = await runRuntime(name, files);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const line = `${name.padEnd(7)} ${versionOf(name).padEnd(12)} ${result.passed} passed, ${result.failed} failed (${seconds} s)`;
    console.log(line);
    for (const note of result.notes) console.log(`        ${note}`);
    totalPassed += result.passed;
    totalFailed += result.failed;
    if (result.failed > 0) anyFailed = true;
  }
  console.log(`matrix: ${totalPassed} passed, ${totalFailed} failed`);
  process.exitCode = anyFailed ? 1 : 0;
}

main();
