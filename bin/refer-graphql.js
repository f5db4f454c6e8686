#!/usr/bin/env node
// The bundled CLI with its V8 code cache (both written by `npm run build`, which `npm ci`
// runs): the fast start of issue 8 §2. See scripts/bundle.js.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const trace = process.env.REFER_GRAPHQL_STARTUP_TRACE === '1' ? require('./startup-trace') : undefined;
trace?.mark('node-bootstrap');
const { loadWithCodeCache } = require('./load-with-code-cache');

const BUNDLE = join(__dirname, '../dist/bundle/cli.js');
if (!existsSync(BUNDLE)) {
  process.stderr.write(`refer-graphql: ${BUNDLE} is missing: build it with \`npm run build\`\n`);
  process.exit(1);
}
const { main } = loadWithCodeCache(BUNDLE).exports;
trace?.mark('bundle-loaded');
trace?.traceLogLines();
main(process.argv);
