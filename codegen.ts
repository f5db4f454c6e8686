/**
 * Typed client documents for the example queries in client/, generated offline from the
 * committed schema/schema.graphql: `npm run codegen`. A test fails when
 * client/generated/ is stale.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

/** Where to write; the staleness test generates into a temporary directory instead. */
const outputDir = process.env.CODEGEN_OUTPUT_DIR ?? 'client/generated/';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['client/**/*.ts', '!client/generated/**'],
  ignoreNoDocuments: false,
  generates: {
    [outputDir]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
      config: { useTypeImports: true, enumsAsTypes: true },
    },
  },
};

export default config;
