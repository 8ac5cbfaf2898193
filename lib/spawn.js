'use strict';
// spawn(fn) and the bridge it returns. spawn finds its call site, asks the
// Go analyzer (once per site and file version) which free variables the
// closure captures, and returns a short expression. The caller's direct eval
// runs that expression in the caller's own scope, which reads the captured
// variables and hands them to run().

const fs = require('node:fs');
const path = require('node:path');
const native = require('./native.js');
const { callSiteOf, fileNameOf, normalise } = require('./callsite.js');
const { encode, SendError } = require('./codec.js');
const { Pool } = require('./pool.js');

const RUNTIME_KEY = Symbol.for('experimental-threads');

const sitesByKey = new Map();
const sites = [];

// Capturing the stack costs 1.5 to 4 µs per call, most of it in V8
// decoding the frame of an optimized caller. On Node.js the addon instead
// reports where a function's text starts (its script and offset) in about
// 0.1 µs. A function made from a literal written as a spawn argument reaches
// spawn only from that call, so once the stack has found the site of a
// literal, later functions made from it map to the same site.
// NOTE: this assumes the call's callee is always spawn. A reassigned `let
// spawn` may be a wrapper that keeps the function and passes it to spawn
// elsewhere later. That call then runs with this site's plan, where the
// stack would have rejected it like any spawn(name) of a non-declared
// function.
const functionPosition = checkedFunctionPosition();
const sitesByFunction = new Map();

// Returns the addon's functionPosition on Node.js when it distinguishes
// function literals. Otherwise (Bun, Deno, an older addon, or a runtime that
// reports no positions) it returns undefined, and spawn uses the stack.
function checkedFunctionPosition() {
  if (process.versions.bun !== undefined || process.versions.deno !== undefined) return undefined;
  const position = native.functionPosition;
  if (typeof position !== 'function') return undefined;
  const [first, second] = [1, 2].map(() => () => 0);
  const firstKey = position(first);
  const otherKey = position(() => 0);
  return firstKey >= 0 && position(second) === firstKey && otherKey >= 0 && otherKey !== firstKey ? position : undefined;
}

let pool;
let poolOptions = {};

function getPool() {
  if (!pool) pool = new Pool(poolOptions);
  return pool;
}

class AnalysisError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'Error';
    this.code = code;
  }
}

