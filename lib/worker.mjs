// Bootstrap of a pool worker. It receives tasks by site number, compiles each
// site's closure once inside a factory whose parameters are the captured
// variables and import bindings, and posts back the result or the error.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
require('../index.js'); // registers the handle types (Mutex, Semaphore, Global) in this thread
const { encode, decode, serializeError } = require('./codec.js');

const sites = new Map();

// Dynamic import() inside a closure uses vm's main-context loader, which
// Node.js 20 to 26 flag as experimental with a warning in every worker.
// The warning is about this library's internals, so it is dropped here.
const emitWarning = process.emitWarning;
process.emitWarning = function filterWarning(warning, ...rest) {
  if (String(warning && warning.message !== undefined ? warning.message : warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
  return emitWarning.call(this, warning, ...rest);
};

parentPort.on('message', (message) => {
  runTask(message).then(
    ({ reply, transfer }) => parentPort.postMessage(reply, transfer),
    (error) => parentPort.postMessage({ id: message.id, ok: false, error: serializeError(error) }),
  );
});

async function runTask(message) {
  if (message.siteInfo) sites.set(message.site, { info: message.siteInfo });
  const site = sites.get(message.site);
  const info = site.info;
  const values = decode(message.values, message.handles);
  const captures = values.slice(0, info.captures.length);
  const helperSources = values.slice(info.captures.length);

  const helperKey = helperSources.join('\u0000');
  if (!site.factory || site.helperKey !== helperKey) {
    site.factory = compile(info, helperSources);
    site.helperKey = helperKey;
  }
  if (!site.imports) site.imports = loadImports(info);
  const imports = await site.imports;

  const closure = site.factory(...captures, ...imports.map((read) => read()), ...commonJSArguments(info));
  const result = await closure();
  let encoded;
  try {
    encoded = encode(result, 'the value returned by the closure');
  } catch (error) {
    error.message = `${error.message} (closure at ${info.name}:${info.funcLine}:${info.funcColumn})`;
    throw error;
  }
  return { reply: { id: message.id, ok: true, value: encoded.data, handles: encoded.handles }, transfer: encoded.transfer };
}

// The closure's first character is placed at its original line and column,
// so stack frames and nested spawn calls see the caller's file positions.
function compile(info, helperSources) {
  const directive = info.strict ? '"use strict"; ' : '';
  let code = `${directive}const __experimentalThreadsClosure = (\n${' '.repeat(Math.max(0, info.funcColumn - 1))}${info.source}\n);\n`;
  info.helpers.forEach((helper, i) => {
    code += `const ${helper.name} = (${helperSources[i]});\n`;
  });
  code += 'return __experimentalThreadsClosure;';
  const params = [...info.captures.map((c) => c.name), ...info.imports.map((i) => i.local), ...commonJSNames(info)];
  return vm.compileFunction(code, params, {
    filename: info.name,
    lineOffset: info.funcLine - 2,
    // import() inside the closure resolves against the caller's module,
    // whose URL or path is the filename.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

function commonJSNames(info) {
  return info.commonjs ? ['require', '__filename', '__dirname'] : [];
}

function commonJSArguments(info) {
  if (!info.commonjs) return [];
  const file = info.file;
  return [createRequire(file), file, file.slice(0, file.lastIndexOf('/')) || '/'];
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
    const namespace = await import(url);
    if (binding.imported === '*') readers.push(() => namespace);
    else readers.push(() => namespace[binding.imported]);
  }
  return readers;
}

// Node.js honours the parent argument of import.meta.resolve only with
// --experimental-import-meta-resolve, which the pool passes to its workers;
// Bun supports it without the flag.
function resolveImport(specifier, parentURL) {
  if (specifier.startsWith('node:')) return specifier;
  return import.meta.resolve(specifier, parentURL);
}
