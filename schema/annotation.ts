/**
 * Annotation: an object of instances.json (REFER: refer.Anns[ann_id]) with its
 * segmentation as typed data, and the Dataset entry points annIds (getAnnIds),
 * annotation, loadAnns and the `annotations` connection. The masks module adds
 * `Annotation.mask` with builder.objectFields(Annotation, …).
 */
import { annotationRowsOf, filterRefRows, hasRefFilter } from '../src/core/query/filters';
import type { ReferSegmentation } from '../src/core/store/store';
import { builder } from './builder';
import { AnnotationRow, CategoryRow, ImageRow, RefRow, rowsAs } from './models';
import { rowNode } from './node';
import { Annotation, Category, Dataset, Image, Ref } from './objects';
import { connectionComplexity, pageOf } from './pagination';
import { refFilterArgs, refFilterOf } from './ref-filter';

type RleDict = { counts: string | number[]; size: [number, number] };

class PolygonSegmentationModel {
  constructor(readonly polygons: number[][]) {}
}
class RleSegmentationModel {
  constructor(
    readonly parts: RleDict[],
    readonly single: boolean,
  ) {}
}

function segmentationModel(seg: ReferSegmentation): PolygonSegmentationModel | RleSegmentationModel {
  if (!Array.isArray(seg)) return new RleSegmentationModel([seg], true);
  if (seg.length > 0 && !Array.isArray(seg[0])) return new RleSegmentationModel(seg as RleDict[], false);
  return new PolygonSegmentationModel(seg as number[][]);
}

const SegmentationRle = builder.objectRef<RleDict>('SegmentationRle').implement({
  description: 'A COCO run-length encoding as stored in instances.json: column-major, counts alternate 0s and 1s starting with 0s.',
  fields: (t) => ({
    height: t.int({ resolve: (r) => r.size[0] }),
    width: t.int({ resolve: (r) => r.size[1] }),
    size: t.intList({ description: '[height, width], as in the file.', resolve: (r) => r.size }),
    counts: t.string({ nullable: true, description: "Compressed counts string (pycocotools' format); null when the file holds the uncompressed list.", resolve: (r) => (typeof r.counts === 'string' ? r.counts : null) }),
    uncompressedCounts: t.intList({ nullable: true, description: 'Uncompressed counts; null when the file holds the compressed string.', resolve: (r) => (typeof r.counts === 'string' ? null : r.counts) }),
  }),
});

const PolygonSegmentation = builder.objectType(PolygonSegmentationModel, {
  name: 'PolygonSegmentation',
  description: 'Polygons [x1, y1, x2, y2, …] of one object (RefCOCO, RefCOCO+, RefCOCOg); an object may have several parts.',
  fields: (t) => ({
    polygons: t.field({ type: t.listRef(t.listRef('Float')), resolve: (s) => s.polygons, complexity: 2 }),
  }),
});

const RleSegmentation = builder.objectType(RleSegmentationModel, {
  name: 'RleSegmentation',
  description: 'Run-length encoded parts: a list of RLE dicts in RefClef, or one RLE dict for a COCO crowd annotation (`single`).',
  fields: (t) => ({
    parts: t.field({ type: [SegmentationRle], complexity: { field: 1, multiplier: 2 }, resolve: (s) => s.parts }),
    single: t.exposeBoolean('single', { description: 'True when the file held one RLE dict rather than a list of them.' }),
  }),
});

const Segmentation = builder.unionType('Segmentation', {
  types: [PolygonSegmentation, RleSegmentation],
  resolveType: (s) => (s instanceof PolygonSegmentationModel ? 'PolygonSegmentation' : 'RleSegmentation'),
  description: 'The segmentation field of instances.json, typed: polygons or RLE.',
});