function describeArgument(value) {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Returns the bridge expression for fn. The caller must pass it to a direct
 * eval: `await eval(spawn(() => work()))`.
 */
function spawn(fn, options) {
  if (typeof fn !== 'function') {
    throw new TypeError(`spawn() expects the closure to run on a worker thread, got ${describeArgument(fn)}. Write: await eval(spawn(() => { ... }))`);
  }
  const checkedOptions = options === undefined ? undefined : checkTaskOptions(options);
  const position = functionPosition === undefined ? -1 : functionPosition(fn);
  let site = position === -1 ? undefined : sitesByFunction.get(position);
  if (site === undefined) {
    site = siteOfCaller(fn, position);
    if (position !== -1 && site.literal) sitesByFunction.set(position, site);
  }
  checkEvaluated();
  lastSite = site;
  lastEvaluated = false;
  nextOptions = checkedOptions;
  return site.bridge;
}

// Finds the site from the stack: the file, line and column of the call. On
// Node.js the key also has the id of the script that made fn, so a module
// loaded again after its file changed (a CommonJS module deleted from
// require.cache and required again) is analyzed again.
function siteOfCaller(fn, position) {
  const frame = callSiteOf(spawn);
  const name = frame && fileNameOf(frame);
  const line = frame && frame.getLineNumber();
  const column = frame && frame.getColumnNumber();
  const key = position === -1 ? `${name}:${line}:${column}` : `${name}:${line}:${column}:${Math.floor(position / 2 ** 32)}`;
  let site = sitesByKey.get(key);
  if (site === undefined) {
    const caller = name ? { name, ...normalise(name), line, column } : undefined;
    // node -e and --input-type=module report a file name such as
    // /cwd/[eval1] that does not exist.
    if (!caller || !caller.file || !fs.existsSync(caller.file)) {
      throw new Error(`spawn() could not find the file it was called from (the runtime reported ${caller ? caller.name : 'no caller'}). Call spawn from a module file, not from a REPL, node -e, an eval'd string or new Function.`);
    }
    getPool().warmUp();
    site = createSite(caller, fn);
    sitesByKey.set(key, site);
  }
  return site;
}

const typeScriptFile = /\.[cm]?tsx?$/;
const jsxFile = /\.[jt]sx$/;

function analyzeCaller(caller) {
  const typeScript = typeScriptFile.test(caller.file);
  const jsx = jsxFile.test(caller.file);
  if (!typeScript && !jsx) return native.analyze(caller.file, caller.line, caller.column);
  const written = fs.readFileSync(caller.file, 'utf8');
  let source = written;
  let elements;
  if (jsx) {
    // The type strippers and the analyzer's parser reject JSX, so it is
    // replaced first with array literals of the same lines and columns.
    ({ source, elements } = native.maskJSX(source));
  }
  if (typeScript) source = stripTypes(source, caller.file);
  return native.analyze(caller.file, caller.line, caller.column, source, written, elements);
}

// Removes TypeScript types by blanking them with spaces, so every line and
// column stays where the runtime reports it. Node.js 22.13+ and Deno have
// module.stripTypeScriptTypes; elsewhere the amaro package (the same
// stripper) is used if it is installed. Neither accepts JSX, so
// analyzeCaller masks it first.
function stripTypes(source, file) {
  try {
    return removeTypes(source, file);
  } catch (error) {
    if (error && error.code === 'ERR_THREADS_NO_TYPE_STRIPPER') throw error;
    // Node.js and Deno name a file of their own in the message, and amaro
    // throws a plain object.
    const detail = String(error && error.message !== undefined ? error.message : error)
      .replace(/ at file:\/\/\/stripTypeScriptTypes\.ts:(\d+):(\d+)/g, ` at ${file}:$1:$2`)
      .replace(/\.$/, '');
    const syntax = new SyntaxError(
      `spawn() cannot analyze ${file}: removing its TypeScript types failed: ${detail}. ` +
        'Only erasable syntax can be removed (no enum, namespace, parameter properties, decorators or <T>value assertions). Rewrite that part, or call spawn from a file without it.',
    );
    syntax.code = 'ERR_THREADS_SYNTAX';
    throw syntax;
  }
}

function removeTypes(source, file) {
  const { stripTypeScriptTypes } = require('node:module');
  if (typeof stripTypeScriptTypes === 'function') return withoutStripperWarning(() => stripTypeScriptTypes(source, { mode: 'strip' }));
  let amaro;
  try {
    amaro = require('amaro');
  } catch {
    const error = new Error(`spawn() in ${file}: this runtime cannot remove TypeScript types for analysis. Install the amaro package (npm install amaro) or call spawn from a .js file.`);
    error.code = 'ERR_THREADS_NO_TYPE_STRIPPER';
    throw error;
  }
  return amaro.transformSync(source, { mode: 'strip-only' }).code;
}

// module.stripTypeScriptTypes emits an ExperimentalWarning on its first call
// (Node.js 22.13 to 26). The call is this library's, not the program's, so
// the warning is dropped.
function withoutStripperWarning(strip) {
  const emitWarning = process.emitWarning;
  process.emitWarning = function filterWarning(warning, ...rest) {
    if (String(warning && warning.message !== undefined ? warning.message : warning).includes('stripTypeScriptTypes')) return;
    return emitWarning.call(this, warning, ...rest);
  };
  try {
    return strip();
  } finally {
    process.emitWarning = emitWarning;
  }
}

// Options of the latest spawn call, taken by run(): the bridge is the same
// string for every call at a site, so it cannot carry them, and the caller's
// eval runs it right after spawn returns.
let nextOptions;

function checkTaskOptions(options) {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`spawn() options must be an object like { signal, timeout }, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'signal' && key !== 'timeout') throw new TypeError(`unknown spawn() option ${JSON.stringify(key)}; the options are signal and timeout (ms)`);
  }
  const { signal, timeout } = options;
  if (signal !== undefined && (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function' || !('aborted' in signal))) {
    throw new TypeError('spawn() option signal must be an AbortSignal');
  }
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0)) {
    throw new RangeError(`spawn() option timeout must be a non-negative number of milliseconds or Infinity, got ${typeof timeout === 'string' ? JSON.stringify(timeout) : String(timeout)}`);
  }
  return { signal, timeout: timeout === Infinity ? undefined : timeout };
}

function createSite(caller, fn) {
  let plan;
  try {
    plan = JSON.parse(analyzeCaller(caller));
  } catch (error) {
    if (error && error.code === 'ERR_THREADS_SYNTAX') {
      const syntax = new SyntaxError(error.message);
      syntax.code = error.code;
      throw syntax;
    }
    throw error;
  }
  if (plan.diagnostics && plan.diagnostics.length > 0) {
    const text = plan.diagnostics.map((d) => formatDiagnostic(caller.file, d)).join('\n');
    throw new AnalysisError(`spawn() cannot run this closure on a worker thread:\n${text}`, 'ERR_THREADS_ANALYSIS');
  }

  checkSameSource(caller, plan, fn);
  if (/\bimport\s*\.\s*meta\b/.test(plan.funcSource)) {
    throw new AnalysisError(
      `spawn() at ${caller.file}:${caller.line}:${caller.column}: the closure uses import.meta, which a worker cannot provide for the caller's module. ` +
        'Read what you need outside the closure, e.g. const url = import.meta.url, and use that variable inside.',
      'ERR_THREADS_ANALYSIS',
    );
  }

  const id = sites.length;
  const commonjs = isCommonJS(caller.file);
  const info = {
    id,
    name: caller.name,
    file: caller.file,
    url: caller.url,
    strict: !commonjs,
    commonjs,
    funcLine: plan.funcLine,
    funcColumn: plan.funcColumn,
    source: functionSource(fn),
    // The text as written keeps the file's line breaks and comments, which
    // stack positions in the worker depend on; Bun's fn.toString() returns
    // its transpiled, reformatted text instead.
    writtenSource: plan.funcSource,
    captures: plan.captures || [],
    helpers: plan.helpers || [],
    imports: plan.imports || [],
  };
  const names = [...info.captures.map((c) => c.name), ...info.helpers.map((h) => h.name)];
  const site = {
    id,
    info,
    literal: plan.literal === true,
    warned: false,
    // Kept by the pool from send-to-reply times.
    averageMs: undefined,
    window: 2,
    location: `${caller.file}:${caller.line}:${caller.column}`,
    bridge: `globalThis[Symbol.for("experimental-threads")].run(${id},[${names.join(',')}])`,
  };
  sites.push(site);
  debugPlan(site, plan);
  return site;
}

