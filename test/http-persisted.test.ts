/**
 * Persisted operations (src/http/persisted-operations.ts): the codegen client's documents
 * by hash over GET, from client/generated/persisted-documents.json, which must stay in
 * step with the generated documents (api-codegen.test.ts checks it is codegen's output).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
// What client-preset prints and hashes (codegen's own dependency): sorted fields, one line.
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import type { DocumentNode } from 'graphql';
import * as generated from '../client/generated/graphql';
import { readPersistedDocuments } from '../src/http/persisted-operations';
import { testApp } from './api-helpers';

const manifest = readPersistedDocuments(join(__dirname, '../client/generated/persisted-documents.json'));
const documents = Object.entries(generated).filter(([name]) => name.endsWith('Document')) as [string, DocumentNode & { __meta__?: { hash?: string } }][];

describe('the manifest', () => {
  it('has exactly one entry per generated client document, under its hash', () => {
    expect(documents.length).toBeGreaterThan(0);
    expect(new Set(documents.map(([, d]) => d.__meta__?.hash))).toEqual(new Set(manifest.keys()));
  });

  it.each(documents)('holds %s as the document it is generated from', (_name, document) => {
    const { __meta__, ...node } = document;
    const text = manifest.get(__meta__!.hash!)!;
    expect(text).toBe(printExecutableGraphQLDocument(node as DocumentNode));
  });

  it('keys each document by the sha256 of its text', () => {
    for (const [hash, text] of manifest) expect(hash).toBe(`sha256:${createHash('sha256').update(text).digest('hex')}`);
  });
});

describe('requests by hash', () => {
  const yoga = testApp();
  const refIds = generated.RefIdsDocument as DocumentNode & { __meta__: { hash: string } };
  const variables = { name: 'refcoco', splitBy: 'unc', split: 'testA' };
  const byText = async () =>
    (await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: manifest.get(refIds.__meta__.hash), variables }) })).json();

  it('answer GET ?documentId= as the query text does, with an ETag', async () => {
    const r = await yoga.fetch(`http://localhost/graphql?documentId=${encodeURIComponent(refIds.__meta__.hash)}&variables=${encodeURIComponent(JSON.stringify(variables))}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toMatch(/^"/);
    const body = await r.json();
    expect(body.data.dataset.refIds.length).toBeGreaterThan(0);
    expect(body).toEqual(await byText());
  });

  it("accept Apollo's extensions.persistedQuery (hash without prefix)", async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: refIds.__meta__.hash.replace('sha256:', '') } };
    const r = await yoga.fetch(`http://localhost/graphql?extensions=${encodeURIComponent(JSON.stringify(extensions))}&variables=${encodeURIComponent(JSON.stringify(variables))}`);
    expect(await r.json()).toEqual(await byText());
  });

  it('accept documentId in a JSON POST', async () => {
    const r = await yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documentId: refIds.__meta__.hash, variables }) });
    expect(await r.json()).toEqual(await byText());
  });

  it('refuse an unknown id with 404, saying where the ids come from', async () => {
    const r = await yoga.fetch('http://localhost/graphql?documentId=sha256%3Adeadbeef', { headers: { accept: 'application/graphql-response+json' } });
    expect(r.status).toBe(404);
    const body = await r.json();
    expect(body.errors[0].message).toMatch(/No persisted operation has this id.*persisted-documents\.json/);
    expect(body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuse a request with neither query nor id with 400', async () => {
    const r = await yoga.fetch('http://localhost/graphql?variables=%7B%7D', { headers: { accept: 'application/graphql-response+json' } });
    expect(r.status).toBe(400);
    expect((await r.json()).errors[0].message).toMatch(/Must provide a query string/);
  });

  it('still run queries sent as text', async () => {
    const r = await yoga.fetch(`http://localhost/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(await r.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
