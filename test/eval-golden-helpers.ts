/** The golden eval set (test/fixtures/golden/eval): file names, and comparisons with the answers. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOLDEN_EVAL = join(__dirname, 'fixtures/golden/eval');

export interface GoldenCase {
  name: string;
  dataset: string;
  splitBy: string;
  split: string;
  kind: string;
  task: 'boxes' | 'masks' | 'expressions';
  predictions: unknown;
  predictionsText: string;
  answer: Record<string, any>;
}

export function goldenCases(): GoldenCase[] {
  return readdirSync(join(GOLDEN_EVAL, 'answers'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const name = file.replace(/\.json$/, '');
      const [dataset, splitBy, split, ...rest] = name.split('_');
      const kind = rest.join('_');
      const task = kind.startsWith('boxes') ? 'boxes' : kind.startsWith('masks') ? 'masks' : 'expressions';
      const predictionsText = readFileSync(join(GOLDEN_EVAL, 'predictions', file), 'utf8');
      return { name, dataset, splitBy, split, kind, task, predictions: JSON.parse(predictionsText), predictionsText, answer: JSON.parse(readFileSync(join(GOLDEN_EVAL, 'answers', file), 'utf8')) };
    });
}

/** The fields of `ours` that the golden row has (minus the oracle's own labels). */
export function pick(ours: Record<string, unknown>, golden: Record<string, unknown>, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(golden)) if (!skip.includes(key)) out[key] = ours[key];
  return out;
}

function closeTo(a: unknown, b: unknown, path: string): void {
  if (typeof b === 'number' && typeof a === 'number') {
    const scale = Math.max(Math.abs(a), Math.abs(b), 1e-300);
    if (!(Math.abs(a - b) / scale <= 1e-9 || a === b)) throw new Error(`${path}: ${a} differs from golden ${b}`);
    return;
  }
  if (Array.isArray(b) && Array.isArray(a)) {
    if (a.length !== b.length) throw new Error(`${path}: length ${a.length} differs from golden ${b.length}`);
    b.forEach((v, i) => closeTo(a[i], v, `${path}[${i}]`));
    return;
  }
  if (b !== null && typeof b === 'object' && a !== null && typeof a === 'object') {
    for (const key of Object.keys(b)) closeTo((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
    return;
  }
  if (a !== b) throw new Error(`${path}: ${JSON.stringify(a)} differs from golden ${JSON.stringify(b)}`);
}

/** Deep comparison with a 1e-9 relative tolerance on numbers (caption scores: pow/exp/log differ in the last bits). */
export function expectClose(ours: unknown, golden: unknown, path = 'report'): void {
  closeTo(ours, golden, path);
}

const BOX_OVERALL = ['given', 'all', 'given_continuous', 'all_continuous', 'published_errors', 'accuracy', 'accuracy_all', 'entry_loop'];
const MASK_OVERALL = ['given', 'all', 'mIoU', 'oIoU', 'given_lavt_gt_eq1', 'entry_loop'];

/**
 * Every number of the golden answer that we compute, compared: exactly for boxes and
 * masks. A report that came as JSON text has lost the sign of -0 (JSON.stringify writes
 * 0), so it is compared with the answer as JSON.stringify would write it.
 */
export function expectMatchesGolden(report: Record<string, any>, c: GoldenCase, viaJson = false): void {
  const a = viaJson ? JSON.parse(JSON.stringify(c.answer)) : c.answer;
  // An in-process report holds SampleRows (src/eval/sample-rows.ts); one read from JSON, the array.
  const perSample: Record<string, unknown>[] = Array.isArray(report.per_sample) ? report.per_sample : report.per_sample.toJSON();
  expect(pick(report.counts, a.counts)).toEqual(a.counts);
  if (c.task === 'expressions') {
    expectClose(pick(report.overall, a.overall), a.overall, `${c.name}.overall`);
    if (a.overall_split_only) expectClose(report.overall_split_only, a.overall_split_only, `${c.name}.overall_split_only`);
    if (a.overall_duplicate_rate && !a.overall_duplicate_rate.error) expect(pick(report.overall_duplicate_rate, a.overall_duplicate_rate, ['stdout'])).toEqual(pick(a.overall_duplicate_rate, a.overall_duplicate_rate, ['stdout']));
    expect(report.unknown_entries).toEqual(a.unknown_entries);
    expect(perSample).toHaveLength(a.per_sample.length);
    a.per_sample.forEach((row: Record<string, unknown>, i: number) => expectClose(pick(perSample[i], row, ['variant']), pick(row, row, ['variant']), `${c.name}.per_sample[${i}]`));
    return;
  }
  const keys = c.task === 'boxes' ? BOX_OVERALL : MASK_OVERALL;
  for (const key of keys) expect([key, report.overall[key]]).toEqual([key, a.overall[key]]);
  expect(report.missing_ids).toEqual(a.missing_ids);
  expect(report.overridden_entries).toEqual(a.overridden_entries);
  expect(report.unknown_entries).toEqual(a.unknown_entries);
  const skip = ['variant'];
  expect(perSample.map((row: Record<string, unknown>, i: number) => pick(row, a.per_sample[i] ?? {}, skip))).toEqual(a.per_sample.map((row: Record<string, unknown>) => pick(row, row, skip)));
  // lavt_eq1 is given only where LAVT's target changes I or U: no more rows have it than the answer's.
  if (c.task === 'masks') expect(perSample.map((row: Record<string, unknown>) => 'lavt_eq1' in row)).toEqual(a.per_sample.map((row: Record<string, unknown>) => 'lavt_eq1' in row));
}