// The analyzer reads the file as it is on disk now, while fn is the code the
// runtime loaded. If the two differ, the file changed after it was loaded and
// the plan would describe other code.
function checkSameSource(caller, plan, fn) {
  // NOTE: Bun prints functions from its transpiled output, which need not
  // match the file text, so the comparison is skipped there.
  if (process.versions.bun || /\.[cm]?tsx?$/.test(caller.file)) return;
  const squash = (text) => text.replace(/\s+/g, '');
  const loaded = Function.prototype.toString.call(fn);
  if (squash(loaded) === squash(plan.funcSource)) return;
  // spawn(work) passes a function declared elsewhere in the file: its
  // printed form starts with the keyword the declaration has.
  if (squash(loaded).endsWith(squash(plan.funcSource))) return;
  const error = new Error(
    `spawn() at ${caller.file}:${caller.line}:${caller.column}: the file on disk no longer matches the code that is running ` +
      '(it changed after it was loaded), so its closure cannot be analyzed. Restart the program to run the new code.',
  );
  error.code = 'ERR_THREADS_SOURCE_CHANGED';
  throw error;
}

// A method (`{ work() {} }.work`) prints without the `function` keyword, so
// its text is not an expression; every other form a runtime prints for a
// function (arrow, function, class) is.
const expressionStart = /^(async\s*(\(|[A-Za-z_$][\w$]*\s*=>|function\b)|function\b|class\b|\(|[A-Za-z_$][\w$]*\s*=>)/;

function functionSource(fn) {
  const source = Function.prototype.toString.call(fn);
  if (expressionStart.test(source)) return source;
  return source.replace(/^(async\s+)?(\*\s*)?/, (match, async, star) => `${async || ''}function${star ? '*' : ''} `);
}

function formatDiagnostic(file, d) {
  const caret = d.sourceLine ? `\n  ${d.sourceLine}\n  ${' '.repeat(Math.max(0, d.column - 1))}^` : '';
  return `${file}:${d.line}:${d.column}: ${d.message}${caret}`;
}

const moduleTypes = new Map();

function isCommonJS(file) {
  if (/\.(cjs|cts)$/.test(file)) return true;
  if (/\.(mjs|mts)$/.test(file)) return false;
  let dir = path.dirname(file);
  for (;;) {
    if (moduleTypes.has(dir)) return moduleTypes.get(dir);
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      let type;
      try {
        type = JSON.parse(fs.readFileSync(pkg, 'utf8')).type;
      } catch {
        type = undefined;
      }
      const commonjs = type !== 'module';
      moduleTypes.set(dir, commonjs);
      return commonjs;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

// Prints an import binding as the declaration that made it.
function describeImport(binding) {
  const from = `from ${JSON.stringify(binding.specifier)}`;
  if (binding.kind === 'require') {
    return binding.imported === '*' ? `${binding.local} = require(${JSON.stringify(binding.specifier)})` : `${binding.local} = require(${JSON.stringify(binding.specifier)}).${binding.imported}`;
  }
  if (binding.imported === '*') return `* as ${binding.local} ${from}`;
  if (binding.imported === 'default') return `${binding.local} ${from}`;
  if (binding.imported === binding.local) return `{ ${binding.local} } ${from}`;
  return `{ ${binding.imported} as ${binding.local} } ${from}`;
}

// Deno reads environment variables only with --allow-env: without it, it
// prompts on a terminal and throws elsewhere. Debug output then stays off, so
// programs run with just --allow-read --allow-ffi.
function debugRequested() {
  const deno = globalThis.Deno;
  if (deno && deno.permissions.querySync({ name: 'env', variable: 'EXPERIMENTAL_THREADS_DEBUG' }).state !== 'granted') return false;
  return process.env.EXPERIMENTAL_THREADS_DEBUG === '1';
}

let debugSeen;
function debugPlan(site, plan) {
  if (!debugRequested()) return;
  debugSeen ??= new Set();
  if (debugSeen.has(site.location)) return;
  debugSeen.add(site.location);
  const list = (items, show) => (items && items.length ? items.map(show).join(', ') : '(none)');
  process.stderr.write(
    `experimental-threads: spawn at ${site.location}\n` +
      `  captures: ${list(plan.captures, (c) => c.name)}\n` +
      `  imports:  ${list(plan.imports, describeImport)}\n` +
      `  helpers:  ${list(plan.helpers, (h) => h.name)}\n` +
      `  globals:  ${list(plan.globals, (g) => g)}\n`,
  );
}

// A spawn whose bridge is never evaluated does nothing, which is easy to miss
// (`await spawn(fn)` awaits a string). The caller's eval runs the bridge right
// after spawn returns, so the check runs at the next spawn in this thread and
// before the process exits, and warns once per call site. Checking on a timer
// instead would cost a macrotask per event-loop turn.
let lastSite;
let lastEvaluated = true;

function checkEvaluated() {
  if (lastEvaluated || lastSite === undefined) return;
  lastEvaluated = true;
  if (lastSite.warned) return;
  lastSite.warned = true;
  process.emitWarning(
    `spawn() at ${lastSite.location} returned code that was never passed to eval, so the closure did not run. Write: await eval(spawn(() => { ... }))`,
    { code: 'EXPERIMENTAL_THREADS_NO_EVAL' },
  );
}

process.on('beforeExit', checkEvaluated);

/** Called by the bridge in the caller's scope with the captured values. */
function run(id, values) {
  const site = sites[id];
  lastEvaluated = true;
  const options = nextOptions;
  nextOptions = undefined;
  let encoded;
  try {
    encoded = encodeValues(site, values);
  } catch (error) {
    return Promise.reject(error);
  }
  return getPool().run(site, encoded, options);
}

function encodeValues(site, values) {
  const { captures, helpers } = site.info;
  const out = new Array(values.length);
  const transfer = [];
  let handles = false;
  let asIs = false;
  for (let i = 0; i < captures.length; i++) {
    const c = captures[i];
    const value = values[i];
    if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol') {
      out[i] = value;
      continue;
    }
    const encoded = encode(value, `captured variable \`${c.name}\` (declared at ${site.info.file}:${c.line}:${c.column})`, transfer);
    out[i] = encoded.data;
    handles ||= encoded.handles;
    asIs ||= encoded.asIs;
  }
  for (let j = 0; j < helpers.length; j++) {
    const h = helpers[j];
    const value = values[captures.length + j];
    out[captures.length + j] = helperSource(site, h, value);
  }
  // A task whose values are not all copies goes in a message of its own.
  // In a batch, another task capturing the same buffer would get the same
  // object in the worker, and a moved buffer would be moved for both.
  return { data: out, handles, transfer, solo: asIs || transfer.length > 0 };
}

function helperSource(site, helper, value) {
  const where = `${site.info.file}:${helper.line}:${helper.column}`;
  if (typeof value !== 'function') {
    throw new SendError(`Cannot send helper \`${helper.name}\` (declared at ${where}): expected a function or class, got ${typeof value}.`);
  }
  const source = Function.prototype.toString.call(value);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw new SendError(`Cannot send helper \`${helper.name}\` (declared at ${where}): it is a native or bound function, so its source is not available. Call it inside the closure through an import instead.`);
  }
  return functionSource(value);
}

/** Sets pool options (size, idleTimeout, maxQueue, resourceLimits) for the next pool this thread starts. */
function configure(options) {
  if (pool) throw new Error('experimental-threads: configure() must be called before the first spawn, or after shutdown().');
  new Pool(options); // validates without starting a thread
  poolOptions = { ...options };
}

async function shutdown() {
  const current = pool;
  pool = undefined;
  if (current) await current.shutdown();
}

function install() {
  const runtime = globalThis[RUNTIME_KEY];
  if (runtime && runtime.run !== run) {
    // NOTE: a second copy of the library in one thread (two installed
    // versions) cannot share the first copy's bridge target, because their
    // site tables differ. Loading fails loudly instead of running the wrong
    // closure later.
    throw new Error('experimental-threads: another copy of the library is already loaded in this thread. Deduplicate the dependency (npm dedupe) so one copy is used.');
  }
  Object.defineProperty(globalThis, RUNTIME_KEY, { value: { run }, configurable: true });
}

install();

module.exports = { spawn, run, shutdown, configure, AnalysisError };
