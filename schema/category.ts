/**
 * Category: a COCO category (REFER: refer.Cats) with its refs and counts, and the
 * Dataset entry points categoryIds (getCatIds), categories, category, loadCats and
 * loadCategories.
 */
import { DataError } from '../src/core/errors';
import { allRows, narrowRefRows } from '../src/core/query/filters';
import type { CategoryCounts } from '../src/core/query/statistics';
import type { ReferStore } from '../src/core/store/store';
import { builder } from './builder';
import { statistics } from './lazy-modules';
import { CategoryRow, RefRow, rowsAs } from './models';
import { rowNode } from './node';
import { Category, Dataset, Ref } from './objects';
import { connectionComplexity, pageOf } from './pagination';
import { refFilterArgs, refFilterOf } from './ref-filter';

const CategoryCountsRef = builder.objectRef<CategoryCounts>('CategoryCounts').implement({
  fields: (t) => ({
    refs: t.exposeInt('refs', { description: 'Refs of this category in this dataset/splitBy (REFER: len(refer.catToRefs[id])).' }),
    annotations: t.exposeInt('annotations', { description: 'Annotations of this category in instances.json.' }),
    images: t.exposeInt('images', { description: 'Images with at least one annotation of this category.' }),
  }),
});

const { categoryIds: _ids, categoryNames: _names, ...categoryRefFilterArgs } = refFilterArgs;

builder.node(Category, {
  ...rowNode(CategoryRow, 'categoryById', (store, row) => store.categoryId(row)),
  description: 'An object category (REFER: refer.Cats); COCO ids run 1..90 with gaps.',
  fields: (t) => ({
    categoryId: t.int({ description: 'id', resolve: (c) => c.store.categoryId(c.row) }),
    name: t.string({ resolve: (c) => c.store.categoryAt(c.row).name }),
    supercategory: t.string({ resolve: (c) => c.store.categoryAt(c.row).supercategory }),
    counts: t.field({ type: CategoryCountsRef, resolve: (c) => statistics().categoryCounts(c.store)[c.row] }),
    refs: t.connection({
      type: Ref,
      nullable: true,
      description: 'Refs of this category in file order, optionally filtered.',
      args: categoryRefFilterArgs,
      complexity: connectionComplexity,
      resolve: async (c, args, ctx) => {
        const rows = await ctx.loaders.of(c.store).load('refsOfCategory', c.row);
        return pageOf(narrowRefRows(c.store, rows, refFilterOf(c.store, args)), args, ctx, (row) => new RefRow(c.store, row));
      },
    }),
  }),
});

/** loadCategories' ids, under either of its names. */
function categoryIdsOf(store: ReferStore, a: { catIds?: readonly number[] | null; categoryIds?: readonly number[] | null }): readonly number[] {
  if (a.catIds != null && a.categoryIds != null) throw new DataError(`${store.name}: loadCategories: give catIds or categoryIds, not both`);
  const ids = a.catIds ?? a.categoryIds;
  if (ids == null) throw new DataError(`${store.name}: loadCategories: give catIds, the ids of the categories to load`);
  return ids;
}

builder.objectFields(Dataset, (t) => ({
  categoryIds: t.intList({ description: 'getCatIds(): every category id, in file order.', resolve: (store) => store.getCatIds() }),
  categories: t.field({
    type: [Category],
    description: 'Every category, in file order.',
    complexity: { field: 1, multiplier: 90 },
    resolve: (store) => rowsAs(CategoryRow, store, allRows(store.categoryCount)),
  }),
  category: t.field({
    type: Category,
    nullable: true,
    description: 'refer.Cats[category_id]; an unknown id is an error listing the valid ones.',
    args: { categoryId: t.arg.int({ required: true }) },
    resolve: async (store, a, ctx) => new CategoryRow(store, await ctx.loaders.of(store).load('categoryById', a.categoryId)),
  }),
  loadCats: t.stringList({
    nullable: true,
    description: "loadCats(cat_ids), as REFER: the categories' names in the order given; an unknown id is an error naming it.",
    args: { catIds: t.arg.intList({ required: true }) },
    complexity: (a) => ({ field: 1 + a.catIds.length, multiplier: 1 }),
    resolve: (store, a) => store.loadCats(a.catIds),
  }),
  loadCategories: t.field({
    type: [Category],
    nullable: true,
    description:
      'loadCats(cat_ids) as objects (REFER returns only the names; see loadCats): the categories in the order given. ' +
      "Give catIds (REFER's name) or categoryIds (the same, kept for existing queries), not both.",
    args: { catIds: t.arg.intList(), categoryIds: t.arg.intList() },
    complexity: (a) => ({ field: 1, multiplier: (a.catIds ?? a.categoryIds ?? []).length }),
    resolve: async (store, a, ctx) => rowsAs(CategoryRow, store, await ctx.loaders.of(store).loadMany('categoryById', categoryIdsOf(store, a))),
  }),
}));
