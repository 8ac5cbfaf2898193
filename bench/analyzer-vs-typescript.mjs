// Parses and analyzes a large real file with the Go analyzer (through the
// addon, as spawn does) and parses the same file with the TypeScript
// compiler API, in one process. Prints one JSON line.
//
//   node bench/analyzer-vs-typescript.mjs [file] [rounds]
import { copyFileSync, appendFileSync, mkdtempSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);
const ts = require('typescript');
const native = require('../lib/native.js');

const source = process.argv[2] ?? require.resolve('typescript/lib/_tsc.js');
const rounds = Number(process.argv[3] ?? 5);

// A copy with one spawn call appended, so the analyzer has a call site to find.
const dir = mkdtempSync(path.join(tmpdir(), 'experimental-threads-bench-'));
const file = path.join(dir, 'large.js');
copyFileSync(source, file);
const tail = '\nconst benchInput = 1;\nspawn(() => benchInput + 1);\n';
appendFileSync(file, tail);
const text = readFileSync(file, 'utf8');
const line = text.split('\n').length - 1;
const column = 1;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const goMs = [];
const tsMs = [];
let cachedMs;
for (let round = 0; round < rounds; round++) {
  // A new modification time makes the addon's cache parse the file again.
  const when = new Date(Date.now() + round * 1000);
  utimesSync(file, when, when);
  let started = performance.now();
  const plan = JSON.parse(native.analyze(file, line, column));
  goMs.push(performance.now() - started);
  if (plan.captures[0]?.name !== 'benchInput') throw new Error(`unexpected plan: ${JSON.stringify(plan.captures)}`);

  started = performance.now();
  native.analyze(file, line, column);
  cachedMs = performance.now() - started;

  started = performance.now();
  ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  tsMs.push(performance.now() - started);
}
console.log(JSON.stringify({
  file: path.relative(process.cwd(), source),
  bytes: statSync(file).size,
  rounds,
  analyzerMs: { median: median(goMs), min: Math.min(...goMs), max: Math.max(...goMs) },
  cachedSiteMs: cachedMs,
  typescriptParseMs: { median: median(tsMs), min: Math.min(...tsMs), max: Math.max(...tsMs) },
  typescriptVersion: ts.version,
}));
