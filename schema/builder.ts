/**
 * The schema builder: context type, plugins and their settings, nothing else. Object
 * refs are declared in objects.ts, types live one per file beside this one; index.ts
 * assembles them.
 *
 * Cost estimate (complexity plugin): every field costs 1; what a list field selects is
 * multiplied by the list's expected length — a connection by its `first`/`last` (or the
 * default page size), a `loadX(ids)` call by the number of ids, other lists by their
 * `complexity` option or 10. The estimate is checked before any resolver runs, so a
 * query asking for 50,000 refs' worth of data is refused without touching the store.
 */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import RelayPlugin from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import type { Context } from './context';
import { checkNodeType } from '../src/ids';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Connection: { totalCount: number };
}>({
  plugins: [RelayPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // The connection field's multiplier already counts the page: edges must not again.
    edgesFieldOptions: { complexity: { field: 0, multiplier: 1 } },
    nodeQueryOptions: {
      description: 'Any object by its global id (the `id` field): base64 of "<Type>:<dataset>/<splitBy>:<id>", e.g. "Ref:refcoco/unc:123".',
      resolve: (_root, { id }, _ctx, _info, resolveNode) => resolveNode(checkNodeType(id)),
    },
    nodesQueryOptions: {
      description: 'Several objects by global id, in the order given.',
      complexity: (args: { ids?: unknown[] }) => ({ field: 1, multiplier: args.ids?.length ?? 1 }),
      resolve: (_root, { ids }, _ctx, _info, resolveNodes) => resolveNodes(ids.map(checkNodeType)),
    },
  },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: (ctx) => ({ complexity: ctx.limits.maxComplexity }),
    complexityError: (_kind, { complexity, maxComplexity }) =>
      new GraphQLError(
        `Query too expensive: its estimated cost is ${complexity}, the limit is ${maxComplexity}. ` +
          'Lists multiply the cost of what they select (a connection by its `first`, loadX by its number of ids): ask for fewer items per page or fewer nested fields.',
        { extensions: { code: 'QUERY_TOO_COMPLEX', cost: complexity, maxCost: maxComplexity } },
      ),
  },
});

builder.queryType({});

builder.globalConnectionField('totalCount', (t) =>
  t.int({ description: 'Number of items matching the filters, across all pages.', resolve: (connection) => connection.totalCount }),
);
