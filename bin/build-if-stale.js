#!/usr/bin/env node
// `npm start`: compile the TypeScript only when a source is newer than the last build.
// tsc rewrites every output on each build, so dist/src/cli.js's mtime is the build's time;
// `npm ci` already built once (prepare), so a plain start skips the 8 s compile.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const SOURCES = ['src', 'schema', 'loaders', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith('.ts') || path.endsWith('.json') ? stat.mtimeMs : 0;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const built = join(root, 'dist/src/cli.js');
const sourcesTime = Math.max(...SOURCES.map((p) => join(root, p)).filter(existsSync).map(newestMtime));
if (!existsSync(built) || statSync(built).mtimeMs < sourcesTime) {
  process.stderr.write('sources changed since the last build: compiling (npm run build)\n');
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  process.exit(tsc.status ?? 1);
}
