// Jest's globalSetup: the CLI bundled once per test run (esbuild, as `npm run build`
// bundles it, without the code cache), so that tests spawning the command start it in
// ~0.3 s instead of compiling the TypeScript sources in every process (ts-node: ~3 s a
// start). It lives under dist/ so that the bundle finds package.json, explorer/ and
// node_modules by walking up from itself, as dist/bundle/cli.js does. test/cli-command.ts
// hands it to the tests; test/global-teardown.js removes it.
const { mkdirSync, mkdtempSync } = require('node:fs');
const { join } = require('node:path');
const { bundle } = require('../scripts/bundle.js');

const ROOT = join(__dirname, '..');

module.exports = async function bundleCliForTests() {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const out = mkdtempSync(join(ROOT, 'dist', 'jest-cli-'));
  await bundle(out);
  // Jest starts its workers after this, and they inherit the environment.
  process.env.REFER_TEST_CLI = join(out, 'cli.js');
};
