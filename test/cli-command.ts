/** The arguments to `node` that run the refer-graphql command under test: the bundle of the sources that test/global-setup.js built. */
const file = process.env.REFER_TEST_CLI;
if (!file) throw new Error('REFER_TEST_CLI is not set: run the tests through jest.config.js, whose globalSetup bundles the CLI');

export const CLI: string[] = [file];
