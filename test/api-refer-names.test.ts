/**
 * REFER's names on REFER's calls (issue 8 §3): `loadCats(catIds:)` answers names as REFER's
 * loadCats does (checked against the recorded Python answer), and `loadCategories` takes
 * REFER's `catIds` beside its old `categoryIds`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql, onlyError, testApp } from './api-helpers';

const answers = JSON.parse(readFileSync(join(__dirname, 'fixtures/golden/answers/refcoco_unc.json'), 'utf8')) as { queries: { call: string; args: Record<string, unknown>; result: unknown }[] };
const yoga = testApp();
const onRefcoco = (fields: string) => gql(yoga, `{ dataset(name: "refcoco", splitBy: "unc") { ${fields} } }`);

describe('loadCats', () => {
  test("answers REFER's loadCats(getCatIds()): every name, in order", async () => {
    const recorded = answers.queries.find((q) => q.call === 'loadCats' && q.args.cat_ids === 'getCatIds()');
    expect(recorded).toBeDefined();
    const ids = (await onRefcoco('categoryIds')).body.data.dataset.categoryIds as number[];
    const r = await gql(yoga, 'query($ids: [Int!]!) { dataset(name: "refcoco", splitBy: "unc") { loadCats(catIds: $ids) } }', { ids });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.dataset.loadCats).toEqual(recorded!.result);
  });

  test('keeps the order given, and an unknown id is an error naming it', async () => {
    expect((await onRefcoco('loadCats(catIds: [90, 1])')).body.data.dataset.loadCats).toEqual(['toothbrush', 'person']);
    expect(onlyError(await onRefcoco('loadCats(catIds: [1, 1000])'))).toMatch(/^refcoco\/unc: no category with id 1000 \(valid ids: 1, 2, /);
  });
});

describe('loadCategories', () => {
  test("takes REFER's catIds, and categoryIds as before", async () => {
    const r = await onRefcoco('a: loadCategories(catIds: [90, 1]) { name } b: loadCategories(categoryIds: [90, 1]) { name }');
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.dataset.a).toEqual([{ name: 'toothbrush' }, { name: 'person' }]);
    expect(r.body.data.dataset.b).toEqual(r.body.data.dataset.a);
  });

  test('both names, or neither, is an error that says what to give', async () => {
    expect(onlyError(await onRefcoco('loadCategories(catIds: [1], categoryIds: [1]) { name }'))).toBe('refcoco/unc: loadCategories: give catIds or categoryIds, not both');
    expect(onlyError(await onRefcoco('loadCategories { name }'))).toBe('refcoco/unc: loadCategories: give catIds, the ids of the categories to load');
  });
});
