/**
 * Persisted operations: the codegen client's documents (client/queries.ts) can be sent by
 * hash instead of text, e.g. `GET /graphql?documentId=sha256:…&variables=…`, which keeps
 * URLs short enough for GET and so for HTTP caches. The hashes and documents are those
 * codegen writes to client/generated/persisted-documents.json (`npm run codegen`; a test
 * keeps it in step with the client's documents). Any other query is still accepted as text.
 *
 * A hash is read from `documentId` (GraphQL over HTTP) or from Apollo's
 * `extensions.persistedQuery.sha256Hash` (sent without the `sha256:` prefix).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';

const MANIFEST = join('client', 'generated', 'persisted-documents.json');

/** The manifest of the package: beside src/ in a checkout, above dist/ after the build. */
function manifestPath(): string | undefined {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, MANIFEST))) return join(dir, MANIFEST);
  }
  return undefined;
}

/** hash → document, from a manifest file (`{"sha256:<hex>": "<document>"}`). */
export function readPersistedDocuments(path: string | undefined = manifestPath()): Map<string, string> {
  if (path === undefined) return new Map();
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${path}: expected an object of hash → document`);
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(parsed)) {
    if (typeof document !== 'string') throw new Error(`${path}: entry ${hash}: expected a document string`);
    documents.set(hash, document);
  }
  return documents;
}

function persistedOperationId(params: GraphQLParams, request: Request): string | null {
  const documentId = (params as { documentId?: unknown }).documentId ?? new URL(request.url).searchParams.get('documentId');
  if (typeof documentId === 'string' && documentId !== '') return documentId;
  const persisted = (params.extensions?.persistedQuery ?? null) as { version?: unknown; sha256Hash?: unknown } | null;
  if (persisted?.version === 1 && typeof persisted.sha256Hash === 'string') return `sha256:${persisted.sha256Hash}`;
  return null;
}

export function usePersistedClientOperations(documents?: ReadonlyMap<string, string>): Plugin {
  let known = documents;
  return usePersistedOperations({
    // The manifest is read on first use, so a server never asked by hash never reads it.
    getPersistedOperation: (id) => (known ??= readPersistedDocuments()).get(id) ?? null,
    allowArbitraryOperations: true,
    extractPersistedOperationId: persistedOperationId,
    customErrors: {
      notFound: { message: 'No persisted operation has this id: send the query text, or an id from client/generated/persisted-documents.json', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 404 } } },
      keyNotFound: { message: 'Must provide a query string (or a persisted operation\'s documentId)', extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
    },
  }) as Plugin;
}
