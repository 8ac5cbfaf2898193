'use strict';
// An ES module resolver for runtimes that cannot resolve a specifier against
// a parent URL of the caller's choosing. Deno 2.9 is one: its
// import.meta.resolve takes no parent, and a worker must resolve the caller's
// imports as if they were written in the caller's file.
//
// It follows the resolution algorithm in the Node.js ES modules
// documentation. That covers relative and absolute URLs, `node:` and bare
// built-in modules, and bare package specifiers found by walking up
// `node_modules` directories. It also covers package self-reference, the
// `exports` and `imports` fields of package.json (conditions, subpath
// patterns, fallback arrays) and the `main` / index.js fallback for packages
// without `exports`. Resolved files are returned by their real path, as
// Node.js does, so a module reached through a symbolic link has one URL in
// every thread.

const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');
const { fileURLToPath, pathToFileURL } = require('node:url');

/** Conditions Deno 2.9 matches for an import in `exports` and `imports`. */
const DENO_CONDITIONS = Object.freeze(['deno', 'node', 'import', 'default']);

/**
 * Conditions every Node.js release matches for an import. Newer releases add
 * `module-sync`, and `--conditions` adds more; neither is included.
 */
const NODE_CONDITIONS = Object.freeze(['node', 'import', 'default']);

const builtins = new Set(builtinModules);

class ResolveError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** Parsed package.json files by path; null for a missing file. */
const packageJSONCache = new Map();

function readPackageJSON(file) {
  if (packageJSONCache.has(file)) return packageJSONCache.get(file);
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error.code !== 'ENOENT' && error.code !== 'ENOTDIR') throw error;
    packageJSONCache.set(file, null);
    return null;
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ResolveError('ERR_INVALID_PACKAGE_CONFIG', `Invalid package configuration ${file}: ${error.message}`);
  }
  if (json === null || typeof json !== 'object') json = {};
  packageJSONCache.set(file, json);
  return json;
}

function statKind(file) {
  try {
    const stats = fs.statSync(file);
    if (stats.isDirectory()) return 'directory';
    return 'file';
  } catch {
    return undefined;
  }
}

// The folder of a file URL, or the folder itself for a URL ending in "/".
function directoryOf(url) {
  return path.resolve(fileURLToPath(new URL('.', url)));
}

function describeParent(parentURL) {
  return parentURL.startsWith('file:') ? fileURLToPath(parentURL) : parentURL;
}

/**
 * Resolves `specifier` as an `import` in the module at `parentURL` and
 * returns the URL to import: a `file:` URL, a `node:` URL for a built-in
 * module, or the specifier itself when it is already an absolute URL.
 * `conditions` lists the export conditions to match; `default` always
 * matches. Throws an error with a Node.js error code (ERR_MODULE_NOT_FOUND,
 * ERR_PACKAGE_PATH_NOT_EXPORTED, …) when resolution fails.
 */
function resolve(specifier, parentURL, conditions = DENO_CONDITIONS) {
  const conditionSet = new Set(conditions);
  let url;
  if (specifier.startsWith('/') || specifier.startsWith('./') || specifier.startsWith('../')) {
    url = new URL(specifier, parentURL);
  } else if (specifier.startsWith('#')) {
    url = resolvePackageImports(specifier, parentURL, conditionSet);
  } else if (isAbsoluteURL(specifier)) {
    // file:, data:, node:, and schemes the runtime itself resolves, such as
    // Deno's npm: and jsr:.
    return specifier;
  } else {
    url = resolvePackage(specifier, parentURL, conditionSet);
  }
  if (url.protocol !== 'file:') return url.href;
  return finishFileURL(url, specifier, parentURL);
}

function isAbsoluteURL(specifier) {
  try {
    new URL(specifier);
    return true;
  } catch {
    return false;
  }
}

// Checks that a resolved file exists and is not a directory, and replaces its
// path with the real path.
function finishFileURL(url, specifier, parentURL) {
  if (/%2f|%5c/i.test(url.pathname)) {
    throw new ResolveError('ERR_INVALID_MODULE_SPECIFIER', `Invalid module specifier "${specifier}": the resolved path ${url.pathname} contains an encoded / or \\ (imported from ${describeParent(parentURL)})`);
  }
  const file = fileURLToPath(url);
  const kind = statKind(file);
  if (kind === 'directory') {
    throw new ResolveError('ERR_UNSUPPORTED_DIR_IMPORT', `Directory import ${file} is not supported when resolving ES modules; import a file inside it (imported from ${describeParent(parentURL)})`);
  }
  if (kind === undefined) {
    throw new ResolveError('ERR_MODULE_NOT_FOUND', `Cannot find module ${file} imported from ${describeParent(parentURL)}`);
  }
  const real = pathToFileURL(fs.realpathSync(file));
  real.search = url.search;
  real.hash = url.hash;
  return real.href;
}

