/**
 * A small typed client for a running server:
 *
 *   npx ts-node --transpile-only client/example.ts http://127.0.0.1:4000/graphql
 *
 * Every call is typed by its document (see queries.ts): variables are checked and the
 * result has the exact shape the query asks for. No client library: fetch is enough.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { DatasetsQuery, RefIdsQuery, RefNodeQuery, RefsPageQuery } from './queries';

export class GraphQLRequestError extends Error {}

export async function request<Result, Variables>(url: string, document: TypedDocumentNode<Result, Variables>, variables: Variables): Promise<Result> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string }[] };
  if (body.errors?.length || !body.data) throw new GraphQLRequestError(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`);
  return body.data;
}

/** What the example prints: the loaded pairs, a word search over testA, and one ref by global id. */
export async function runExample(url: string) {
  const { datasets } = await request(url, DatasetsQuery, {});
  const pair = datasets.find((d) => d.name === 'refcoco' && d.splitBy === 'unc') ?? datasets[0];
  const split = pair.splits.some((s) => s.name === 'testA') ? 'testA' : pair.splits[0].name;
  const ids = await request(url, RefIdsQuery, { name: pair.name, splitBy: pair.splitBy, split });
  const page = await request(url, RefsPageQuery, { name: pair.name, splitBy: pair.splitBy, split, text: 'man', first: 3 });
  const refs = page.dataset?.refs;
  const first = refs?.edges[0]?.node;
  const node = first ? await request(url, RefNodeQuery, { id: first.id }) : undefined;
  const ref = node?.node?.__typename === 'Ref' ? node.node : undefined;
  return {
    pairs: datasets.map((d) => `${d.name}/${d.splitBy}: ${d.counts.refs} refs, ${d.counts.sentences} sentences`),
    split,
    refIds: ids.dataset?.refIds ?? [],
    matches: refs?.totalCount ?? 0,
    firstMatch: first && { refId: first.refId, category: first.category?.name, box: first.box, sentences: first.sentences.map((s) => s.raw) },
    segmentation: ref?.annotation?.segmentation.__typename,
  };
}

if (require.main === module) {
  const url = process.argv[2] ?? 'http://127.0.0.1:4000/graphql';
  runExample(url).then(
    (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
