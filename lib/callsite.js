'use strict';
// Finds where the library was called from, using the structured CallSite
// objects of V8 and JavaScriptCore rather than parsing stack text.

const { fileURLToPath, pathToFileURL } = require('node:url');

function structuredStack(_error, callSites) {
  return callSites;
}

/**
 * Returns the CallSite object of the frame that called `fn`, or undefined.
 * It is the cheap form for hot paths: the caller reads only what it needs.
 */
function callSiteOf(fn) {
  const holder = {};
  const previous = Error.prepareStackTrace;
  const previousLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = structuredStack;
  Error.stackTraceLimit = 1;
  Error.captureStackTrace(holder, fn);
  const frames = holder.stack;
  Error.prepareStackTrace = previous;
  Error.stackTraceLimit = previousLimit;
  return Array.isArray(frames) ? frames[0] : undefined;
}

/** Returns the file name the runtime reports for a CallSite. */
function fileNameOf(frame) {
  return frame.getFileName() || (frame.getScriptNameOrSourceURL && frame.getScriptNameOrSourceURL());
}

/**
 * Returns { file, url, line, column } of the frame that called `fn`.
 * `file` is a path, `url` a file URL; `name` is what the runtime reported
 * (a URL for ES modules on Node.js and Deno, a path on Bun and for CommonJS).
 */
function callerOf(fn) {
  const holder = {};
  const previous = Error.prepareStackTrace;
  const previousLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = structuredStack;
  Error.stackTraceLimit = 1;
  try {
    Error.captureStackTrace(holder, fn);
    const frames = holder.stack;
    const frame = Array.isArray(frames) ? frames[0] : undefined;
    if (!frame) return undefined;
    const name = frame.getFileName() || (frame.getScriptNameOrSourceURL && frame.getScriptNameOrSourceURL());
    if (!name) return undefined;
    return { name, ...normalise(name), line: frame.getLineNumber(), column: frame.getColumnNumber() };
  } finally {
    Error.prepareStackTrace = previous;
    Error.stackTraceLimit = previousLimit;
  }
}

const normalised = new Map();

// Memoised per name, because spawn calls it on every call.
function normalise(name) {
  let result = normalised.get(name);
  if (result === undefined) {
    result = normaliseName(name);
    normalised.set(name, result);
  }
  return result;
}

function normaliseName(name) {
  if (name.startsWith('file://')) return { file: fileURLToPath(name), url: name };
  if (name.startsWith('/')) return { file: name, url: pathToFileURL(name).href };
  return { file: undefined, url: name };
}

module.exports = { callerOf, callSiteOf, fileNameOf, normalise };