// Resolves a bare specifier: a built-in module, the package itself
// (self-reference) or a package in a node_modules directory above the parent.
function resolvePackage(specifier, parentURL, conditions) {
  if (builtins.has(specifier)) return new URL(`node:${specifier}`);

  const { name, subpath } = parsePackageSpecifier(specifier, parentURL);

  const self = resolveSelf(name, subpath, parentURL, conditions);
  if (self) return self;

  if (!parentURL.startsWith('file:')) {
    throw new ResolveError('ERR_MODULE_NOT_FOUND', `Cannot find package '${name}' imported from ${parentURL}: packages are looked up only from file: URLs`);
  }
  let dir = directoryOf(parentURL);
  for (;;) {
    const packageDir = path.join(dir, 'node_modules', name);
    if (statKind(packageDir) === 'directory') {
      const packageURL = pathToFileURL(`${packageDir}/`);
      const pjson = readPackageJSON(path.join(packageDir, 'package.json')) || {};
      if (pjson.exports !== undefined && pjson.exports !== null) {
        return resolvePackageExports(packageURL, subpath, pjson.exports, conditions, specifier, parentURL);
      }
      if (subpath === '.') return resolveLegacyMain(packageURL, pjson.main, specifier, parentURL);
      return new URL(subpath, packageURL);
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new ResolveError('ERR_MODULE_NOT_FOUND', `Cannot find package '${name}' imported from ${describeParent(parentURL)}`);
}

function parsePackageSpecifier(specifier, parentURL) {
  let separator = specifier.indexOf('/');
  let valid = specifier !== '';
  if (specifier.startsWith('@')) {
    if (separator === -1) valid = false;
    else separator = specifier.indexOf('/', separator + 1);
  }
  const name = separator === -1 ? specifier : specifier.slice(0, separator);
  if (name.startsWith('.') || name.includes('\\') || name.includes('%')) valid = false;
  const subpath = `.${separator === -1 ? '' : specifier.slice(separator)}`;
  if (!valid || subpath.endsWith('/')) {
    throw new ResolveError('ERR_INVALID_MODULE_SPECIFIER', `Invalid module specifier "${specifier}": it is not a valid package name (imported from ${describeParent(parentURL)})`);
  }
  return { name, subpath };
}

// Returns the URL of the folder holding the package.json that governs the
// file at url, or undefined. The search stops at a node_modules folder, as a
// file directly inside one belongs to no package.
function findPackageScope(url) {
  if (!url.startsWith('file:')) return undefined;
  let dir = directoryOf(url);
  for (;;) {
    if (path.basename(dir) === 'node_modules') return undefined;
    if (readPackageJSON(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function resolveSelf(name, subpath, parentURL, conditions) {
  const scope = findPackageScope(parentURL);
  if (!scope) return undefined;
  const pjson = readPackageJSON(path.join(scope, 'package.json'));
  if (pjson.name !== name || pjson.exports === undefined || pjson.exports === null) return undefined;
  return resolvePackageExports(pathToFileURL(`${scope}/`), subpath, pjson.exports, conditions, `${name}${subpath.slice(1)}`, parentURL);
}

// The files tried for a package without `exports`, in Node.js's order.
function resolveLegacyMain(packageURL, main, specifier, parentURL) {
  const candidates = [];
  if (typeof main === 'string' && main !== '') {
    candidates.push(main, `${main}.js`, `${main}.json`, `${main}.node`, `${main}/index.js`, `${main}/index.json`, `${main}/index.node`);
  }
  candidates.push('index.js', 'index.json', 'index.node');
  for (const candidate of candidates) {
    const url = new URL(candidate.startsWith('/') ? `.${candidate}` : candidate, packageURL);
    if (statKind(fileURLToPath(url)) === 'file') return url;
  }
  throw new ResolveError('ERR_MODULE_NOT_FOUND', `Cannot find the main module of package ${fileURLToPath(packageURL)} (main: ${JSON.stringify(main)}) imported from ${describeParent(parentURL)}`);
}

function isConditionMap(object, packageURL) {
  let dotted;
  for (const key of Object.keys(object)) {
    const isSubpath = key.startsWith('.');
    if (dotted === undefined) dotted = isSubpath;
    else if (dotted !== isSubpath) {
      throw new ResolveError('ERR_INVALID_PACKAGE_CONFIG', `Invalid package configuration ${fileURLToPath(new URL('package.json', packageURL))}: "exports" mixes subpath keys (starting with ".") and condition keys in one object`);
    }
  }
  return !dotted;
}

function resolvePackageExports(packageURL, subpath, exports, conditions, specifier, parentURL) {
  const isObject = typeof exports === 'object' && exports !== null && !Array.isArray(exports);
  const conditional = !isObject || isConditionMap(exports, packageURL);
  let resolved;
  if (subpath === '.') {
    const mainExport = conditional ? exports : exports['.'];
    if (mainExport !== undefined) resolved = resolveTarget(packageURL, mainExport, null, false, conditions, specifier, parentURL);
  } else if (!conditional) {
    resolved = resolveImportsExports(subpath, exports, packageURL, false, conditions, specifier, parentURL);
  }
  if (resolved !== undefined && resolved !== null) return resolved;
  const where = fileURLToPath(new URL('package.json', packageURL));
  const problem = subpath === '.' ? 'No "exports" main is defined' : `Package subpath '${subpath}' is not defined by "exports"`;
  throw new ResolveError('ERR_PACKAGE_PATH_NOT_EXPORTED', `${problem} for the conditions ${[...conditions].join(', ')} in ${where} imported from ${describeParent(parentURL)}`);
}

function resolvePackageImports(specifier, parentURL, conditions) {
  if (specifier === '#' || specifier.startsWith('#/')) {
    throw new ResolveError('ERR_INVALID_MODULE_SPECIFIER', `Invalid module specifier "${specifier}": an import map key must have a name after "#" (imported from ${describeParent(parentURL)})`);
  }
  const scope = findPackageScope(parentURL);
  if (scope) {
    const imports = readPackageJSON(path.join(scope, 'package.json')).imports;
    if (imports !== null && typeof imports === 'object' && !Array.isArray(imports)) {
      const resolved = resolveImportsExports(specifier, imports, pathToFileURL(`${scope}/`), true, conditions, specifier, parentURL);
      if (resolved !== undefined && resolved !== null) return resolved;
    }
  }
  const where = scope ? ` in ${path.join(scope, 'package.json')}` : '';
  throw new ResolveError('ERR_PACKAGE_IMPORT_NOT_DEFINED', `Package import specifier "${specifier}" is not defined${where} for the conditions ${[...conditions].join(', ')}, imported from ${describeParent(parentURL)}`);
}

// Looks matchKey up in an `exports` subpath map or an `imports` map: an
// exact key without "*" first, then the pattern keys, most specific first.
function resolveImportsExports(matchKey, matchObject, packageURL, isImports, conditions, specifier, parentURL) {
  if (Object.hasOwn(matchObject, matchKey) && !matchKey.includes('*')) {
    return resolveTarget(packageURL, matchObject[matchKey], null, isImports, conditions, specifier, parentURL);
  }
  const patternKeys = Object.keys(matchObject)
    .filter((key) => key.indexOf('*') !== -1 && key.indexOf('*') === key.lastIndexOf('*'))
    .sort(comparePatternKeys);
  for (const key of patternKeys) {
    const star = key.indexOf('*');
    const base = key.slice(0, star);
    const trailer = key.slice(star + 1);
    if (!matchKey.startsWith(base) || matchKey === base) continue;
    if (trailer !== '' && !(matchKey.endsWith(trailer) && matchKey.length >= key.length)) continue;
    const patternMatch = matchKey.slice(base.length, matchKey.length - trailer.length);
    return resolveTarget(packageURL, matchObject[key], patternMatch, isImports, conditions, specifier, parentURL);
  }
  return null;
}

// Orders pattern keys so that a longer text before "*" comes first, then a
// longer key.
function comparePatternKeys(a, b) {
  const baseA = a.indexOf('*');
  const baseB = b.indexOf('*');
  if (baseA !== baseB) return baseB - baseA;
  return b.length - a.length;
}

// Reports whether a target or a "*" match has a path segment that would let
// it leave its package or reach into node_modules: "", ".", ".." or
// "node_modules", in any case and also when percent-encoded.
function hasInvalidSegment(text) {
  return text.split(/[/\\]/).some((segment) => {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      // A malformed escape is not one of the forbidden names.
    }
    decoded = decoded.toLowerCase();
    return decoded === '' || decoded === '.' || decoded === '..' || decoded === 'node_modules';
  });
}

// Resolves one `exports` or `imports` target: a string, an array of
// fallbacks, a condition object or null. Returns undefined when no condition
// matched and null for a target that is explicitly excluded.
function resolveTarget(packageURL, target, patternMatch, isImports, conditions, specifier, parentURL) {
  if (typeof target === 'string') return resolveStringTarget(packageURL, target, patternMatch, isImports, conditions, specifier, parentURL);

  if (Array.isArray(target)) {
    if (target.length === 0) return null;
    let lastError;
    for (const fallback of target) {
      let resolved;
      try {
        resolved = resolveTarget(packageURL, fallback, patternMatch, isImports, conditions, specifier, parentURL);
      } catch (error) {
        if (error.code !== 'ERR_INVALID_PACKAGE_TARGET') throw error;
        lastError = error;
        continue;
      }
      if (resolved === undefined) continue;
      if (resolved === null) {
        lastError = null;
        continue;
      }
      return resolved;
    }
    if (lastError) throw lastError;
    return lastError === null ? null : undefined;
  }

  if (target !== null && typeof target === 'object') {
    for (const key of Object.keys(target)) {
      if (/^\d+$/.test(key)) {
        throw new ResolveError('ERR_INVALID_PACKAGE_CONFIG', `Invalid package configuration ${fileURLToPath(new URL('package.json', packageURL))}: a condition key may not be a number ("${key}")`);
      }
    }
    for (const key of Object.keys(target)) {
      if (key !== 'default' && !conditions.has(key)) continue;
      const resolved = resolveTarget(packageURL, target[key], patternMatch, isImports, conditions, specifier, parentURL);
      if (resolved === undefined) continue;
      return resolved;
    }
    return undefined;
  }

  if (target === null) return null;
  throw invalidTarget(packageURL, target, isImports, specifier, parentURL);
}

function resolveStringTarget(packageURL, target, patternMatch, isImports, conditions, specifier, parentURL) {
  if (!target.startsWith('./')) {
    // Only `imports` may map to another package, as in "#dep": "dep".
    if (!isImports || target.startsWith('../') || target.startsWith('/') || isAbsoluteURL(target)) {
      throw invalidTarget(packageURL, target, isImports, specifier, parentURL);
    }
    const bare = patternMatch === null ? target : target.replaceAll('*', patternMatch);
    return resolvePackage(bare, packageURL.href, conditions);
  }
  if (hasInvalidSegment(target.slice(2))) throw invalidTarget(packageURL, target, isImports, specifier, parentURL);
  const resolved = new URL(target, packageURL);
  if (!resolved.pathname.startsWith(packageURL.pathname)) throw invalidTarget(packageURL, target, isImports, specifier, parentURL);
  if (patternMatch === null) return resolved;
  if (hasInvalidSegment(patternMatch)) {
    throw new ResolveError('ERR_INVALID_MODULE_SPECIFIER', `Invalid module specifier "${specifier}": the part matched by "*" (${JSON.stringify(patternMatch)}) contains ".", ".." or "node_modules" segments (imported from ${describeParent(parentURL)})`);
  }
  return new URL(resolved.href.replaceAll('*', patternMatch));
}

function invalidTarget(packageURL, target, isImports, specifier, parentURL) {
  const field = isImports ? 'imports' : 'exports';
  return new ResolveError(
    'ERR_INVALID_PACKAGE_TARGET',
    `Invalid "${field}" target ${JSON.stringify(target)} for "${specifier}" in ${fileURLToPath(new URL('package.json', packageURL))} imported from ${describeParent(parentURL)}; ${isImports ? 'targets must start with "./" or name a package' : 'targets must start with "./"'}`,
  );
}

module.exports = { resolve, DENO_CONDITIONS, NODE_CONDITIONS, ResolveError };
