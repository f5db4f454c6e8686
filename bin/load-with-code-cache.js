// Loads a CommonJS file the way require() does, but compiled from a V8 code cache kept
// beside it: the server bundle is 3 MB of JavaScript, and compiling it (even lazily) is a
// large part of the start-up. Node 20 has no module.enableCompileCache (Node ≥ 22.1).
//
// The cache is written by the build (scripts/bundle.js), after a start that answered a
// query, so it also holds the functions the first request compiled. V8 checks it against
// the source, its own version and its flags; a cache it rejects is ignored (the file then
// loads as usual, only slower), never trusted.
const { isAscii } = require('node:buffer');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname } = require('node:path');
const vm = require('node:vm');

/** Set by the build's training start: write the cache when this process exits. */
const WRITE_ENV = 'REFER_GRAPHQL_WRITE_CODE_CACHE';

/** `<file>.v8cache`: the cache of `file`. */
function codeCachePath(file) {
  return `${file}.v8cache`;
}

/** require(file), compiled with its code cache when V8 accepts it. */
function loadWithCodeCache(file) {
  const cacheFile = codeCachePath(file);
  // The bundle is ASCII (scripts/bundle.js): read as latin1, that is a copy, not a UTF-8 decode.
  const bytes = readFileSync(file);
  const script = new vm.Script(Module.wrap(isAscii(bytes) ? bytes.latin1Slice() : bytes.toString('utf8')), {
    filename: file,
    cachedData: existsSync(cacheFile) ? readFileSync(cacheFile) : undefined,
  });
  if (process.env[WRITE_ENV] === '1') {
    // At exit, every function the run compiled is in the cache, not only the top level.
    process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  Module._cache[file] = mod;
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, cacheRejected: script.cachedDataRejected === true };
}

module.exports = { loadWithCodeCache, codeCachePath, WRITE_ENV };
