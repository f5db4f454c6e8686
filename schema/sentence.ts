/**
 * Sentence: one referring expression (REFER: refer.Sents[sent_id]), and the Dataset
 * entry points `sentence` and the `sentences` connection (text search lives here).
 */
import { stringAt } from '../src/core/store/columns';
import { filterRefRows, sentenceRowsOf } from '../src/core/search';
import { builder } from './builder';
import { Dataset } from './dataset';
import { RefRow, SentenceRow } from './models';
import { loadNodesById, nodeKey } from './node';
import { connectionComplexity, pageOf } from './pagination';
import { Ref } from './ref';
import { refFilterArgs, refFilterOf } from './ref-filter';

export const Sentence = builder.objectRef<SentenceRow>('Sentence');

builder.node(Sentence, {
  isTypeOf: (value) => value instanceof SentenceRow,
  description: 'A referring expression (REFER: refer.Sents[sent_id]).',
  id: { resolve: (s) => nodeKey(s.store, s.store.refs.sentId[s.row]) },
  loadMany: (keys, ctx) => loadNodesById(ctx, keys, 'sentenceById', SentenceRow),
  fields: (t) => ({
    sentId: t.int({ description: 'sent_id', resolve: (s) => s.store.refs.sentId[s.row] }),
    sent: t.string({ description: 'Normalised text: lower case, punctuation stripped, the tokens joined by spaces.', resolve: (s) => stringAt(s.store.refs.sent, s.row) }),
    raw: t.string({ description: 'What the annotator typed.', resolve: (s) => stringAt(s.store.refs.raw, s.row) }),
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
