/**
 * Split: one split label of a dataset/splitBy pair (train, val, testA, …) with its
 * counts, refs and images; and Dataset.splits / Dataset.split.
 *
 * A Split is an exact label: in refclef/unc the testA split holds only refs labelled
 * testA, while REFER's `split: "testA"` argument (refIds, refs) also matches testAB.
 */
import { filterRefRows, imageRowsOf, splitLabelIndex } from '../src/core/query/filters';
import type { SplitCounts } from '../src/core/query/statistics';
import { nodeKey, storeOfKey } from '../src/ids';
import { builder } from './builder';
import { statistics } from './lazy-modules';
import { ImageRow, RefRow, SplitModel } from './models';
import { Dataset, Image, Ref, Split } from './objects';
import { connectionComplexity, pageOf } from './pagination';
import { refFilterArgs, refFilterOf } from './ref-filter';

const SplitCountsRef = builder.objectRef<SplitCounts>('SplitCounts').implement({
  fields: (t) => ({
    refs: t.exposeInt('refs'),
    sentences: t.exposeInt('sentences'),
    images: t.exposeInt('images', { description: "Distinct images of the split's refs." }),
  }),
});

const { split: _split, ...splitRefFilterArgs } = refFilterArgs;

function splitFilter(split: SplitModel, args: Parameters<typeof refFilterOf>[1]) {
  return { ...refFilterOf(split.store, args), splitLabel: split.name };
}

builder.node(Split, {
  isTypeOf: (value) => value instanceof SplitModel,
  description: 'The refs of one split label of a dataset/splitBy pair.',
  id: { resolve: (s) => nodeKey(s.store, s.name) },
  loadOne: (key, ctx) => {
    const { store, rest } = storeOfKey(ctx.catalog, key);
    splitLabelIndex(store, rest);
    return new SplitModel(store, rest);
  },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The split label: train, val, test, testA, testB, testC, testAB, testBC or testAC.' }),
    counts: t.field({ type: SplitCountsRef, resolve: (s) => statistics().splitCounts(s.store)[splitLabelIndex(s.store, s.name)] }),
    refs: t.connection({
      type: Ref,
      nullable: true,
      description: 'Refs labelled with this split, in file order, optionally filtered.',
      args: splitRefFilterArgs,
      complexity: connectionComplexity,
      resolve: (s, args, ctx) => pageOf(filterRefRows(s.store, splitFilter(s, args)), args, ctx, (row) => new RefRow(s.store, row)),
    }),
    images: t.connection({
      type: Image,
      nullable: true,
      description: "Images of this split's refs (matching the filters), in file order.",
      args: splitRefFilterArgs,
      complexity: connectionComplexity,
      resolve: (s, args, ctx) => pageOf(imageRowsOf(s.store, filterRefRows(s.store, splitFilter(s, args))), args, ctx, (row) => new ImageRow(s.store, row)),
    }),
  }),
});

builder.objectFields(Dataset, (t) => ({
  splits: t.field({
    type: [Split],
    description: 'The split labels present in this pair, in order of first appearance.',
    resolve: (store) => store.splitNames.map((name) => new SplitModel(store, name)),
  }),
  split: t.field({
    type: Split,
    nullable: true,
    description: 'One split by label; an unknown label is an error listing the labels present.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (store, a) => {
      splitLabelIndex(store, a.name);
      return new SplitModel(store, a.name);
    },
  }),
}));
