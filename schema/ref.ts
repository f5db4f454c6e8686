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

/** The ann_id of a ref's one object, or null when it names several or none. */
function singleAnnId(r: RefRow): string | null {
  const row = r.store.singleTarget(r.row);
  return row === undefined ? null : String(r.store.annId(row));
}

builder.node(Ref, {
  ...rowNode(RefRow, 'refById', (store, row) => store.refId(row)),
  description: 'A referred object and the expressions that refer to it (REFER: refer.Refs[ref_id]).',
  fields: (t) => ({
    refId: t.int({ description: 'ref_id', resolve: (r) => r.store.refId(r.row) }),
    split: t.string({ description: 'Split label: train, val, test, testA, testB, … (see Dataset.splits).', resolve: (r) => r.store.refSplit(r.row) }),
    annId: t.id({
      nullable: true,
      description: 'ann_id of the referred object (a string in RefClef); null for a gRefCOCO ref that names several objects or none (see annotations).',
      resolve: (r) => singleAnnId(r),
    }),
    imageId: t.int({ description: 'image_id', resolve: (r) => r.store.imageId(r.store.imageOfRef(r.row)) }),
    categoryId: t.int({
      nullable: true,
      description: 'category_id; null for a gRefCOCO ref that names several objects or none (see categories).',
      resolve: (r) => (r.store.singleTarget(r.row) === undefined ? null : r.store.refCategoryId(r.row)),
    }),
    noTarget: t.boolean({ description: 'gRefCOCO: the expression names no object in the image (ann_id [-1]); false for every REFER ref.', resolve: (r) => r.store.isNoTarget(r.row) }),
    sentIds: t.intList({ description: 'sent_ids, in order.', resolve: (r) => r.store.sentIdsOfRef(r.row) }),
    fileName: t.string({
      nullable: true,
      description: "The ref's made-up file_name (absent in RefClef; the image's real name is Image.fileName).",
      resolve: (r) => r.store.refFileName(r.row) ?? null,
    }),
    box: t.floatList({
      nullable: true,
      description: 'getRefBox: the bbox [x, y, w, h] of the referred annotation; null for a gRefCOCO ref that names several objects or none (see boxes).',
      resolve: (r) => {
        const row = r.store.singleTarget(r.row);
        return row === undefined ? null : r.store.annBbox(row);
      },
    }),
    boxes: t.field({
      type: t.listRef(t.listRef('Float')),
      description: "G_REFER's getRefBox: one [x, y, w, h] per target in ann_id order; [] for a no-target ref. REFER's refs have one.",
      resolve: (r) => r.store.refBoxes(r.row),
    }),
    sentences: t.field({
      type: [Sentence],
      complexity: { field: 1, multiplier: SENTENCES_PER_REF },
      resolve: async (r, _args, ctx) => rowsAs(SentenceRow, r.store, await ctx.loaders.of(r.store).load('sentencesOfRef', r.row)),
    }),
    image: t.field({ type: Image, resolve: async (r, _args, ctx) => new ImageRow(r.store, await ctx.loaders.of(r.store).load('imageOfRef', r.row)) }),
    annotation: t.field({
      type: Annotation,
      nullable: true,
      description: 'The referred object; null for a gRefCOCO ref that names several objects or none (see annotations).',
      resolve: async (r, _args, ctx) => {
        const rows = await ctx.loaders.of(r.store).load('annotationsOfRef', r.row);
        return rows.length === 1 ? new AnnotationRow(r.store, rows[0]) : null;
      },
    }),
    annotations: t.field({
      type: [Annotation],
      description: "Every referred object, in the ref's ann_id order: one in REFER, one or several in gRefCOCO, none for a no-target ref.",
      complexity: { field: 1, multiplier: 2 },
      resolve: async (r, _args, ctx) => rowsAs(AnnotationRow, r.store, await ctx.loaders.of(r.store).load('annotationsOfRef', r.row)),
    }),
    category: t.field({
      type: Category,
      nullable: true,
      description: "The referred object's category; null for a gRefCOCO ref that names several objects or none (see categories).",
      resolve: async (r, _args, ctx) => (r.store.singleTarget(r.row) === undefined ? null : new CategoryRow(r.store, await ctx.loaders.of(r.store).load('categoryOfRef', r.row))),
    }),
    categories: t.field({
      type: [Category],
      description: "The distinct categories of the referred objects, in ann_id order (none for a no-target ref).",
      resolve: async (r, _args, ctx) => rowsAs(CategoryRow, r.store, await ctx.loaders.of(r.store).load('categoriesOfRef', r.row)),
    }),
  }),
});

builder.objectFields(Dataset, (t) => ({
  refIds: t.intList({
    nullable: true,
    description:
      "getRefIds(image_ids, cat_ids, ref_ids, split): ref ids in REFER's order (with imageIds: image by image, in the order given). " +
      "On grefcoco, G_REFER's getRefIds(image_ids, cat_ids, split): a repeated image repeats its refs, an unknown or ref-less image has none, a ref matches catIds when one of its targets does and catIds [-1] selects the no-target refs, split is exact; refIds (which G_REFER lacks) keeps only those refs.",
    args: {
      imageIds: t.arg.intList(),
      catIds: t.arg.intList(),
      refIds: t.arg.intList(),
      split: t.arg.string({ description: 'train, val, test, testA, testB, testC, testAB, testBC or testAC (REFER semantics); on grefcoco one of its split labels, exactly.' }),
      noTarget: t.arg.boolean({ description: 'gRefCOCO: true keeps only the no-target refs, false only the refs with targets (every REFER ref has one).' }),
    },
    resolve: (store, a) => {
      if (store.hasTargetLists) {
        const ids = store.gReferRefIds({ imageIds: a.imageIds ?? [], catIds: a.catIds ?? [], split: a.split == null ? undefined : [a.split], noTarget: a.noTarget ?? undefined });
        const only = a.refIds?.length ? new Set(a.refIds) : undefined;
        return only ? ids.filter((id) => only.has(id)) : ids;
      }
      if (a.noTarget === true) return [];
      return filterRefRows(store, { imageIds: a.imageIds ?? [], catIds: a.catIds ?? [], refIds: a.refIds ?? [], split: a.split ?? undefined }).map((r) => store.refId(r));
    },
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
