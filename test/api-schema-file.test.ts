/** schema/schema.graphql is printed from the code: fail when the committed file is stale. */
import { readFileSync } from 'node:fs';
import { printedSchema, SCHEMA_FILE } from '../schema/print';

it('schema/schema.graphql matches the schema (run `npm run schema:print` after changing it)', () => {
  const committed = readFileSync(SCHEMA_FILE, 'utf8');
  // Compared as a boolean first so a stale file fails with the fix, not a 600-line diff.
  if (committed !== printedSchema()) {
    throw new Error('schema/schema.graphql is stale: run `npm run schema:print` and commit the result');
  }
  expect(committed).toContain('type Dataset implements Node');
});
