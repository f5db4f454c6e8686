#!/usr/bin/env node
// The compiled CLI (npm ci / npm run build writes dist/).
require('../dist/src/cli.js').main(process.argv);