builder.node(Annotation, {
  ...rowNode(AnnotationRow, 'annotationById', (store, row) => store.annId(row)),
  description: 'An object of instances.json (REFER: refer.Anns[ann_id]); every object of an image, referred or not.',
  fields: (t) => ({
    annId: t.id({ description: 'id: a number in COCO, a string such as "23896_6" in RefClef.', resolve: (a) => String(a.store.annId(a.row)) }),
    imageId: t.int({ resolve: (a) => a.store.imageId(a.store.imageOfAnnotation(a.row)) }),
    categoryId: t.int({ resolve: (a) => a.store.annCategoryId(a.row) }),
    bbox: t.floatList({ description: '[x, y, w, h]', resolve: (a) => a.store.annBbox(a.row) }),
    area: t.float({ resolve: (a) => a.store.annArea(a.row) }),
    iscrowd: t.int({ nullable: true, description: '0 or 1; null in RefClef, which has no iscrowd field.', resolve: (a) => a.store.annIscrowd(a.row) ?? null }),
    maskName: t.string({ nullable: true, description: "RefClef's mask file name (mask_name).", resolve: (a) => a.store.annMaskName(a.row) ?? null }),
    segmentation: t.field({ type: Segmentation, complexity: 2, resolve: (a) => segmentationModel(a.store.segmentationAt(a.row)) }),
    image: t.field({ type: Image, resolve: async (a, _args, ctx) => new ImageRow(a.store, await ctx.loaders.of(a.store).load('imageOfAnnotation', a.row)) }),
    category: t.field({
      type: Category,
      resolve: async (a, _args, ctx) => new CategoryRow(a.store, await ctx.loaders.of(a.store).load('categoryOfAnnotation', a.row)),
    }),
    refs: t.field({
      type: [Ref],
      description: 'The refs that point at this object (REFER: refer.annToRef, which keeps only one).',
      complexity: { field: 1, multiplier: 2 },
      resolve: async (a, _args, ctx) => rowsAs(RefRow, a.store, await ctx.loaders.of(a.store).load('refsOfAnnotation', a.row)),
    }),
  }),
});

builder.objectFields(Dataset, (t) => ({
  annIds: t.idList({
    nullable: true,
    description:
      'getAnnIds(image_ids, cat_ids, ref_ids): annotation ids in file order (image by image with imageIds). Unlike REFER, refIds is not ignored. ' +
      "On grefcoco, G_REFER's getAnnIds(image_ids, ref_ids): repeated images repeat; with refIds the refs' targets (crowd ones too), each once, in file order where G_REFER answers in set order.",
    args: { imageIds: t.arg.intList(), catIds: t.arg.intList(), refIds: t.arg.intList() },
    resolve: (store, a) => {
      if (store.hasTargetLists) {
        // G_REFER's getAnnIds(image_ids, ref_ids); catIds, which it lacks, filters the answer.
        const cats = a.catIds?.length ? new Set(a.catIds) : undefined;
        const rows = store.gReferAnnIds({ imageIds: a.imageIds ?? [], refIds: a.refIds ?? [] }).map((id) => store.annotationRow(id));
        return rows.filter((row) => !cats || cats.has(store.annCategoryId(row))).map((row) => String(store.annId(row)));
      }
      return store.annotationRows({ imageIds: a.imageIds ?? [], catIds: a.catIds ?? [], refIds: a.refIds ?? [] }).map((r) => String(store.annId(r)));
    },
  }),
  annotation: t.field({
    type: Annotation,
    nullable: true,
    description: 'refer.Anns[ann_id]; an unknown id is an error with an example of a valid one.',
    args: { annId: t.arg.id({ required: true }) },
    resolve: async (store, a, ctx) => new AnnotationRow(store, await ctx.loaders.of(store).load('annotationById', String(a.annId))),
  }),
  loadAnns: t.field({
    type: [Annotation],
    nullable: true,
    description: 'loadAnns(ann_ids): the annotations in the order given.',
    args: { annIds: t.arg.idList({ required: true }) },
    complexity: (a) => ({ field: 1, multiplier: a.annIds.length }),
    resolve: async (store, a, ctx) => rowsAs(AnnotationRow, store, await ctx.loaders.of(store).loadMany('annotationById', a.annIds.map(String))),
  }),
  annotations: t.connection({
    type: Annotation,
    nullable: true,
    description:
      'Annotations a page at a time, in file order (image by image with imageIds; unknown image ids are skipped as in REFER). ' +
      'split and text keep the annotations referred by a ref matching them.',
    args: refFilterArgs,
    complexity: connectionComplexity,
    resolve: (store, args, ctx) => {
      const f = refFilterOf(store, args);
      let rows = store.annotationRows({ imageIds: f.imageIds, catIds: f.catIds });
      if (hasRefFilter({ split: f.split, text: f.text })) {
        const referred = new Set(annotationRowsOf(store, filterRefRows(store, f)));
        rows = rows.filter((row) => referred.has(row));
      }
      return pageOf(rows, args, ctx, (row) => new AnnotationRow(store, row));
    },
  }),
}));
