/**
 * The printed schema, sorted so that diffs show what changed rather than where a type
 * file was imported. `npm run schema:print` writes it to schema/schema.graphql; a test
 * fails when the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './index';

export const SCHEMA_FILE = join(__dirname, 'schema.graphql');

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, printedSchema());
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
