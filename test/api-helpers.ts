/** Shared by the API tests: the golden catalog, loaded once per test file, and a JSON POST helper. */
import { join } from 'node:path';
import { loadCatalog, type Catalog } from '../src/core/catalog';
import { createYogaApp, type AppOptions, type YogaApp } from '../src/server';

export const GOLDEN_DATA = join(__dirname, 'fixtures/golden/data');

let catalog: Catalog | undefined;
export function goldenCatalog(): Catalog {
  catalog ??= loadCatalog({ dataRoot: GOLDEN_DATA, cacheDir: null });
  return catalog;
}

export function testApp(options: AppOptions = {}, source: Catalog = goldenCatalog()): YogaApp {
  return createYogaApp(source, { log: false, ...options });
}

export interface GqlResponse {
  status: number;
  body: { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
}

export async function gql(yoga: YogaApp, query: string, variables?: Record<string, unknown>): Promise<GqlResponse> {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

/** The one error message of a response (fails the test when there is not exactly one). */
export function onlyError(r: GqlResponse): string {
  expect(r.body.errors).toHaveLength(1);
  return r.body.errors![0].message;
}

export function globalId(type: string, key: string): string {
  return Buffer.from(`${type}:${key}`).toString('base64');
}
