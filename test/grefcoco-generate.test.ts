/**
 * The generated gRefCOCO root: the format of the released file (one JSON line, sorted
 * keys, ASCII escapes), every kind of ref, the release's id ranges, and counts scaled
 * from the release's 259,859 expressions over 19,994 images. It must read without a
 * skipped record.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGRefDataset } from '../src/core/read/grefs';
import { writeGRefcoco, type GRefcocoSummary } from '../src/sample/grefcoco';

interface RefRecord {
  ann_id: number[];
  category_id: number[];
  no_target: boolean;
  ref_id: number;
  sent_ids: number[];
  sentences: { sent_id: number; sent: string; tokens: string[] }[];
  split: string;
  image_id: number;
}

const dirs: string[] = [];
function generate(fraction: number): { root: string; summary: GRefcocoSummary } {
  const root = mkdtempSync(join(tmpdir(), 'grefcoco-gen-'));
  dirs.push(root);
  return { root, summary: writeGRefcoco(root, 7, fraction) };
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('a sample-size gRefCOCO root', () => {
  const { root, summary } = generate(0.0023);
  const text = readFileSync(join(root, 'grefcoco/grefs(unc).json'), 'latin1');
  const refs = JSON.parse(text) as RefRecord[];

  test('is one ASCII line with each record’s keys sorted', () => {
    expect(text.includes('\n')).toBe(false);
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    for (const ref of refs) expect(Object.keys(ref)).toEqual([...Object.keys(ref)].sort());
  });

  test('has single-, multi- and no-target refs, shaped as the release', () => {
    const noTarget = refs.filter((r) => r.no_target);
    expect(noTarget.length).toBe(summary.kinds.noTarget);
    for (const r of noTarget) expect([r.ann_id, r.category_id]).toEqual([[-1], [-1]]);
    const multi = refs.filter((r) => r.ann_id.length > 1);
    expect(multi.length).toBe(summary.kinds.multi);
    for (const r of multi) {
      expect(new Set(r.ann_id).size).toBe(r.ann_id.length);
      expect(r.ann_id.length).toBeLessThanOrEqual(4);
    }
    expect(summary.kinds.single).toBeGreaterThan(0);
    for (const r of refs) {
      expect(r.category_id.length).toBe(r.ann_id.length);
      expect(r.sent_ids).toEqual(r.sentences.map((s) => s.sent_id));
      for (const s of r.sentences) expect(s.sent).toBe(s.tokens.join(' '));
    }
  });

  test('numbers train multi-/no-target refs from 200000 and the others from 0', () => {
    const high = (r: RefRecord) => r.split === 'train' && (r.no_target || r.ann_id.length > 1);
    expect(refs.filter(high).map((r) => r.ref_id).sort((a, b) => a - b)).toEqual(refs.filter(high).map((_, i) => 200000 + i));
    expect(refs.filter((r) => !high(r)).map((r) => r.ref_id).sort((a, b) => a - b)).toEqual(refs.filter((r) => !high(r)).map((_, i) => i));
    expect(new Set(refs.flatMap((r) => r.sent_ids)).size).toBe(summary.sentences);
  });

  test('reads without a skipped record, every ref on its targets’ image', () => {
    const { grefs, instances } = readGRefDataset(root);
    expect([grefs.warnings, instances.warnings]).toEqual([[], []]);
    expect(grefs.refId.length).toBe(summary.refs);
    expect(grefs.sentId.length).toBe(summary.sentences);
    expect(grefs.splitNames.sort()).toEqual(['testA', 'testB', 'train', 'val']);
  });

  test('the same seed gives the same bytes', () => {
    const again = generate(0.0023);
    for (const file of ['grefs(unc).json', 'instances.json']) {
      expect(readFileSync(join(again.root, 'grefcoco', file)).equals(readFileSync(join(root, 'grefcoco', file)))).toBe(true);
    }
  });
});

test('a fraction of full scale has the release’s expressions and RefCOCO’s images, scaled', () => {
  const { summary } = generate(0.01);
  expect(summary.sentences).toBe(Math.round(259859 * 0.01));
  expect(summary.images).toBe([16994, 1500, 750, 750].reduce((t, n) => t + Math.round(n * 0.01), 0));
});
