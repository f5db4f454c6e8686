/**
 * Ref: one referred object with its sentences (REFER's ref dict), and the Dataset entry
 * points for refs: refIds (getRefIds), ref, loadRefs, refBox (getRefBox) and the `refs`
 * connection. The masks module adds `Ref.mask` with builder.objectFields(Ref, …).
 */
import { filterRefRows, hasRefFilter } from '../src/core/query/filters';
import { builder } from './builder';
import { AnnotationRow, CategoryRow, ImageRow, RefRow, rowsAs, SentenceRow } from './models';
import { rowNode } from './node';
import { Annotation, Category, Dataset, Image, Ref, Sentence } from './objects';
import { connectionComplexity, pageOf } from './pagination';
import { refFilterArgs, refFilterOf } from './ref-filter';

/** Expected sentences per ref for the cost estimate (real data: 1.3 to 2.9 on average). */
export const SENTENCES_PER_REF = 5;

builder.node(Ref, {
  ...rowNode(RefRow, 'refById', (store, row) => store.refId(row)),
  description: 'A referred object and the expressions that refer to it (REFER: refer.Refs[ref_id]).',
  fields: (t) => ({
    refId: t.int({ description: 'ref_id', resolve: (r) => r.store.refId(r.row) }),
    split: t.string({ description: 'Split label: train, val, test, testA, testB, … (see Dataset.splits).', resolve: (r) => r.store.refSplit(r.row) }),
    annId: t.id({ description: 'ann_id of the referred object (a string in RefClef).', resolve: (r) => String(r.store.annId(r.store.referredAnnotation(r.row))) }),
    imageId: t.int({ description: 'image_id', resolve: (r) => r.store.imageId(r.store.imageOfRef(r.row)) }),
    categoryId: t.int({ description: 'category_id', resolve: (r) => r.store.refCategoryId(r.row) }),
    sentIds: t.intList({ description: 'sent_ids, in order.', resolve: (r) => r.store.sentIdsOfRef(r.row) }),
    fileName: t.string({
      nullable: true,
      description: "The ref's made-up file_name (absent in RefClef; the image's real name is Image.fileName).",
      resolve: (r) => r.store.refFileName(r.row) ?? null,
    }),
    box: t.floatList({ description: 'getRefBox: the bbox [x, y, w, h] of the referred annotation.', resolve: (r) => r.store.annBbox(r.store.referredAnnotation(r.row)) }),
    sentences: t.field({
      type: [Sentence],
      complexity: { field: 1, multiplier: SENTENCES_PER_REF },
      resolve: async (r, _args, ctx) => rowsAs(SentenceRow, r.store, await ctx.loaders.of(r.store).load('sentencesOfRef', r.row)),
    }),
    image: t.field({ type: Image, resolve: async (r, _args, ctx) => new ImageRow(r.store, await ctx.loaders.of(r.store).load('imageOfRef', r.row)) }),
    annotation: t.field({
      type: Annotation,
      resolve: async (r, _args, ctx) => new AnnotationRow(r.store, await ctx.loaders.of(r.store).load('annotationOfRef', r.row)),
    }),
    category: t.field({ type: Category, resolve: async (r, _args, ctx) => new CategoryRow(r.store, await ctx.loaders.of(r.store).load('categoryOfRef', r.row)) }),
  }),
});

builder.objectFields(Dataset, (t) => ({
  refIds: t.intList({
    nullable: true,
    description: "getRefIds(image_ids, cat_ids, ref_ids, split): ref ids in REFER's order (with imageIds: image by image, in the order given).",
    args: {
      imageIds: t.arg.intList(),
      catIds: t.arg.intList(),
      refIds: t.arg.intList(),
      split: t.arg.string({ description: 'train, val, test, testA, testB, testC, testAB, testBC or testAC (REFER semantics).' }),
    },
    resolve: (store, a) =>
      filterRefRows(store, { imageIds: a.imageIds ?? [], catIds: a.catIds ?? [], refIds: a.refIds ?? [], split: a.split ?? undefined }).map((r) => store.refId(r)),
  }),
  ref: t.field({
    type: Ref,
    nullable: true,
    description: 'refer.Refs[ref_id]; an unknown id is an error naming the valid range.',
    args: { refId: t.arg.int({ required: true }) },
    resolve: async (store, a, ctx) => new RefRow(store, await ctx.loaders.of(store).load('refById', a.refId)),
  }),
  loadRefs: t.field({
    type: [Ref],
    nullable: true,
    description: 'loadRefs(ref_ids): the refs in the order given.',
    args: { refIds: t.arg.intList({ required: true }) },
    complexity: (a) => ({ field: 1, multiplier: a.refIds.length }),
    resolve: async (store, a, ctx) => rowsAs(RefRow, store, await ctx.loaders.of(store).loadMany('refById', a.refIds)),
  }),
  refBox: t.floatList({
    nullable: true,
    description: 'getRefBox(ref_id): the bbox [x, y, w, h] of the ref\'s annotation.',
    args: { refId: t.arg.int({ required: true }) },
    resolve: (store, a) => store.getRefBox(a.refId),
  }),
  refs: t.connection({
    type: Ref,
    nullable: true,
    description: "Refs matching all given filters, in REFER's order, a page at a time.",
    args: refFilterArgs,
    complexity: connectionComplexity,
    resolve: (store, args, ctx) => {
      const filter = refFilterOf(store, args);
      return pageOf(hasRefFilter(filter) ? filterRefRows(store, filter) : store.refCount, args, ctx, (row) => new RefRow(store, row));
    },
  }),
}));
