/** The evaluate command as a function: golden files replayed through it, the table and --json. */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runEvaluateCommand } from '../src/eval/command';
import { GOLDEN_DATA } from './api-helpers';
import { expectMatchesGolden, GOLDEN_EVAL, goldenCases } from './eval-golden-helpers';

const subset = goldenCases().filter((c) => c.dataset === 'refcocog' && c.splitBy === 'umd' && !c.answer.error);
const file = (c: { name: string }) => join(GOLDEN_EVAL, 'predictions', `${c.name}.json`);

test.each(subset.map((c) => [c.name, c] as const))('%s: --json gives the reference answer', async (_name, c) => {
  const out = await runEvaluateCommand({ dataRoot: GOLDEN_DATA, dataset: `${c.dataset}/${c.splitBy}`, split: c.split, task: c.task, file: file(c), json: true, cacheDir: null });
  expectMatchesGolden(JSON.parse(out), c, true);
});

test('the table has refEvaluation\'s lines for expressions', async () => {
  const c = subset.find((x) => x.kind === 'captions' && x.split === 'val')!;
  const out = await runEvaluateCommand({ dataRoot: GOLDEN_DATA, dataset: 'refcocog/umd', split: 'val', task: 'expressions', file: file(c), cacheDir: null });
  expect(out).toContain(`CIDEr: ${c.answer.overall.CIDEr.toFixed(3)}\n`);
  expect(out).toContain(`Bleu_1: ${c.answer.overall.Bleu_1.toFixed(3)}\n`);
  expect(out).toContain('METEOR: null\n');
});

test('the table gives box accuracy at each threshold; a gzip file reads the same', async () => {
  const c = subset.find((x) => x.kind === 'boxes_by_sent' && x.split === 'val')!;
  const dir = mkdtempSync(join(tmpdir(), 'eval-command-'));
  const gz = join(dir, 'preds.json.gz');
  writeFileSync(gz, gzipSync(c.predictionsText));
  const out = await runEvaluateCommand({ dataRoot: GOLDEN_DATA, dataset: 'refcocog/umd', split: 'val', task: 'boxes', file: gz, cacheDir: null });
  expect(out).toContain(`accuracy@0.5: ${c.answer.overall.given.accuracy['0.5'].toFixed(3)}`);
  expect(out).toContain(`mean IoU: ${c.answer.overall.given.mean_iou.toFixed(3)}`);
});

test('a file that is not there, or not JSON, is an error naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-command-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '[{"ref_id": 1,');
  const run = (f: string) => () => runEvaluateCommand({ dataRoot: GOLDEN_DATA, dataset: 'refcocog/umd', split: 'val', task: 'boxes', file: f, cacheDir: null });
  await expect(run(join(dir, 'absent.json'))()).rejects.toThrow(/absent\.json: cannot be read/);
  await expect(run(bad)()).rejects.toThrow(/bad\.json: not JSON/);
});
