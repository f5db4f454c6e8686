/**
 * Image: an image of instances.json (REFER: refer.Imgs[image_id]) with its refs and
 * annotations, and whether its file is present under the data root; and the Dataset
 * entry points imageIds (getImgIds), image, loadImages and the `images` connection.
 */
import { filterRefRows, hasRefFilter, imageRowsOf } from '../src/core/query/filters';
import { relativeImagePath } from '../src/core/layout';
import { builder } from './builder';
import { AnnotationRow, ImageRow, RefRow, rowsAs } from './models';
import { rowNode } from './node';
import { Annotation, Dataset, Image, Ref } from './objects';
import { connectionComplexity, pageOf } from './pagination';
import { refFilterArgs, refFilterOf } from './ref-filter';

builder.node(Image, {
  ...rowNode(ImageRow, 'imageById', (store, row) => store.imageId(row)),
  description: 'An image of instances.json (REFER: refer.Imgs[image_id]).',
  fields: (t) => ({
    imageId: t.int({ description: 'id', resolve: (i) => i.store.imageId(i.row) }),
    fileName: t.string({ description: 'file_name', resolve: (i) => i.store.imageFileName(i.row) }),
    width: t.int({ resolve: (i) => i.store.imageSize(i.row)[1] }),
    height: t.int({ resolve: (i) => i.store.imageSize(i.row)[0] }),
    cocoUrl: t.string({ nullable: true, description: 'coco_url (COCO datasets only).', resolve: (i) => i.store.imageAt(i.row).coco_url ?? null }),
    flickrUrl: t.string({ nullable: true, description: 'flickr_url (COCO datasets only).', resolve: (i) => i.store.imageAt(i.row).flickr_url ?? null }),
    license: t.int({ nullable: true, resolve: (i) => i.store.imageAt(i.row).license ?? null }),
    dateCaptured: t.string({ nullable: true, description: 'date_captured (COCO datasets only).', resolve: (i) => i.store.imageAt(i.row).date_captured ?? null }),
    filePath: t.string({
      description: 'Where REFER expects the file, relative to the data root: images/mscoco/images/train2014/<file_name>, or images/saiapr_tc-12/<file_name> for RefClef.',
      resolve: (i) => relativeImagePath(i.store, i.row),
    }),
    fileExists: t.boolean({
      description: 'Whether the image file is present at filePath under the data root (images are optional).',
      resolve: (i, _args, ctx) => ctx.loaders.of(i.store).load('fileExists', i.row),
    }),
    refs: t.field({
      type: [Ref],
      description: 'Refs of this image, in file order (REFER: refer.imgToRefs[image_id]).',
      resolve: async (i, _args, ctx) => rowsAs(RefRow, i.store, await ctx.loaders.of(i.store).load('refsOfImage', i.row)),
    }),
    annotations: t.field({
      type: [Annotation],
      description: 'Every annotation of this image, referred or not (REFER: refer.imgToAnns[image_id]).',
      complexity: { field: 1, multiplier: 20 },
      resolve: async (i, _args, ctx) => rowsAs(AnnotationRow, i.store, await ctx.loaders.of(i.store).load('annotationsOfImage', i.row)),
    }),
  }),
});

builder.objectFields(Dataset, (t) => ({
  imageIds: t.intList({
    nullable: true,
    description: 'getImgIds(ref_ids): image ids of those refs (each once, in order of first appearance), or of every image.',
    args: { refIds: t.arg.intList() },
    resolve: (store, a) => store.getImgIds(a.refIds ?? []),
  }),
  image: t.field({
    type: Image,
    nullable: true,
    description: 'refer.Imgs[image_id]; an unknown id is an error naming the valid range.',
    args: { imageId: t.arg.int({ required: true }) },
    resolve: async (store, a, ctx) => new ImageRow(store, await ctx.loaders.of(store).load('imageById', a.imageId)),
  }),
  loadImages: t.field({
    type: [Image],
    nullable: true,
    description: 'loadImgs(image_ids): the images in the order given.',
    args: { imageIds: t.arg.intList({ required: true }) },
    complexity: (a) => ({ field: 1, multiplier: a.imageIds.length }),
    resolve: async (store, a, ctx) => rowsAs(ImageRow, store, await ctx.loaders.of(store).loadMany('imageById', a.imageIds)),
  }),
  images: t.connection({
    type: Image,
    nullable: true,
    description:
      'Images a page at a time: with imageIds, those images in the order given; otherwise all images in file order. ' +
      'The other filters keep the images having at least one ref that matches them all.',
    args: refFilterArgs,
    complexity: connectionComplexity,
    resolve: (store, args, ctx) => {
      const { imageIds, ...refFilter } = refFilterOf(store, args);
      const refFiltered = hasRefFilter(refFilter);
      let rows: number[] | number;
      if (imageIds?.length) {
        rows = [...new Set(imageIds.map((id) => store.imageRow(id)))];
        if (refFiltered) {
          const withRefs = new Set(imageRowsOf(store, filterRefRows(store, refFilter)));
          rows = rows.filter((row) => withRefs.has(row));
        }
      } else {
        rows = refFiltered ? imageRowsOf(store, filterRefRows(store, refFilter)) : store.imageCount;
      }
      return pageOf(rows, args, ctx, (row) => new ImageRow(store, row));
    },
  }),
}));
