#!/usr/bin/env node
// The bundled CLI with its V8 code cache (both written by `npm run build`, which `npm ci`
// runs): the fast start of issue 8 §2. See scripts/bundle.js.
const { join } = require('node:path');
const { loadWithCodeCache } = require('./load-with-code-cache');

loadWithCodeCache(join(__dirname, '../dist/bundle/cli.js')).exports.main(process.argv);
