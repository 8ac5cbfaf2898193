// Bootstrap of a pool worker. It receives tasks by site number, compiles each
// site's closure once inside a factory whose parameters are the captured
// variables and import bindings, and posts back the result or the error.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
// Imported because the global `process` is an accessor on Node.js, which
// every reply would call.
import process from 'node:process';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
// The rest of the library (the addon, Mutex, Global) loads when a task
// needs it: codec.js requires it on the first handle it decodes, and a
// closure that imports the library loads it through that import. A worker
// that runs plain closures starts without it.
const { canTransfer, encode, decode, serializeError, SendError, REPLY_TAG, REPLY_OK, REPLY_WITH_HANDLES, REPLY_FAILED } = require('./codec.js');

// Whether import.meta.resolve(specifier, parentURL) resolves against the
// given parent. Node.js does so only with --experimental-import-meta-resolve,
// which the pool passes to its workers, and ignores the parent without it.
// Bun supports it as is, and Deno 2.9 throws "Invalid arguments". Where it
// does not work, the project's own resolver in resolve.js is used.
const parentResolveWorks = probeParentResolve();

function probeParentResolve() {
  const parentURL = new URL('../index.js', import.meta.url).href;
  try {
    return import.meta.resolve('./lib/resolve.js', parentURL) === new URL('./resolve.js', import.meta.url).href;
  } catch {
    return false;
  }
}

const sites = new Map();

