/**
 * Sentence: one referring expression (REFER: refer.Sents[sent_id]), and the Dataset
 * entry points `sentence` and the `sentences` connection (text search lives here).
 */
import { filterRefRows, sentenceRowsOf } from '../src/core/query/filters';
import { builder } from './builder';
import { RefRow, SentenceRow } from './models';
import { rowNode } from './node';
import { Dataset, Ref, Sentence } from './objects';
import { connectionComplexity, pageOf } from './pagination';
import { refFilterArgs, refFilterOf } from './ref-filter';

builder.node(Sentence, {
  ...rowNode(SentenceRow, 'sentenceById', (store, row) => store.sentId(row)),
  description: 'A referring expression (REFER: refer.Sents[sent_id]).',
  fields: (t) => ({
    sentId: t.int({ description: 'sent_id', resolve: (s) => s.store.sentId(s.row) }),
    sent: t.string({ description: 'Normalised text: lower case, punctuation stripped, the tokens joined by spaces.', resolve: (s) => s.store.sentText(s.row) }),
    raw: t.string({ description: 'What the annotator typed.', resolve: (s) => s.store.sentRaw(s.row) }),
    tokens: t.stringList({ description: 'REFER: refer.sentToTokens[sent_id].', resolve: (s) => s.store.tokensAt(s.row) }),
    ref: t.field({ type: Ref, resolve: async (s, _args, ctx) => new RefRow(s.store, await ctx.loaders.of(s.store).load('refOfSentence', s.row)) }),
  }),
});

builder.objectFields(Dataset, (t) => ({
  sentence: t.field({
    type: Sentence,
    nullable: true,
    description: 'refer.Sents[sent_id]; an unknown id is an error naming the valid range.',
    args: { sentId: t.arg.int({ required: true }) },
    resolve: async (store, a, ctx) => new SentenceRow(store, await ctx.loaders.of(store).load('sentenceById', a.sentId)),
  }),
  sentences: t.connection({
    type: Sentence,
    nullable: true,
    description: 'Sentences of the refs matching the filters, in ref order; with `text`, only the sentences that match it.',
    args: refFilterArgs,
    complexity: connectionComplexity,
    resolve: (store, args, ctx) => {
      const { text, ...refFilter } = refFilterOf(store, args);
      return pageOf(sentenceRowsOf(store, filterRefRows(store, refFilter), text), args, ctx, (row) => new SentenceRow(store, row));
    },
  }),
}));
