#!/usr/bin/env node
// `npm start`: build only when a source is newer than the last build.
// tsc rewrites every output on each build, and scripts/bundle.js then writes the bundle and
// its code cache last, so the older of dist/src/cli.js and the cache is the build's time;
// `npm ci` already built once (prepare), so a plain start skips the 8 s compile.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const SOURCES = ['src', 'schema', 'loaders', 'bench', 'scripts', 'bin', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.(ts|js|json)$/.test(path) ? stat.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const BUILT = ['dist/src/cli.js', 'dist/bundle/cli.js.v8cache'].map((p) => join(root, p));
const sourcesTime = Math.max(...SOURCES.map((p) => join(root, p)).filter(existsSync).map(newestMtime));
if (BUILT.some((built) => !existsSync(built) || statSync(built).mtimeMs < sourcesTime)) {
  process.stderr.write('sources changed since the last build: compiling (npm run build)\n');
  const steps = [
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
    [join(root, 'scripts/bundle.js')],
  ];
  for (const args of steps) {
    const step = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (step.status !== 0) process.exit(step.status ?? 1);
  }
}