// Dynamic import() inside a closure uses vm's main-context loader, which
// Node.js 20 to 26 flag as experimental with a warning in every worker.
// The warning is about this library's internals, so it is dropped here.
const emitWarning = process.emitWarning;
process.emitWarning = function filterWarning(warning, ...rest) {
  if (String(warning && warning.message !== undefined ? warning.message : warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
  return emitWarning.call(this, warning, ...rest);
};

// The pool sends one task or an array of them in one message; replies are
// collected the same way and posted once the current batch has run, because
// each postMessage costs more than running a tiny task.
parentPort.on('message', (message) => {
  if (typeof message[0] === 'number') {
    taskQueue.push(taskOf(message));
  } else {
    for (const item of message) taskQueue.push(taskOf(item));
  }
  if (!running) runQueued();
});

// A task arrives as [id, site, values, handles, siteInfo], without the last
// ones when they are not needed. Replies use the format in codec.js.

function taskOf(message) {
  return { id: message[0], site: message[1], values: message[2], handles: message[3] === true, siteInfo: message[4] };
}

// Replies waiting to be posted, in order: { id, status, payload, transfer,
// solo }. A solo reply contains a buffer or object of the closure's own (or
// moves one), so it goes alone: in one message with another result holding
// the same object, both would arrive as one object.
let outbox = [];

// Tasks run one at a time, in the order they arrived, even when several are
// in flight: a task that holds an async lock across an await must not share
// the thread with one that blocks in lockSync, and a crash must be blamed on
// one task (the pool sends the others elsewhere).
const taskQueue = [];
let running = false;

function runQueued() {
  while (taskQueue.length > 0) {
    const task = taskQueue.shift();
    // Results already made leave before a task that may take long (its
    // site has not run here yet, or took 1 ms or more), so they do not wait
    // for it.
    const known = sites.get(task.site);
    if (outbox.length > 0 && !(known !== undefined && known.lastMs < 1)) flushReplies();
    const started = performance.now();
    let outcome;
    try {
      outcome = runTask(task);
    } catch (error) {
      queueReply(failure(task, error));
      continue;
    }
    if (outcome !== undefined && typeof outcome.then === 'function') {
      running = true;
      outcome
        .then(queueReply, (error) => queueReply(failure(task, error)))
        .then(() => {
          running = false;
          runQueued();
        });
      return;
    }
    const site = known ?? sites.get(task.site);
    if (site !== undefined) site.lastMs = performance.now() - started;
    queueReply(outcome);
  }
}

function failure(task, error) {
  return { id: task.id, status: REPLY_FAILED, payload: serializeError(error), transfer: undefined, solo: false };
}

const resolved = Promise.resolve();

function queueReply(reply) {
  if (outbox.length === 0) resolved.then(flushReplies);
  outbox.push(reply);
}

// A worker's process.stdout and stderr hand each write to the main thread
// and complete it when the main thread has taken it. Replies wait for that,
// so the output of a task is out before its result settles, and before an
// idle pool lets the process exit.
let waitingForOutput = false;

function flushReplies() {
  if (waitingForOutput || outbox.length === 0) return;
  if (process.stdout.writableLength > 0 || process.stderr.writableLength > 0) {
    const pending = [process.stdout, process.stderr].filter((stream) => stream.writableLength > 0);
    waitingForOutput = true;
    Promise.all(pending.map((stream) => new Promise((resolve) => stream.write('', resolve)))).then(() => {
      waitingForOutput = false;
      flushReplies();
    });
    return;
  }
  postReplies();
}

// Results made before the closure calls process.exit still go out; the
// task that exits gets no reply and is the one the pool blames.
process.on('exit', () => postReplies());

function postReplies() {
  const replies = outbox;
  outbox = [];
  let batch = [REPLY_TAG];
  for (const reply of replies) {
    if (reply.solo) {
      postBatch(batch);
      batch = [REPLY_TAG];
      postReply(reply);
    } else {
      batch.push(reply.id, reply.status, reply.payload);
    }
  }
  postBatch(batch);
}

function postBatch(batch) {
  if (batch.length === 1) return;
  try {
    parentPort.postMessage(batch);
  } catch {
    for (let i = 1; i < batch.length; i += 3) postReply({ id: batch[i], status: batch[i + 1], payload: batch[i + 2], transfer: undefined });
  }
}

// Posts one reply; if it cannot be posted, its task fails instead.
function postReply({ id, status, payload, transfer }) {
  try {
    if (transfer !== undefined && !canTransfer(transfer)) {
      throw new Error('it moves a buffer that the result of another task already moved. Move each buffer out of a worker once, or return a copy');
    }
    parentPort.postMessage([REPLY_TAG, id, status, payload], transfer ?? []);
  } catch (error) {
    const failed = new SendError(`Cannot send the value returned by the closure: ${error && error.message}.`);
    parentPort.postMessage([REPLY_TAG, id, REPLY_FAILED, serializeError(failed)]);
  }
}

// Runs one task. Returns its reply, or a promise of it when the closure is
// asynchronous or the site's imports are still loading.
function runTask(task) {
  if (task.siteInfo !== undefined) {
    sites.set(task.site, { info: task.siteInfo, lastMs: Infinity });
    task.siteInfo = undefined; // registered once, even when runTask runs again after imports load
  }
  const site = sites.get(task.site);
  const info = site.info;
  if (site.readers === undefined) {
    site.imports ??= loadImports(info).then((readers) => {
      site.readers = readers;
    });
    return site.imports.then(() => runTask(task));
  }

  const values = task.handles ? decode(task.values, task.handles) : task.values;
  const helperCount = info.helpers.length;
  let captures = values;
  if (helperCount > 0) {
    captures = values.slice(0, info.captures.length);
    const helperSources = values.slice(info.captures.length);
    const helperKey = helperSources.join('\u0000');
    if (site.helperKey !== helperKey) {
      site.factory = undefined;
      site.helperKey = helperKey;
    }
    site.factory ??= compile(info, helperSources);
  } else {
    site.factory ??= compile(info, []);
  }

  let args = captures;
  if (site.readers.length > 0 || info.commonjs) {
    args = [...captures];
    for (const read of site.readers) args.push(read());
    if (info.commonjs) args.push(...commonJSArguments(site));
  }
  const closure = site.factory(...args);
  const result = closure();
  if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function') {
    return Promise.resolve(result).then((value) => reply(task, info, value));
  }
  return reply(task, info, result);
}

function reply(task, info, result) {
  if (result === null || (typeof result !== 'object' && typeof result !== 'function' && typeof result !== 'symbol')) {
    return { id: task.id, status: REPLY_OK, payload: result, transfer: undefined, solo: false };
  }
  let encoded;
  try {
    encoded = encode(result, 'the value returned by the closure');
  } catch (error) {
    error.message = `${error.message} (closure at ${info.name}:${info.funcLine}:${info.funcColumn})`;
    throw error;
  }
  return {
    id: task.id,
    status: encoded.handles ? REPLY_WITH_HANDLES : REPLY_OK,
    payload: encoded.data,
    transfer: encoded.transfer,
    solo: encoded.asIs || encoded.transfer.length > 0,
  };
}

const CLOSURE = '__experimentalThreadsClosure';
const SEPARATE = '__experimentalThreadsSeparate';

// The closure and each helper start at their original line and column, so
// stack frames and nested spawn calls see the caller's file positions. A
// nested spawn finds its call site from those positions, so a helper that
// spawns (a recursive function whose body contains the closure) must keep
// them too.
function compile(info, helperSources) {
  const directive = info.strict ? '"use strict"; ' : '';
  // The text as written, when the site has it, because Bun's fn.toString()
  // drops comments and joins lines. The same holds for a helper whose name
  // is never assigned again, so its declaration is the code that runs.
  const source = info.writtenSource ?? info.source;
  const closure = { name: CLOSURE, line: info.funcLine, column: info.funcColumn, text: source };
  const helpers = info.helpers.map((helper, i) => ({
    name: helper.name,
    line: helper.sourceLine || 0,
    column: helper.sourceColumn || 1,
    text: helper.source || helperSources[i],
  }));
  const params = [...info.captures.map((c) => c.name), ...info.imports.map((i) => i.local), ...commonJSNames(info)];
  if (process.versions.bun && closure.line < 2) return compileOnBunFirstLine(info, params, directive, closure, helpers);

  const { body, lineOffset, separate } = layOut(closure, helpers);
  // Helpers that overlap the closure get their own script at their own
  // lines. Each takes as parameters the names bound before it is made:
  // everything but the separate helpers after it.
  const factories = separate.map((piece, k) => {
    const later = new Set(separate.slice(k).map((other) => other.name));
    const names = [...params, ...helpers.map((helper) => helper.name).filter((name) => !later.has(name))];
    const text = `const ${piece.name} = (\n${' '.repeat(Math.max(0, piece.column - 1))}${piece.text});\nreturn ${piece.name};`;
    return { names, factory: compileScript(info, directive, text, names, piece.line - 2) };
  });
  let main = body;
  factories.forEach(({ names }, k) => {
    main += `\nconst ${separate[k].name} = ${SEPARATE}[${k}].factory(${names.join(', ')});`;
  });
  main += `\nreturn ${CLOSURE};`;
  const factory = compileScript(info, directive, main, [...params, SEPARATE], lineOffset);
  return (...args) => factory(...args, factories);
}

// Compiles text as the body of a function of params whose first line is
// line lineOffset + 1 of the caller's file. The first line of text must hold
// no code of the caller's, because Bun shares it with a wrapper and the
// directive and parameter aliases go there.
function compileScript(info, directive, text, params, lineOffset) {
  // Node.js 20 to 26 crash in vm.compileFunction on a parameter name with a
  // character outside the Basic Multilingual Plane (such as 𝑓), and Deno
  // throws. Such a name is bound from a plain parameter in the body instead.
  let aliases = '';
  params = params.map((name, i) => {
    if (!/[\uD800-\uDFFF]/.test(name)) return name;
    const plain = `__experimentalThreadsParameter${i}`;
    aliases += `const ${name} = ${plain}; `;
    return plain;
  });
  text = `${directive}${aliases}${text}`;
  const options = {
    filename: info.name,
    lineOffset,
    // import() inside the closure resolves against the caller's module,
    // whose URL or path is the filename.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  };
  if (!process.versions.bun) return vm.compileFunction(text, params, options);
  // Bun 1.4.5's vm.compileFunction counts a lineOffset below 1 as 1, while
  // vm.runInThisContext honours 0, so a function expression is compiled.
  return vm.runInThisContext(`(function (${params.join(', ')}) {${text}\n})`, { ...options, columnOffset: 0 });
}

// Builds the main factory's body: `const name = (text);` for the closure and
// each helper, in line order, each text starting at its line and column.
// Each declaration's head goes on the line above its text, after the end of
// the previous declaration if that is on the same line. A helper that would
// overlap the closure or another helper is returned in separate, and one
// without a position is declared at the end. The closure always keeps its
// place.
function layOut(closure, helpers) {
  const ordered = [closure, ...helpers.filter((piece) => piece.line > 1)].sort((a, b) => a.line - b.line);
  const late = helpers.filter((piece) => piece.line <= 1);
  const separate = [];
  const first = ordered[0].line;
  let body = '';
  let line = first - 1; // the file line that the end of body is on
  for (const piece of ordered) {
    const end = piece.line + countLines(piece.text);
    if (piece !== closure && (piece.line - 1 < line || (piece.line < closure.line && end > closure.line - 1))) {
      separate.push(piece);
      continue;
    }

    body += '\n'.repeat(piece.line - 1 - line);
    body += `const ${piece.name} = (\n${' '.repeat(Math.max(0, piece.column - 1))}${piece.text});`;
    line = end;
  }
  // A separate helper that uses one made after it could not see it, so it
  // is declared at the end instead, where every name is in scope.
  for (let k = separate.length - 1; k >= 0; k--) {
    const usesLater = separate.slice(k + 1).some((other) => new RegExp(`(^|[^\\w$])${other.name.replace(/\$/g, '\\$')}($|[^\\w$])`).test(separate[k].text));
    if (usesLater) late.push(...separate.splice(k, 1));
  }
  for (const piece of late) body += `\nconst ${piece.name} = (${piece.text});`;
  // The body's first line is the line above the first text.
  return { body, lineOffset: first - 2, separate };
}

function countLines(text) {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

// On Bun, a closure on line 1 leaves no line above it for a declaration
// head. vm.runInThisContext honours a columnOffset of 0 or more on the first
// line only, so the closure shares line 1 with the wrapper and the helpers
// follow it.
function compileOnBunFirstLine(info, params, directive, closure, helpers) {
  const wrapper = `(function (${params.join(', ')}) {${directive}const ${CLOSURE} = (`;
  let rest = '\n);\n';
  // NOTE: helpers here are declared after the closure, not at their own
  // lines, so frames and nested spawn calls inside them have wrong lines.
  for (const piece of helpers) rest += `const ${piece.name} = (${piece.text});\n`;
  rest += `return ${CLOSURE};`;
  // NOTE: columns on line 1 are right only when the closure starts after
  // column wrapper.length, but lines are right in every case.
  return vm.runInThisContext(`${wrapper}${closure.text}${rest}\n})`, {
    filename: info.name,
    lineOffset: 0,
    columnOffset: Math.max(0, closure.column - 1 - wrapper.length),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

function commonJSNames(info) {
  return info.commonjs ? ['require', '__filename', '__dirname'] : [];
}

// require, __filename and __dirname of a CommonJS caller, made once per site.
function commonJSArguments(site) {
  if (site.commonJSArguments === undefined) {
    const file = site.info.file;
    site.commonJSArguments = [createRequire(file), file, file.slice(0, file.lastIndexOf('/')) || '/'];
  }
  return site.commonJSArguments;
}

async function loadImports(info) {
  const parentURL = info.url;
  const readers = [];
  for (const binding of info.imports) {
    if (binding.kind === 'require') {
      const exported = createRequire(fileURLToPath(parentURL))(binding.specifier);
      readers.push(binding.imported === '*' ? () => exported : () => exported[binding.imported]);
      continue;
    }
    const url = resolveImport(binding.specifier, parentURL);
    const namespace = await (binding.attributes ? import(url, { with: binding.attributes }) : import(url));
    if (binding.imported === '*') readers.push(() => namespace);
    else readers.push(() => namespace[binding.imported]);
  }
  return readers;
}

function resolveImport(specifier, parentURL) {
  if (specifier.startsWith('node:')) return specifier;
  if (parentResolveWorks) return import.meta.resolve(specifier, parentURL);
  try {
    const { resolve, DENO_CONDITIONS, NODE_CONDITIONS } = require('./resolve.js');
    return resolve(specifier, parentURL, process.versions.deno ? DENO_CONDITIONS : NODE_CONDITIONS);
  } catch (error) {
    // Deno also maps bare names through the "imports" of deno.json, which
    // apply to every module of the process, so a name missing from every
    // node_modules folder above the caller may still resolve here.
    if (!process.versions.deno || error.code !== 'ERR_MODULE_NOT_FOUND' || !isBareSpecifier(specifier)) throw error;
    try {
      return import.meta.resolve(specifier);
    } catch {
      throw error;
    }
  }
}

function isBareSpecifier(specifier) {
  return !/^(\.{0,2}\/|#)/.test(specifier) && !/^[a-z][a-z0-9+.-]*:/i.test(specifier);
}
