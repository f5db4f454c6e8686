/**
 * Dataset: one loaded dataset/splitBy pair (REFER(data_root, dataset, splitBy)), with its
 * counts and load warnings, and the Query entry points. The REFER calls and browsing
 * lists of each record type are added to Dataset by that type's file.
 */
import type { DatasetCounts } from '../src/core/query/statistics';
import { ReferStore } from '../src/core/store/store';
import type { LoadWarning } from '../src/core/problems';
import type { PairFailure } from '../src/core/catalog';
import { DataError } from '../src/core/errors';
import { storeOfKey } from '../src/ids';
import { builder } from './builder';
import { statistics } from './lazy-modules';
import { Dataset } from './objects';

const DatasetCountsRef = builder.objectRef<DatasetCounts>('DatasetCounts').implement({
  description: 'Sizes of a dataset/splitBy pair (REFER: len(refer.Refs), len(refer.Sents), …).',
  fields: (t) => ({
    refs: t.exposeInt('refs'),
    sentences: t.exposeInt('sentences'),
    images: t.exposeInt('images', { description: 'All images of instances.json, with or without refs.' }),
    annotations: t.exposeInt('annotations', { description: 'All annotations of instances.json, referred or not.' }),
    categories: t.exposeInt('categories'),
    imagesWithRefs: t.exposeInt('imagesWithRefs', { description: 'Images with at least one ref (REFER: len(refer.imgToRefs)).' }),
    referredAnnotations: t.exposeInt('referredAnnotations', { description: 'Annotations that at least one ref points at.' }),
  }),
});

const LoadWarningRef = builder.objectRef<LoadWarning>('LoadWarning').implement({
  description: 'Records skipped while loading a data file, with the first few examples.',
  fields: (t) => ({
    file: t.exposeString('file'),
    problem: t.exposeString('problem'),
    count: t.exposeInt('count'),
    examples: t.exposeStringList('examples'),
  }),
});

const LoadFailureRef = builder.objectRef<PairFailure>('LoadFailure').implement({
  description: 'A dataset/splitBy pair found under the data root that could not be loaded.',
  fields: (t) => ({
    pair: t.exposeString('pair', { description: '"<dataset>/<splitBy>", e.g. "refcoco/unc".' }),
    error: t.exposeString('error'),
  }),
});

builder.node(Dataset, {
  isTypeOf: (value) => value instanceof ReferStore,
  description: 'One dataset/splitBy pair, as REFER(data_root, dataset, splitBy) loads it; e.g. refcoco/unc.',
  id: { resolve: (store) => store.name },
  loadOne: (key, ctx) => {
    const { store, rest } = storeOfKey(ctx.catalog, key);
    if (rest) throw new DataError(`malformed id "${key}": a dataset id is "<dataset>/<splitBy>"`);
    return store;
  },
  fields: (t) => ({
    name: t.exposeString('dataset', { description: 'refclef, refcoco, refcoco+, refcocog or grefcoco.' }),
    splitBy: t.exposeString('splitBy', { description: 'unc, google, umd or berkeley.' }),
    counts: t.field({ type: DatasetCountsRef, resolve: (store) => statistics().datasetCounts(store) }),
    warnings: t.field({
      type: [LoadWarningRef],
      description: 'Records skipped while loading this pair (empty when the files were clean).',
      resolve: (store) => store.warnings,
    }),
  }),
});

builder.queryFields((t) => ({
  datasets: t.field({
    type: [Dataset],
    description: 'Every loaded dataset/splitBy pair.',
    resolve: (_root, _args, ctx) => [...ctx.catalog.stores.values()],
  }),
  dataset: t.field({
    type: Dataset,
    nullable: true,
    description: 'One loaded pair; an error lists the loaded ones when it is not loaded.',
    args: {
      name: t.arg.string({ required: true, description: 'refclef, refcoco, refcoco+, refcocog or grefcoco.' }),
      splitBy: t.arg.string({ required: true, description: 'unc, google, umd or berkeley.' }),
    },
    resolve: (_root, args, ctx) => ctx.catalog.get(args.name, args.splitBy),
  }),
  loadFailures: t.field({
    type: [LoadFailureRef],
    description: 'Pairs found under the data root that failed to load, with the reason.',
    resolve: (_root, _args, ctx) => [...ctx.catalog.failures],
  }),
}));
