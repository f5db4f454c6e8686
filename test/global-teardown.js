// Jest's globalTeardown: removes the CLI bundle test/global-setup.js built.
const { rmSync } = require('node:fs');
const { dirname } = require('node:path');

module.exports = function removeTestCli() {
  if (process.env.REFER_TEST_CLI) rmSync(dirname(process.env.REFER_TEST_CLI), { recursive: true, force: true });
};
