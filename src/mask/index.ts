// The COCO mask codec: a typed RLE value and pure functions on it, bit for bit as
// pycocotools' maskApi.c. It knows nothing of datasets, files or GraphQL.

export { rleDecode, rleEncode, rleFromCounts, type PixelOrder, type Rle } from './rle';
export { rleFromString, rleToString } from './string';
export { rleFromBbox, rleFromPolygon } from './polygon';
export { rleArea, rleMerge, rleToBbox } from './algebra';
export { bboxIou, rleIou } from './iou';
export { packBits } from './pack-bits';
