/**
 * The filters shared by the browsing connections (refs, images, annotations,
 * sentences): all given filters must hold; a list filter that is absent or empty does
 * not filter.
 */
import { categoryIdsByName, type RefFilter } from '../src/core/query/filters';
import type { ReferStore } from '../src/core/store/store';
import { builder } from './builder';

export const refFilterArgs = builder.args((t) => ({
  split: t.string({
    description: 'REFER split argument: train, val, test (every test split), testA/testB/testC (also matching refclef\'s testAB …), testAB, testBC, testAC.',
  }),
  categoryIds: t.intList({ description: 'Category ids (COCO ids, 1..90 with gaps).' }),
  categoryNames: t.stringList({ description: 'Category names, case insensitive (e.g. "person"); combined with categoryIds.' }),
  imageIds: t.intList({ description: 'Image ids; unknown ids are an error.' }),
  text: t.string({ description: 'Words that must all occur, as whole words and case insensitive, in a sentence\'s `sent` or `raw`.' }),
}));

export interface RefFilterArgs {
  split?: string | null;
  categoryIds?: readonly number[] | null;
  categoryNames?: readonly string[] | null;
  imageIds?: readonly number[] | null;
  text?: string | null;
}

export function refFilterOf(store: ReferStore, args: RefFilterArgs): RefFilter {
  const catIds = [...(args.categoryIds ?? []), ...categoryIdsByName(store, args.categoryNames ?? [])];
  return {
    split: args.split ?? undefined,
    catIds,
    imageIds: args.imageIds ?? undefined,
    text: args.text ?? undefined,
  };
}
