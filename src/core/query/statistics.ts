/**
 * Counts per dataset, per split and per category, computed once per store on first use.
 */
import { groupMembers, type ReferStore } from '../store/store';
import { memo } from './per-store';

export interface DatasetCounts {
  refs: number;
  sentences: number;
  images: number;
  annotations: number;
  categories: number;
  /** Images with at least one ref of this dataset/splitBy. */
  imagesWithRefs: number;
  /** Annotations that at least one ref points at. */
  referredAnnotations: number;
}

export const datasetCounts = memo((store: ReferStore): DatasetCounts => {
  const { refsByImage, refsByAnn } = store;
  const nonEmpty = (g: { start: Int32Array }) => {
    let n = 0;
    for (let i = 0; i + 1 < g.start.length; i++) if (g.start[i + 1] > g.start[i]) n++;
    return n;
  };
  return {
    refs: store.refCount,
    sentences: store.refs.sentId.length,
    images: store.instances.tables.images.id.length,
    annotations: store.instances.annotationCount,
    categories: store.instances.tables.categories.id.length,
    imagesWithRefs: nonEmpty(refsByImage),
    referredAnnotations: nonEmpty(refsByAnn),
  };
});

export interface SplitCounts {
  refs: number;
  sentences: number;
  /** Distinct images of the split's refs. */
  images: number;
}

/** Counts per split label, in the order of store.splitNames. */
export const splitCounts = memo((store: ReferStore): SplitCounts[] => {
  const { refs } = store;
  const counts = store.splitNames.map(() => ({ refs: 0, sentences: 0, images: 0 }));
  const imagesSeen = store.splitNames.map(() => new Set<number>());
  for (let r = 0; r < refs.refId.length; r++) {
    const c = counts[refs.split[r]];
    c.refs++;
    c.sentences += refs.sentStart[r + 1] - refs.sentStart[r];
    imagesSeen[refs.split[r]].add(refs.imageRow[r]);
  }
  counts.forEach((c, i) => (c.images = imagesSeen[i].size));
  return counts;
});

export interface CategoryCounts {
  refs: number;
  annotations: number;
  /** Images with at least one annotation of the category. */
  images: number;
}

/** Counts per category row. */
export const categoryCounts = memo((store: ReferStore): CategoryCounts[] => {
  const { categories, annotations } = store.instances.tables;
  const counts = Array.from(categories.id, () => ({ refs: 0, annotations: 0, images: 0 }));
  const rowOfId = store.instances.categoryRowById;
  const imagesSeen = Array.from(categories.id, () => new Set<number>());
  for (let a = 0; a < annotations.categoryId.length; a++) {
    const c = rowOfId.get(annotations.categoryId[a]);
    if (c === undefined) continue;
    counts[c].annotations++;
    imagesSeen[c].add(annotations.imageRow[a]);
  }
  counts.forEach((c, i) => {
    c.refs = groupMembers(store.refsByCategory, i).length;
    c.images = imagesSeen[i].size;
  });
  return counts;
});
