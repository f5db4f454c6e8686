// data.jsonl's body built the way the export route built it before the column writer:
// JSON.stringify of each of the store's records, a line each. The reference the writer
// (src/core/export/data-body.ts) is compared with, byte for byte in
// test/export-data-body.test.ts and for speed in bench/export-data-body.ts.

import type { ReferStore } from '../src/core/store/store';

/** The body as JSON.stringify of each record, one line each, 256 records a chunk. */
export function* recordLines(store: ReferStore, segmentation: boolean): Generator<Buffer> {
  const c = store.bulkKeyColumns();
  const annotation = (row: number) => {
    if (segmentation) return store.annotationAt(row);
    const { segmentation: _omitted, ...rest } = store.annotationAt(row);
    return rest;
  };
  const sections = [
    { kind: 'categories', count: store.categoryCount, record: (r: number) => store.categoryAt(r), keys: undefined },
    { kind: 'images', count: store.imageCount, record: (r: number) => store.imageAt(r), keys: { id: Array.from(c.imageId) } },
    { kind: 'annotations', count: store.annotationCount, record: annotation, keys: { id: [...c.annId], image_row: Array.from(c.annImageRow) } },
    { kind: 'refs', count: store.refCount, record: (r: number) => store.refAt(r), keys: { ref_id: Array.from(c.refId), ann_row: Array.from(c.refAnnRow), image_row: Array.from(c.refImageRow), category_id: Array.from(c.refCategoryId), sent_start: Array.from(c.sentStart), sent_id: Array.from(c.sentId) } },
  ];
  yield Buffer.from(`${JSON.stringify({ dataset: store.dataset, splitBy: store.splitBy, sections: Object.fromEntries(sections.map((s) => [s.kind, s.count])) })}\n`);
  for (const { kind, count, record, keys } of sections) {
    yield Buffer.from(`${JSON.stringify({ section: kind, count, keys })}\n`);
    for (let start = 0; start < count; start += 256) {
      let text = '';
      for (let r = start; r < Math.min(count, start + 256); r++) text += `${JSON.stringify(record(r))}\n`;
      yield Buffer.from(text);
    }
  }
}
